# JupyterHub configuration for an h4s course: every learner logs in to the Hub and gets a server of their own
# that runs h4s (the book at the server's root, the live modules under it).
#
#     jupyterhub -f /srv/h4s/jupyterhub_config.py
#
# book/deploy.md (the IT page of the book) walks through a whole installation on one VM.
#
# What a provider changes lives in the first block below:
#
# * WHO MAY LOG IN: ``c.JupyterHub.authenticator_class``.  The default here is JupyterHub's own, "pam": the
#   accounts of this machine.  A provider with a single sign-on replaces it, for instance with
#   "generic-oauth" (package oauthenticator: Keycloak, Azure AD/Entra ID, Google, a Moodle OAuth2 server),
#   "ldapauthenticator.LDAPAuthenticator" (package jupyterhub-ldapauthenticator) or "ltiauthenticator.lti13"
#   (package jupyterhub-ltiauthenticator: learners arrive from an LMS course).  Each has settings of its own
#   (client id and secret, server address); see its documentation.
# * WHERE EACH LEARNER'S SERVER RUNS: ``c.JupyterHub.spawner_class``.  The default here is JupyterHub's own,
#   "localprocess": a process on this machine under the learner's own system account (so every learner needs
#   one: with "pam" they exist already; other authenticators can create them with
#   ``c.LocalAuthenticator.create_system_users = True``).  "systemdspawner.SystemdSpawner" (package
#   jupyterhub-systemdspawner) adds memory and CPU limits on one VM; "dockerspawner.DockerSpawner" runs the
#   image of deploy/docker/Dockerfile (then set ``c.Spawner.cmd = ["jupyterhub-singleuser"]`` and
#   ``c.Spawner.args = ["--config", "/opt/h4s/deploy/singleuser_config.py"]`` below: the image's paths).  On Kubernetes use Zero to JupyterHub (deploy/z2jh/values.yaml)
#   instead of this file.
# * THE COURSE, THE RECORDS, THE TRAINERS: environment variables of the Hub, read below (secrets such as the
#   database password do not belong in this file):
#
#   H4S_COURSE_DIR       the course project (modules/ and the book built by `h4s build` in _build/html),
#                        readable by every learner account; default /srv/h4s/course
#   H4S_DATABASE_URL     the shared PostgreSQL record store, postgresql://h4s:PASSWORD@HOST:5432/h4s.
#                        Needed as soon as learners' servers run under different accounts: the SQLite file of
#                        one machine can only be shared by processes of one account.
#   H4S_DATA_DIR         the data folder of every learner's server (pseudonym.key; the SQLite store when
#                        H4S_DATABASE_URL is unset); unset: each account's own (~/.local/share/h4s)
#   H4S_LRS_URL, H4S_LRS_AUTH (or H4S_LRS_USER + H4S_LRS_PASSWORD)   send every record to an xAPI LRS as
#                        well (records-storage page of the book)
#   H4S_CULL_IDLE        seconds without activity after which a learner's server is stopped; default 3600
#   H4S_TRAINERS         Hub users who are in the group "trainers" from the start (comma-separated);
#                        more can be added in the Hub's admin page (Groups)
#   H4S_HUB_ADMINS       Hub users who administer the Hub (comma-separated)
#   H4S_DASHBOARD_PORT   local port of the trainer dashboard service; default 8091
#
# Trainers: the trainer dashboard (`h4s report` made fresh from the shared records) runs as a JupyterHub
# *service* next to the Hub (deploy/jupyterhub/trainer_dashboard.py), at /services/h4s-dashboard/.  It logs
# people in through the Hub (OAuth), and the role "h4s-trainers" gives the group "trainers" access to it and
# nobody else.  Why a service and not a page of every learner's server: one process, next to the Hub, reads
# all records (learners' servers never serve anybody else's); it works while a trainer has no server of their
# own running; and who is a trainer is decided in one place, the Hub's group, which an administrator changes
# without restarting anything.
import os
import shutil
import sys
from pathlib import Path

c = get_config()  # noqa: F821 (JupyterHub provides it)

# ------------------------------------------------------------------------ what a provider changes
c.JupyterHub.authenticator_class = "pam"
c.JupyterHub.spawner_class = "localprocess"
c.JupyterHub.bind_url = "http://127.0.0.1:8000"     # put a reverse proxy with https in front (book/deploy.md)

COURSE_DIR = Path(os.environ.get("H4S_COURSE_DIR", "/srv/h4s/course"))
CULL_IDLE = int(os.environ.get("H4S_CULL_IDLE", "3600"))
DASHBOARD_PORT = int(os.environ.get("H4S_DASHBOARD_PORT", "8091"))


def _names(var: str) -> set[str]:
    return {n.strip() for n in os.environ.get(var, "").split(",") if n.strip()}


c.Authenticator.admin_users = _names("H4S_HUB_ADMINS")
c.Authenticator.allow_all = True      # everybody the authenticator accepts is a learner; narrow it with allowed_users

# ------------------------------------------------------------------------ each learner's server
# jupyterhub-singleuser with the h4s server extension: the Hub's OAuth decides who the user is (the learner id
# of every record is the Hub user), h4s decides what they may do (read the book, use live modules; no
# JupyterLab, no terminals, no code sent to a kernel).
HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
c.Spawner.cmd = [str(BIN / "jupyterhub-singleuser") if (BIN / "jupyterhub-singleuser").exists()
                 else "jupyterhub-singleuser"]
c.Spawner.args = ["--config", str(HERE / "singleuser_config.py")]
# (no Spawner.notebook_dir: the Hub would pass it on the command line, over the root that singleuser_config.py sets,
# the build's live root with the English modules and every language book's, _build/live)
c.Spawner.default_url = "/"               # the course: the book's first page
#: what the Hub passes on to learners' servers and the dashboard when it is set in the Hub's environment
PASSED_ON = ("H4S_DATABASE_URL", "H4S_DATA_DIR", "H4S_LRS_URL", "H4S_LRS_AUTH", "H4S_LRS_USER", "H4S_LRS_PASSWORD")
c.Spawner.environment = {"H4S_COURSE_DIR": str(COURSE_DIR),
                         **{k: os.environ[k] for k in PASSED_ON if os.environ.get(k)}}
# limits are enforced by the spawners that can (SystemdSpawner, DockerSpawner, KubeSpawner), not by localprocess
c.Spawner.mem_guarantee = "256M"
c.Spawner.mem_limit = "1G"
c.Spawner.cpu_limit = 1.0
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 90

# ------------------------------------------------------------------------ idle servers are stopped
# jupyterhub-idle-culler, a service of the Hub with just the scopes it needs (it stops servers; it deletes
# no users).  A stopped server keeps nothing: records are in the shared store.
c.JupyterHub.services = [
    {"name": "idle-culler",
     "command": [sys.executable, "-m", "jupyterhub_idle_culler", f"--timeout={CULL_IDLE}",
                 f"--cull-every={max(1, min(300, CULL_IDLE // 4))}"]},
    {"name": "h4s-dashboard",
     "url": f"http://127.0.0.1:{DASHBOARD_PORT}",
     "command": [sys.executable, str(HERE / "trainer_dashboard.py")],
     "environment": {"H4S_COURSE_DIR": str(COURSE_DIR),
                     **{k: os.environ[k] for k in ("H4S_DATABASE_URL", "H4S_DATA_DIR") if os.environ.get(k)}},
     "oauth_no_confirm": True,
     "display": True},
]
c.JupyterHub.load_roles = [
    {"name": "idle-culler", "services": ["idle-culler"],
     "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"]},
    {"name": "h4s-trainers", "groups": ["trainers"],
     "scopes": ["access:services!service=h4s-dashboard"]},
]

# ------------------------------------------------------------------------ trainers
c.JupyterHub.load_groups = {"trainers": {"users": sorted(_names("H4S_TRAINERS"))}}

# ------------------------------------------------------------------------ the Hub's own files
c.JupyterHub.db_url = "sqlite:///" + os.environ.get("H4S_HUB_STATE", "/srv/h4s/hub") + "/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = os.environ.get("H4S_HUB_STATE", "/srv/h4s/hub") + "/jupyterhub_cookie_secret"
_chp = shutil.which("configurable-http-proxy")
if _chp:
    c.ConfigurableHTTPProxy.command = [_chp]

# jupyter_server settings of a learner's server under JupyterHub:
#
#     jupyterhub-singleuser --config deploy/jupyterhub/singleuser_config.py
#
# (the command of deploy/jupyterhub/jupyterhub_config.py, deploy/docker/Dockerfile and deploy/z2jh/values.yaml).
# jupyterhub-singleuser owns the address (ip, port and base_url /user/<name>/ come from the Hub) and who the
# user is (the Hub's OAuth: the learner id of every record is the Hub user).  h4s brings everything else
# (h4s_kit.server.app.learner_server_config): the book at the server's base_url, the live modules under
# voila/render/, and what a learner may do there (read the book, answer, use live pages; no JupyterLab, no
# terminals, no file list, no code sent to a kernel, no other page's kernel).
#
# The course comes from $H4S_COURSE_DIR (modules/ and the book built in _build/html); records go where the
# environment says (H4S_DATABASE_URL, else the SQLite file in H4S_DATA_DIR; H4S_LRS_URL as well).
import os
from pathlib import Path

from h4s_kit.server.app import learner_server_config

c = get_config()  # noqa: F821 (jupyter_server provides it)

learner_server_config(
    c, Path(os.environ.get("H4S_COURSE_DIR", "/srv/h4s/course")),
    base_url=os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/"),
    # the live pages' Voila template, written at every start: in the learner's own home (the course folder is
    # read-only for learners, and servers of several learners start at the same time)
    data_dir=Path.home() / ".local" / "share" / "h4s" / "voila-data")
c.H4SConfig.trainer_token = ""     # no trainer page on learners' servers: trainers use /services/h4s-dashboard/

# jupyter_server settings of a learner's server under JupyterHub:
#
#     jupyterhub-singleuser --config deploy/jupyterhub/singleuser_config.py
#
# (the command of deploy/jupyterhub/jupyterhub_config.py, deploy/docker/Dockerfile and deploy/z2jh/values.yaml).
# jupyterhub-singleuser owns the address (ip, port and base_url /user/<name>/ come from the Hub) and who the
# user is (the Hub's OAuth: the learner id of every record is the Hub user).  h4s brings everything else, the
# same settings as `h4s serve`: the book at the server's root, the live modules under voila/render/, and what
# a learner may do (read the book, answer, use live pages; no JupyterLab, no terminals, no code sent to a
# kernel, no other learner's kernels).
#
# The course comes from $H4S_COURSE_DIR (modules/ and the book built in _build/html); records go where the
# environment says (H4S_DATABASE_URL, else the SQLite file in H4S_DATA_DIR; H4S_LRS_URL as well).
import os
from pathlib import Path

from h4s_kit.server.app import server_config

c = get_config()  # noqa: F821 (jupyter_server provides it)

COURSE = Path(os.environ.get("H4S_COURSE_DIR", "/srv/h4s/course"))

#: the keys jupyterhub-singleuser sets from the Hub's environment (left to it)
HUB_OWNS = {"ip", "port", "port_retries", "base_url", "open_browser", "allow_remote_access",
            "identity_provider_class"}

h4s = server_config(html_dir=COURSE / "_build" / "html", modules_dir=COURSE / "modules", host="127.0.0.1", port=0,
                    book_modules_url="../../../modules/")
for key in HUB_OWNS:
    h4s.ServerApp.pop(key, None)
h4s.H4SConfig.pop("book_url", None)          # the book at the server's base_url, /user/<name>/
h4s.H4SConfig.trainer_token = ""             # trainers use the Hub service /services/h4s-dashboard/
# extensions that the Python environment may enable for everybody (jupyter_server_config.d) but learners must not get
h4s.ServerApp.jpserver_extensions.update({"jupyterlab": False, "notebook": False, "jupyter_lsp": False,
                                         "jupyter_server_terminals": False, "nbclassic": False})
c.merge(h4s)

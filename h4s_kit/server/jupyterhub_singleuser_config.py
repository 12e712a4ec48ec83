"""jupyter_server config of a learner's server under JupyterHub: ``jupyterhub-singleuser --config=<this file>``.

The course folder (with ``_build/html`` made by ``h4s build``, and ``modules``) is ``$H4S_COURSE_DIR``
(default: the current folder).  The learner is the Hub user (jupyterhub-singleuser's identity provider);
records go where ``H4S_DATA_DIR`` / ``H4S_DATABASE_URL`` / ``H4S_LRS_*`` say.  See /work/notes-server.md
or book/security.md.
"""
import os
from pathlib import Path

from h4s_kit.server.app import learner_server_config

c = get_config()  # noqa: F821 pyflakes: undefined-name - provided by traitlets when it loads this file
learner_server_config(c, Path(os.environ.get("H4S_COURSE_DIR") or os.getcwd()),
                      base_url=os.environ.get("JUPYTERHUB_SERVICE_PREFIX") or "/")

# JupyterLab for authoring h4s modules: nothing is loaded from other hosts (see README.md in this folder).
# Loaded when this folder is on JUPYTER_CONFIG_PATH (book/trainers.md says how).
from pathlib import Path

c = get_config()  # noqa: F821  (given by traitlets when it runs a config file)

c.LabApp.news_url = None                                          # no news feed
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"  # no update check
c.LabApp.extension_manager = "readonly"                           # the extension manager does not search PyPI
# settings/overrides.json: the announcements extension neither asks about news nor checks for updates
c.LabApp.app_settings_dir = str(Path(__file__).resolve().parent / "settings")
c.ServerApp.ip = "127.0.0.1"
# window.jupyterapp: a check panel's cell link opens the module notebook's tab and selects the cell
c.LabApp.expose_app_in_browser = True

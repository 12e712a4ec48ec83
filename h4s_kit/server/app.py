"""The jupyter_server of ``h4s serve``: h4s and Voilà as server extensions of one ``ServerApp``.

:func:`server_config` is the whole configuration (public traits only); :class:`H4SServerApp` is
``ServerApp`` without its own signal handlers (``h4s serve`` handles Ctrl-C and SIGTERM, and tests run the
server in a thread).  Addresses: the book at ``/``, the grading API at ``/api/quiz/``, the trainer
dashboard at ``/trainer/<token>/``, jupyter_server with Voilà under ``/live/`` (live pages at
``/live/voila/render/<module>/module.ipynb``, in a language LL at ``/live/voila/render/LL/<module>/module.ipynb``,
their kernel channels at ``/live/api/kernels/<id>/channels``).
"""
from __future__ import annotations

from pathlib import Path

from jupyter_server.serverapp import ServerApp
from traitlets.config import Config

from .. import live
from ._messages import MAX_BROWSER_MESSAGE

LIVE_BASE = "/live/"


class H4SServerApp(ServerApp):
    name = "h4s-serve"
    description = "h4s serve: the book, its grading API and the live modules (Voilà) in one jupyter_server"

    def init_signal(self) -> None:
        return None     # h4s serve stops the server itself (Ctrl-C, SIGTERM)


def server_config(*, html_dir: Path | None, modules_dir: Path, host: str, port: int, live_pages: bool = True,
                  cull_idle_timeout: int = live.DEFAULT_CULL_IDLE, cull_interval: int = live.DEFAULT_CULL_INTERVAL,
                  iopub_timeout: int = live.DEFAULT_IOPUB_TIMEOUT, unconnected_grace: int = live.DEFAULT_UNCONNECTED_GRACE,
                  book_modules_url: str = "/modules/", server_grading: str = "auto", trainer_token: str = "",
                  compress: bool = True, identity_data_dir: Path | None = None, live_root: Path | None = None,
                  book_root: str = "/") -> Config:
    """The traitlets config of the server (the same keys work in a ``jupyter_server_config.py``).

    ``live_root``: Voilà's root (:func:`h4s_kit.live.served_root`: ``_build/live``, the English modules at its top
    and each language's translated modules below ``LL/``; default: ``modules_dir``).  ``book_root``: the book's
    address (a language book is at ``<book_root>LL/``)."""
    c = Config()
    s = c.ServerApp
    s.ip = host
    s.port = int(port)
    s.port_retries = 0
    s.open_browser = False
    s.base_url = LIVE_BASE
    s.root_dir = str(Path(live_root or modules_dir).resolve())
    s.allow_root = True                       # no terminals, no code from browsers: root changes nothing here
    # requests keep their Host header behind a reverse proxy (book/security.md: https in front of h4s serve)
    s.allow_remote_access = True
    s.terminals_enabled = False
    s.jpserver_extensions = {"h4s_kit.server": True, "voila": bool(live_pages)}
    s.reraise_server_extension_failures = True   # never a server without h4s's handlers (or Voilà's) in front
    s.identity_provider_class = "h4s_kit.server.identity_provider.H4SIdentityProvider"
    if identity_data_dir:
        c.H4SIdentityProvider.data_dir = str(identity_data_dir)
    s.authorizer_class = "h4s_kit.server.authorizer.H4SAuthorizer"
    s.kernel_websocket_connection_class = "h4s_kit.server.kernel_connection.H4SKernelConnection"
    s.kernel_manager_class = live.KERNEL_MANAGER
    # Voilà renders markdown images through the contents manager synchronously (voila 0.5 exporter.py)
    s.contents_manager_class = "jupyter_server.services.contents.largefilemanager.LargeFileManager"
    s.max_body_size = 64 * 1024 * 1024
    # no MathJax from cdnjs: Voilà 0.5's page falls back to it unless both settings are None (as standalone Voilà's)
    s.tornado_settings = {"websocket_max_message_size": MAX_BROWSER_MESSAGE, "mathjax_url": None,
                          "mathjax_config": None}
    km = c.MappingKernelManager
    km.cull_idle_timeout = int(cull_idle_timeout)
    km.cull_interval = int(cull_interval)
    km.cull_connected = False
    c.H4SKernelManager.unconnected_grace = float(unconnected_grace)
    v = c.VoilaConfiguration
    v.template = live.TEMPLATE_NAME
    v.theme = "light"
    v.strip_sources = True
    v.show_tracebacks = False
    v.file_allowlist = list(live.MEDIA_ALLOWLIST)
    v.file_denylist = list(live.DENYLIST)
    v.resources = {"h4s_book_modules": book_modules_url,
                   "h4s_live": live_languages(html_dir, modules_dir, book_modules_url, book_root)}
    c.VoilaExecutor.iopub_timeout = int(iopub_timeout)
    h = c.H4SConfig
    h.html_dir = str(Path(html_dir).resolve()) if html_dir else ""
    h.modules_dir = str(Path(modules_dir).resolve())
    h.live_root = s.root_dir
    h.book_url = "/"
    h.server_grading = server_grading
    h.compress = bool(compress)
    if trainer_token:
        h.trainer_token = trainer_token
    return c


def live_languages(html_dir: Path | None, modules_dir: Path, book_modules_url: str, book_root: str) -> dict:
    """For the live pages' template (resource ``h4s_live``): language -> {"book": the address of its book's module
    pages, "words": the page's own words in it}; English and every language book in ``html_dir``."""
    from ..translate._book import BOOK_WORDS, language_books, words
    keys = ("home", "live_label", "live_skip", "live_back", "live_nav")
    out = {"en": {"book": book_modules_url, "words": {k: BOOK_WORDS[k] for k in keys}}}
    for lang in language_books(html_dir):
        w = words(Path(modules_dir), lang)
        out[lang] = {"book": f"{book_root.rstrip('/')}/{lang}/modules/", "words": {k: w[k] for k in keys}}
    return out


def learner_server_config(c: Config, course_dir: Path, base_url: str = "/", data_dir: Path | None = None) -> Config:
    """What h4s adds to a jupyter_server config where something else starts the server (``jupyterhub-singleuser``,
    whose own identity provider makes the Hub user the learner): the h4s and Voilà extensions, the authorizer,
    the kernel channel and kernel manager, Voilà's settings, and the book of ``course_dir`` (``_build/html``,
    ``modules``) at ``base_url``.  Other extensions installed beside them (JupyterLab, the notebook, terminals)
    are switched off.  Writes the live pages' Voilà template into ``data_dir`` (default:
    ``course_dir/_build/voila-data``) and puts it on ``JUPYTER_PATH``."""
    import os
    course_dir = Path(course_dir).resolve()
    modules = course_dir / "modules"
    data = live.prepare_template(data_dir or course_dir / "_build" / "voila-data")
    os.environ["JUPYTER_PATH"] = live.voila_env(data, base={"JUPYTER_PATH": os.environ.get("JUPYTER_PATH", "")}
                                                )["JUPYTER_PATH"].rstrip(os.pathsep)
    html = course_dir / "_build" / "html"
    ours = server_config(html_dir=html, modules_dir=modules, host="127.0.0.1", port=0,
                         book_modules_url=base_url.rstrip("/") + "/modules/", book_root=base_url,
                         live_root=live.served_root(html, modules))
    for key in ("ip", "port", "port_retries", "open_browser", "base_url", "allow_remote_access",
                "identity_provider_class"):
        ours.ServerApp.pop(key, None)           # the spawner's and the Hub's
    ours.ServerApp.jpserver_extensions.update({"jupyterlab": False, "notebook": False, "notebook_shim": False,
                                               "jupyter_server_terminals": False, "jupyter_lsp": False,
                                               "voila.server_extension": False})   # (Voilà, a second time)
    ours.H4SConfig.book_url = ""               # the server's base_url (/user/<name>/)
    c.merge(ours)
    return c

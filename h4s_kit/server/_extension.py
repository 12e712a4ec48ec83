"""Registers the h4s handlers in a jupyter_server (see the package docstring)."""
from __future__ import annotations

import os
import re
from pathlib import Path

from jupyter_server.utils import url_path_join as ujoin
from tornado.routing import Rule

from .config import H4SConfig

#: pages of jupyter_server and its usual extensions that a learner has no use for (answered 400 by h4s;
#: the REST APIs behind them are refused by the authorizer anyway)
NOT_OFFERED = [r"voila/?", r"voila/tree(/.*)?", r"voila/api/contents(/.*)?", r"lab(/.*)?", r"tree(/.*)?",
               r"notebooks/.*", r"edit/.*", r"doc(/.*)?", r"terminals/.*", r"consoles/.*"]


#: first path parts that jupyter_server and Voilà serve when the book shares their base_url (jupyterhub-singleuser)
SERVER_PARTS = ["voila", "api", "static", "lab", "tree", "files", "view", "nbconvert", "kernelspecs", "login",
                "logout", "custom", "nbextensions", "terminals", "edit", "notebooks", "doc", "metrics", "hub",
                "oauth_callback"]   # jupyterhub-singleuser: the Hub's OAuth comes back to <base>oauth_callback


def _book_pattern(book: str, base: str) -> str:
    """The book's catch-all rule, leaving the server's own addresses to the server."""
    import re
    if base != book and base.startswith(book):
        parts = [base[len(book):].strip("/")]
    else:
        parts = SERVER_PARTS
    return ujoin(book, "(?!(?:%s)(?:/|$))(.*)" % "|".join(re.escape(p) for p in parts))


def _voila_static(serverapp, cache: Path) -> tuple[str, Path]:
    """Voilà's static files (of its template), copied once per installation into ``cache`` and precompressed
    there (the same few MB of scripts for every live page: served as .gz to browsers that accept gzip)."""
    import voila
    from voila.configuration import VoilaConfiguration
    from voila.paths import collect_static_paths

    from .precompress import mirror
    template = VoilaConfiguration(parent=serverapp).template
    return template, mirror(collect_static_paths(["voila", "nbconvert"], template),
                            cache / f"voila-{voila.__version__}-{template}")


def _grades_on_server(mode: str) -> bool:
    if mode == "on":
        return True
    if mode == "off":
        return False
    from h4s_widgets._assets import static_runtime   # the runtime knows the server mode strip_keys switches on
    return "payload.server" in static_runtime()


def _check_root(serverapp, cfg: H4SConfig) -> None:
    """One warning when the server runs with another root than the folder of live pages h4s set (a root given on
    the command line wins over config files: JupyterHub's ``Spawner.notebook_dir`` is one)."""
    if cfg.live_root and Path(serverapp.root_dir).resolve() != Path(cfg.live_root).resolve():
        serverapp.log.warning(
            "h4s: the live pages are served from %s instead of %s, so the live pages of the language books are "
            "not found (404); the other root was given on the command line (JupyterHub: Spawner.notebook_dir): "
            "leave it unset", serverapp.root_dir, cfg.live_root)


def load(serverapp) -> None:
    from .book_files import BookFilesHandler, KeylessPages
    from .credential_claim import CredentialDesk, CredentialHandler, claim_script
    from .errors import BadPathHandler, ControlInPath
    from .home import HomeRedirectHandler, NotOfferedHandler
    from .kernel_shutdown import KernelShutdownHandler
    from .live_paths import DetourInLivePath, LivePathHandler
    from .quiz import QuizHandler
    from .quiz_draw import QuizDrawHandler
    from .trainer import TrainerHandler

    cfg = H4SConfig(parent=serverapp)
    _check_root(serverapp, cfg)
    web_app = serverapp.web_app
    base = web_app.settings.get("base_url", "/")
    book = cfg.book_url or base
    modules = Path(cfg.modules_dir or serverapp.root_dir).resolve()

    from ..quiz_api import API_PREFIX, QuizService
    service = QuizService(modules, max_code_runs=int(cfg.max_code_runs))
    if service.sink is not None:
        service.sink.store()   # opens the store; with an LRS, this process sends every queued statement
    api = ujoin(book, API_PREFIX)
    settings = {"book_url": book}
    credentials_api = ujoin(book, "api/credentials/")
    desk = CredentialDesk(modules)
    from ..translate._book import language_books
    languages = language_books(cfg.html_dir)
    language_apis: dict[str, tuple[str, str]] = {}
    quiz_rules = [(api, service)]
    for lang, (book_dir, lang_modules) in languages.items():
        lang_service = QuizService(lang_modules, max_code_runs=int(cfg.max_code_runs), lang=lang)
        lang_service.sink = service.sink                     # one record store for every language
        lang_api = ujoin(book, lang, API_PREFIX)
        language_apis[lang] = (os.path.realpath(book_dir), lang_api)
        quiz_rules.append((lang_api, lang_service))
    handlers = [
        Rule(ControlInPath(), BadPathHandler),
        Rule(DetourInLivePath(ujoin(base, "voila/")), LivePathHandler),
        *[rule for a, svc in quiz_rules for rule in (
            (ujoin(a, "check"), QuizHandler, {"service": svc, "action": "check"}),
            (ujoin(a, "solution"), QuizHandler, {"service": svc, "action": "solution"}),
            (ujoin(a, "draw"), QuizDrawHandler, {"service": svc}))],
        (credentials_api + "status", CredentialHandler, {"desk": desk, "action": "status"}),
        (credentials_api + "claim", CredentialHandler, {"desk": desk, "action": "claim"}),
        (ujoin(book, r"trainer/([A-Za-z0-9_-]+)/([A-Za-z0-9_.-]*)"), TrainerHandler,
         {"trainer_token": cfg.trainer_token, "modules_dir": modules}),
        (ujoin(base, r"voila/api/shutdown/([0-9a-f-]+)"), KernelShutdownHandler),
        *[(ujoin(base, p), NotOfferedHandler, settings) for p in NOT_OFFERED],
    ]
    if book.rstrip("/") != base.rstrip("/"):
        handlers.append((base.rstrip("/") + "/?", HomeRedirectHandler, settings))
    if cfg.voila_static_dir and serverapp.jpserver_extensions.get("voila"):
        template, mirror_dir = _voila_static(serverapp, Path(cfg.voila_static_dir))
        static = {"path": os.fspath(mirror_dir), "compress": cfg.compress}
        # (Voilà looks both addresses up in the same folders: collect_static_paths of the template)
        handlers += [(ujoin(base, "voila/static/(.*)"), BookFilesHandler, static),
                     (ujoin(base, f"voila/templates/{re.escape(template)}/static/(.*)"), BookFilesHandler, static)]
    if serverapp.jpserver_extensions.get("voila"):
        from voila.configuration import VoilaConfiguration

        from .live_files import LiveFilesHandler
        vc = VoilaConfiguration(parent=serverapp)
        handlers.append((ujoin(base, "voila/files/(.*)"), LiveFilesHandler,
                         {"root": os.path.realpath(serverapp.root_dir), "allowlist": vc.file_allowlist,
                          "denylist": vc.file_denylist}))
    if cfg.html_dir:
        # pages that grade on the server also offer the credential of a passed closing quiz (never the static book)
        keyless = KeylessPages(api, extra_html=claim_script(credentials_api), language_apis=language_apis) \
            if _grades_on_server(cfg.server_grading) else None
        handlers.append((_book_pattern(book, base), BookFilesHandler,
                         {"path": os.fspath(Path(cfg.html_dir).resolve()), "default_filename": "index.html",
                          "keyless": keyless, "compress": cfg.compress}))
    # jupyter_server loads extensions in the order of their names and tornado takes the first rule that
    # matches: "h4s_kit.server" comes before "voila", so these rules answer first (tests/test_security_server.py
    # fails if that changes)
    web_app.add_handlers(".*$", handlers)
    web_app.settings["h4s_service"] = service
    web_app.settings["h4s_credentials"] = desk
    web_app.settings["h4s_config"] = cfg
    serverapp.log.info("h4s: book at %s, grading API at %s, live pages at %svoila/render/", book, api, base)

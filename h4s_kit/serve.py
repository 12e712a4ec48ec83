"""``h4s serve``: one address, one process for the whole course.

``h4s serve`` runs one jupyter_server (:mod:`h4s_kit.server.app`) with two server extensions:

* ``h4s_kit.server``: the built book at ``/`` (precompressed files; quiz pages without keys when quizzes
  are graded on the server), the grading API ``/api/quiz/check`` and ``/api/quiz/solution``
  (:mod:`h4s_kit.quiz_api`, no kernel), the trainer dashboard at a secret address;
* ``voila``: the live modules under ``/live/`` (``/live/voila/render/<module>/module.ipynb``; in a language LL of
  the book ``/live/voila/render/LL/<module>/module.ipynb``, from the build's live root ``_build/live``).

No kernel runs while nobody has a live page open: a live page starts its kernel when it is asked for
(``preheat`` names modules whose first page should not wait for a kernel to start), and kernels of
closed pages are shut down by the page's "closed" beacon or by the culler.

Who the learner is, what a learner may do and what may pass between a page and its kernel are decided by
the server's identity provider, authorizer and kernel connection (``h4s_kit.server``; see
book/security.md).  Kernels get an environment without the trainer token, LRS credentials or Hub tokens
(:func:`h4s_kit.server._messages.kernel_env`); the server process, which has them, sends the queued
xAPI statements.

Ctrl-C (or SIGTERM) stops the server, which shuts its kernels down.
"""
from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from h4s_widgets._errors import H4SError

from . import live


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def runtime_grades_on_server() -> bool:
    """True when the static quiz runtime knows the server mode that ``quiz_api.strip_keys`` switches on."""
    from h4s_widgets._assets import static_runtime
    return "payload.server" in static_runtime()


@dataclass
class LiveServer:
    """The server of ``h4s serve`` in a thread of this process.  ``start()`` returns once it answers;
    ``stop()`` shuts its kernels down and stops it."""
    html_dir: Path | None
    modules_dir: Path
    host: str = "127.0.0.1"
    port: int = 8000
    #: where the live pages' Voilà template is written (default: beside the book)
    data_dir: Path | None = None
    #: modules (ids or their number prefixes, e.g. "01"; "de/01" for the page of a language book) whose first live
    #: page finds its kernel started
    preheat: tuple[str, ...] = ()
    cull_idle_timeout: int = live.DEFAULT_CULL_IDLE
    cull_interval: int = live.DEFAULT_CULL_INTERVAL
    iopub_timeout: int = live.DEFAULT_IOPUB_TIMEOUT
    unconnected_grace: int = live.DEFAULT_UNCONNECTED_GRACE
    book_modules_url: str = "/modules/"
    log_file: Path | None = None
    #: grade the book's quizzes on the server (keys stripped from pages); None = when the runtime supports it
    server_grading: bool | None = None
    #: secret path part of the trainer dashboard (/trainer/<token>/); H4S_TRAINER_TOKEN or a random one
    trainer_token: str = field(default_factory=lambda: os.environ.get("H4S_TRAINER_TOKEN") or "")
    #: serve the book's precompressed files to clients that accept gzip
    compress: bool = True
    #: the live pages (Voilà); False: the book and its API only
    live_pages: bool = True
    #: folder of the key that signs learner cookies (default: the records' data folder)
    identity_data_dir: Path | None = None
    echo: Callable[[str], None] = print
    app: object = field(default=None, init=False)
    _loop: object = field(default=None, init=False)
    _thread: threading.Thread | None = field(default=None, init=False)
    _saved_jupyter_path: object = field(default=None, init=False)
    _live_root: Path | None = field(default=None, init=False)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    @property
    def trainer_url(self) -> str:
        return f"{self.url}trainer/{self.trainer_token}/"

    @property
    def kernel_manager(self):
        return self.app.kernel_manager

    @property
    def service(self):
        """The :class:`h4s_kit.quiz_api.QuizService` of the grading API."""
        return self.app.web_app.settings["h4s_service"]

    def kernel_ids(self) -> list[str]:
        return list(self.app.kernel_manager.list_kernel_ids())

    def kernel_processes(self) -> list:
        """psutil processes of the running kernels."""
        import psutil
        out = []
        for kid in self.kernel_ids():
            try:
                pid = self.app.kernel_manager.get_kernel(kid).provisioner.pid
                out.append(psutil.Process(pid))
            except Exception:
                pass
        return out

    def _config(self):
        from .server.app import server_config
        grading = {None: "auto", True: "on", False: "off"}[self.server_grading]
        return server_config(html_dir=self.html_dir, modules_dir=self.modules_dir, host=self.host, port=self.port,
                             live_pages=self.live_pages, cull_idle_timeout=self.cull_idle_timeout,
                             cull_interval=self.cull_interval, iopub_timeout=self.iopub_timeout,
                             unconnected_grace=self.unconnected_grace, book_modules_url=self.book_modules_url,
                             server_grading=grading, trainer_token=self.trainer_token, compress=self.compress,
                             identity_data_dir=self.identity_data_dir,
                             live_root=self._live_root)

    def start(self) -> "LiveServer":
        """Start the server in a background thread; returns when it listens."""
        if self.html_dir is not None and not (Path(self.html_dir) / "index.html").is_file():
            raise H4SError(f"no built book in {self.html_dir}: run `h4s build` first (or drop --no-build)")
        self._live_root = live.served_root(self.html_dir, self.modules_dir) if self.live_pages else None
        if self.preheat and self.live_pages:
            from .server.preheat import resolve
            # a name that is no module: one line, before anything starts
            resolve(self.modules_dir, self.preheat, self._live_root)
        if self.live_pages:
            base = Path(self.html_dir).parent if self.html_dir else Path(self.modules_dir).parent
            data = live.prepare_template(self.data_dir or (base / "voila-data"))
            self._saved_jupyter_path = os.environ.get("JUPYTER_PATH")
            # Voilà finds the h4s template on JUPYTER_PATH (read when the extension loads and per request)
            os.environ["JUPYTER_PATH"] = live.voila_env(data, base={"JUPYTER_PATH": self._saved_jupyter_path or ""}
                                                        )["JUPYTER_PATH"].rstrip(os.pathsep)
        ready = threading.Event()
        errors: list[BaseException] = []

        def run():
            from tornado.ioloop import IOLoop

            from .server.app import H4SServerApp
            asyncio.set_event_loop(asyncio.new_event_loop())
            try:
                app = H4SServerApp(config=self._config())
                app.initialize(argv=[], find_extensions=False)
                for h in list(app.log.handlers):    # the terminal gets warnings only; the log file everything
                    h.setLevel(logging.WARNING)
                if self.log_file:
                    handler = logging.FileHandler(self.log_file, encoding="utf-8")
                    handler.setFormatter(logging.Formatter("[%(levelname)s %(asctime)s %(name)s] %(message)s"))
                    handler.setLevel(logging.INFO)
                    app.log.addHandler(handler)
                if not self.trainer_token:
                    self.trainer_token = app.web_app.settings["h4s_config"].trainer_token
                self.app = app
                self._loop = IOLoop.current()
                app.start_app()
                if self.preheat and self.live_pages:
                    from .server.preheat import preheat
                    app.io_loop.add_callback(preheat, app, self.modules_dir, self.preheat, self._live_root)
            except BaseException as e:
                errors.append(e)
                ready.set()
                return
            app.io_loop.add_callback(ready.set)   # after the server's own callback that binds the port
            try:
                app.start_ioloop()
            except BaseException as e:   # SystemExit when the port cannot be bound
                errors.append(e)
                ready.set()

        self._thread = threading.Thread(target=run, name="h4s-serve", daemon=True)
        self._thread.start()
        ready.wait(60)
        if not errors and not self._listening():
            errors.append(OSError(f"nothing listens on {self.host}:{self.port}; see {self.log_file}"))
        if errors:
            self.stop()
            raise H4SError(f"cannot start the server on {self.host}:{self.port}: {errors[0]}")
        return self

    def _listening(self, timeout: float = 10) -> bool:
        import time
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._thread is None or not self._thread.is_alive():
                return False
            try:
                with socket.create_connection((self.host if self.host not in ("0.0.0.0", "") else "127.0.0.1",
                                               self.port), timeout=2):
                    return True
            except OSError:
                time.sleep(0.1)
        return False

    def stop(self) -> None:
        app = self.app
        if app is not None and self._loop is not None:
            service = app.web_app.settings.get("h4s_service")
            app.stop()      # shuts the kernels down, then stops the loop
            if self._thread is not None:
                self._thread.join(30)
            if service is not None:
                if service.sink is not None:
                    service.sink.close()   # the xAPI sender thread and the store connection
                service.code_queue.shutdown()
        self._loop = None
        self.app = None
        if self._saved_jupyter_path is not None or "JUPYTER_PATH" in os.environ and self.live_pages:
            if self._saved_jupyter_path:
                os.environ["JUPYTER_PATH"] = self._saved_jupyter_path
            else:
                os.environ.pop("JUPYTER_PATH", None)
            self._saved_jupyter_path = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def serve(root: Path | None = None, port: int = 8000, host: str = "127.0.0.1", build_first: bool = True,
          modules: Path | None = None, out: Path | None = None, cull_idle_timeout: int = live.DEFAULT_CULL_IDLE,
          preheat: tuple[str, ...] = (), server_grading: bool | None = None,
          echo: Callable[[str], None] = print, single_user: bool = False, preview: bool = False) -> int:
    """``h4s serve``: (build, then) serve the book and the live modules until Ctrl-C.

    Without a working sandbox for learners' code (bubblewrap), code exercises are refused (503) unless
    ``single_user`` (``--single-user``): then they run unsandboxed, for the person on this machine only.
    ``preview``: the preview book (every module, unreviewed ones marked; ``h4s build --preview``)."""
    from .build import build, find_root
    root = find_root(root)
    modules = Path(modules).resolve() if modules else root / "modules"
    out = Path(out).resolve() if out else root / ("_build/preview" if preview else "_build")
    if build_first:
        build(root=root, modules=modules, out=out, echo=echo, preview=preview)
    rel = os.path.relpath(modules, root).replace(os.sep, "/")
    srv = LiveServer(html_dir=out / "html", modules_dir=modules, host=host, port=port, data_dir=out / "voila-data",
                     cull_idle_timeout=cull_idle_timeout, preheat=tuple(preheat), book_modules_url=f"/{rel}/",
                     log_file=out / "serve.log", server_grading=server_grading, echo=echo)
    from h4s_widgets._sandbox import serve_notice
    echo(serve_notice(single_user))   # before the server starts: its kernels inherit the H4S_SANDBOX it may set
    echo("h4s serve: starting the server (no kernel runs until a live page is opened"
         + (f"; preheating {', '.join(preheat)}" if preheat else "") + ") ...")
    stop = threading.Event()
    prev = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    # Ctrl-C raises KeyboardInterrupt even where this process was started with SIGINT ignored (a parent such as
    # a test runner's worker or `nohup` may pass that on; Python then installs no handler of its own)
    prev_int = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:  # from here on, Ctrl-C at any moment (even during the start) stops the server and its kernels
        srv.start()
        echo(f"h4s serve: the course is at {srv.url}  (book at /, live modules under /live/; "
             f"log: {srv.log_file})")
        echo(f"h4s serve: trainer dashboard (results of all learners; share this address with trainers only): "
             f"{srv.trainer_url}")
        echo("h4s serve: press Ctrl-C to stop")
        while not stop.is_set():
            if srv._thread is None or not srv._thread.is_alive():
                echo("h4s serve: error: the server stopped; see " + str(srv.log_file))
                return 1
            stop.wait(1)
    except KeyboardInterrupt:
        echo("\nh4s serve: stopping ...")
    finally:
        signal.signal(signal.SIGTERM, prev)
        srv.stop()
        signal.signal(signal.SIGINT, prev_int)
    echo("h4s serve: stopped")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(serve())

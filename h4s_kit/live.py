"""The live version of the modules for learners: the Voilà settings, template and kernel manager of h4s.

``h4s serve`` runs Voilà as a server extension of its own jupyter_server
(:func:`h4s_kit.server.app.server_config` turns these settings into traits);
:func:`voila_argv` and :func:`voila_env` give the same settings as a command
line for a plain Voilà process (tests and benchmarks compare with it), and
:func:`prepare_template` writes the ``h4s`` Voilà template with its
self-hosted assets.  Choices, and why:

* no kernel until a live page is asked for (:class:`H4SKernelManager`; a
  ``--preheat`` module keeps one spare kernel started);
* ``strip_sources``, no tracebacks: learners see outputs, not code or errors;
* only media files are served (``file_allowlist``); notebooks, question
  banks (``.yml``, which hold the answers) and Python files never;
* idle kernels of closed pages are culled (``cull_idle_timeout``,
  ``cull_interval``; a page that is open keeps its connection and its kernel;
  a kernel no page has connected to yet is spared for ``unconnected_grace``);
* ``VoilaExecutor.iopub_timeout`` raised so that outputs are not lost when
  many pages are rendered at once;
* the kernels get ``H4S_LIVE=1`` and no secrets: quizzes leave out their
  static fallback, so no answer key reaches the browser;
* every kernel belongs to the learner whose page started it
  (:meth:`H4SKernelManager.owner_of`);
* the ``h4s`` template (``h4s_kit/assets/voila/h4s``) replaces the jsDelivr
  Font Awesome links with a copy from ``node_modules`` and links back to the
  module's page in the book.
"""
from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

from h4s_widgets._errors import H4SError

ASSETS = Path(__file__).parent / "assets"
TEMPLATE_SRC = ASSETS / "voila" / "h4s"
TEMPLATE_NAME = "h4s"
#: files a live page may load from the module folders (relative to the Voilà root)
MEDIA_ALLOWLIST = [r".*/media/[^/]+\.(svg|png|jpe?g|gif|webp|mp3|ogg|mp4|webm|vtt|csv|pdf)"]
DENYLIST = [r".*\.(ipynb|py|ya?ml|json|db|sqlite3?|env|cfg|ini|toml)", r"(.*/)?\..*", r".*/questions/.*"]

DEFAULT_POOL_SIZE = 1         # preheated kernels per module (60-120 MB each; 15 modules -> 15 kernels)
DEFAULT_CULL_IDLE = 300       # s a kernel may stay idle with no page connected
DEFAULT_CULL_INTERVAL = 30    # s between checks
DEFAULT_IOPUB_TIMEOUT = 120   # s
DEFAULT_UNCONNECTED_GRACE = 180  # s a kernel no page has connected to yet is safe from the culler
KERNEL_MANAGER = "h4s_kit.live.H4SKernelManager"


def _node_modules() -> Path:
    env = os.environ.get("H4S_NODE_MODULES")
    for c in ([Path(env)] if env else []) + [Path.cwd() / "node_modules", ASSETS.parents[1] / "node_modules"]:
        if (c / "@fortawesome" / "fontawesome-free" / "css" / "all.min.css").is_file():
            return c
    raise H4SError("node_modules/@fortawesome/fontawesome-free not found: run `npm ci` in the project folder "
                   "(the live pages self-host Font Awesome instead of loading it from jsDelivr)")


def prepare_template(data_dir: Path) -> Path:
    """Write ``<data_dir>/voila/templates/h4s`` (our template + Font Awesome); returns ``data_dir``.

    Put ``data_dir`` first on ``JUPYTER_PATH`` so that Voilà finds the template.
    """
    data_dir = Path(data_dir).resolve()
    dest = data_dir / "voila" / "templates" / TEMPLATE_NAME
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(TEMPLATE_SRC, dest)
    fa = _node_modules() / "@fortawesome" / "fontawesome-free"
    fa_dest = dest / "static" / "fontawesome"
    (fa_dest / "css").mkdir(parents=True, exist_ok=True)
    for css in ("all.min.css", "v4-shims.min.css"):
        shutil.copy2(fa / "css" / css, fa_dest / "css" / css)
    (fa_dest / "webfonts").mkdir(exist_ok=True)
    for font in (fa / "webfonts").iterdir():
        if font.suffix in (".woff2", ".woff", ".ttf"):   # what all.min.css asks modern browsers for
            shutil.copy2(font, fa_dest / "webfonts" / font.name)
    shutil.copy2(fa / "LICENSE.txt", fa_dest / "LICENSE.txt")
    return data_dir


#: the Voilà root of ``h4s serve`` and of the JupyterHub learner server, in the build folder (``_build/live``)
LIVE_ROOT = "live"
_LANG = re.compile(r"^[a-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})?$")     # a language folder of the live root
_FOLDER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")            # a module folder that may be linked


def language_of(path: str) -> str | None:
    """The language of a live page's notebook or kernel path relative to the live root (``de/13-x/module.ipynb``
    or ``de/13-x`` -> ``de``); None for the English modules at the top of the root."""
    parts = [p for p in str(path).replace(os.sep, "/").split("/") if p]
    return parts[0] if len(parts) >= 2 and _LANG.match(parts[0]) else None


def root_languages(root: Path) -> list[str]:
    """The languages with live pages in the Voilà root ``root`` (its ``LL/`` folders; see :func:`make_live_root`)."""
    root = Path(root)
    if not root.is_dir():
        return []
    return sorted(d.name for d in root.iterdir() if d.is_dir() and not d.is_symlink() and _LANG.match(d.name))


def make_live_root(root: Path, modules_dir: Path, languages: dict[str, Path]) -> Path:
    """Make the Voilà root ``root`` (``_build/live``): one relative symlink per module folder, the English modules
    of ``modules_dir`` at its top and the translated modules of each language (``languages``: language -> its
    translated modules folder, ``_build/lang/LL/src/modules``) in a folder ``LL/``.  Nothing else is in it, so a
    live page can reach module folders only; links are rewritten only when they change, stale ones removed.
    Returns ``root``."""
    root = Path(root)
    want: dict[Path, Path] = {}
    for lang, mods in sorted(languages.items()):
        if not _LANG.match(lang):
            raise H4SError(f"{lang!r}: not a language code (a folder of the live root is named by one)")
        for d in sorted(Path(mods).iterdir()) if Path(mods).is_dir() else []:
            if (d / "module.ipynb").is_file() and _FOLDER.match(d.name):
                want[Path(lang) / d.name] = d.resolve()
    for d in sorted(Path(modules_dir).iterdir()) if Path(modules_dir).is_dir() else []:
        if (d / "module.ipynb").is_file() and _FOLDER.match(d.name):
            if _LANG.match(d.name):
                raise H4SError(f"{d}: a module folder is named like a language code; rename it (NN-slug)")
            want[Path(d.name)] = d.resolve()
    root.mkdir(parents=True, exist_ok=True)
    langs = {rel.parts[0] for rel in want if len(rel.parts) == 2}
    for entry in sorted(root.iterdir()):
        if entry.is_symlink() and Path(entry.name) not in want:
            entry.unlink()
        elif entry.is_dir() and not entry.is_symlink():
            if entry.name not in langs:
                shutil.rmtree(entry)
                continue
            for link in entry.iterdir():
                if Path(entry.name, link.name) not in want:
                    link.unlink() if link.is_symlink() or not link.is_dir() else shutil.rmtree(link)
        elif not entry.is_symlink():
            entry.unlink()
    for rel, target in want.items():
        link = root / rel
        link.parent.mkdir(parents=True, exist_ok=True)
        dest = os.path.relpath(target, link.parent.resolve())
        if link.is_symlink() and os.readlink(link) == dest:
            continue
        if link.is_symlink() or link.is_file():
            link.unlink()
        elif link.is_dir():
            shutil.rmtree(link)
        link.symlink_to(dest, target_is_directory=True)
    return root


def build_live_root(out: Path, modules_dir: Path) -> Path:
    """``<out>/live`` for the build in ``out``: the English modules of ``modules_dir`` and the translated modules of
    every language book in ``<out>/html`` (:func:`make_live_root`)."""
    from .translate._book import language_books
    out = Path(out)
    langs = {lang: mods for lang, (_, mods) in language_books(out / "html").items()}
    return make_live_root(out / LIVE_ROOT, modules_dir, langs)


def served_root(html_dir: Path | None, modules_dir: Path) -> Path:
    """The Voilà root of a server of the book in ``html_dir``: the build's live root (``_build/live``, brought up to
    date with the modules and language books when the folder can be written), or, for a book that ``h4s build``
    did not make with one, the modules folder itself (English only)."""
    if html_dir is not None:
        out = Path(html_dir).resolve().parent
        if (out / LIVE_ROOT).is_dir():
            try:
                return build_live_root(out, modules_dir).resolve()
            except OSError:      # a read-only copy of the build (an image): served as h4s build made it
                return (out / LIVE_ROOT).resolve()
    return Path(modules_dir).resolve()


def voila_argv(root_or_notebook, port: int, host: str = "127.0.0.1", base_url: str = "/live/", *,
               pool_size: int = DEFAULT_POOL_SIZE, cull_idle_timeout: int = DEFAULT_CULL_IDLE,
               cull_interval: int = DEFAULT_CULL_INTERVAL, iopub_timeout: int = DEFAULT_IOPUB_TIMEOUT,
               book_modules_url: str = "/modules/", python: str | None = None,
               unconnected_grace: int = DEFAULT_UNCONNECTED_GRACE) -> list[str]:
    """The command that starts Voilà for learners on ``host:port`` under ``base_url``.

    ``root_or_notebook``: the modules folder (pages at ``<base_url>voila/render/<folder>/module.ipynb``)
    or one notebook.  ``book_modules_url``: where the book's module pages are, for the link back.
    """
    if not base_url.startswith("/") or not base_url.endswith("/"):
        raise H4SError(f"base_url {base_url!r} must start and end with '/'")
    target = Path(root_or_notebook).resolve()
    if not target.exists():
        raise H4SError(f"{target} does not exist")
    kernel_env = {"H4S_LIVE": "1"}
    argv = [
        python or sys.executable, "-m", "voila", str(target),
        "--no-browser",
        f"--port={int(port)}",
        f"--Voila.ip={host}",
        f"--Voila.base_url={base_url}",
        f"--template={TEMPLATE_NAME}",
        "--theme=light",
        "--strip_sources=True",
        "--show_tracebacks=False",
        # (lists and dicts in the traitlets 5 form: one option per item)
        *[f"--VoilaConfiguration.file_allowlist={p}" for p in MEDIA_ALLOWLIST],
        *[f"--VoilaConfiguration.file_denylist={p}" for p in DENYLIST],
        f"--VoilaConfiguration.resources=h4s_book_modules={book_modules_url}",
        f"--VoilaExecutor.iopub_timeout={int(iopub_timeout)}",
        f"--MappingKernelManager.cull_idle_timeout={int(cull_idle_timeout)}",
        f"--MappingKernelManager.cull_interval={int(cull_interval)}",
        "--MappingKernelManager.cull_connected=False",
        f"--VoilaConfiguration.multi_kernel_manager_class={KERNEL_MANAGER}",
        f"--H4SKernelManager.unconnected_grace={int(unconnected_grace)}",
    ]
    if pool_size > 0:
        argv += ["--preheat_kernel=True", f"--pool_size={int(pool_size)}",
                 *[f"--VoilaKernelManager.default_env_variables={k}={v}" for k, v in kernel_env.items()]]
    return argv


def voila_env(data_dir: Path, base: dict | None = None, records: str | None = None) -> dict:
    """Environment of the Voilà process: our template on JUPYTER_PATH, H4S_LIVE=1 (inherited by kernels)."""
    env = dict(os.environ if base is None else base)
    old = env.get("JUPYTER_PATH")
    env["JUPYTER_PATH"] = str(data_dir) + (os.pathsep + old if old else "")
    env["H4S_LIVE"] = "1"
    if records is not None:
        env["H4S_RECORDS"] = records
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    return env


def book_page_for(live_path: str, book_modules_url: str = "/modules/") -> str:
    """``01-x/module.ipynb`` -> ``/modules/01-x/module.html`` (the module's page in the book)."""
    folder = live_path.strip("/").split("/")[0]
    return f"{book_modules_url}{folder}/module.html"


def ephemeral_range(path: str = "/proc/sys/net/ipv4/ip_local_port_range") -> tuple[int, int]:
    """The ports the OS hands out for outgoing connections (Linux default 32768-60999)."""
    try:
        lo, hi = (int(x) for x in Path(path).read_text().split()[:2])
        return lo, hi
    except (OSError, ValueError):
        return 32768, 60999


def kernel_port_range(ephemeral: tuple[int, int] | None = None) -> tuple[int, int]:
    """Where kernel ports are picked: below the ephemeral range when it leaves room, else above it."""
    lo, hi = ephemeral or ephemeral_range()
    if lo - 1 - 10000 >= 2000:
        return 10000, lo - 1
    return (hi + 1, 65535) if 65535 - hi >= 2000 else (1024, 65535)


def _kernel_ports_outside_ephemeral_range() -> None:
    """jupyter_client picks a kernel's five ports by binding port 0 and closing the socket, that is from
    the ephemeral range that every outgoing connection also draws from.  Under load (25 learners opening
    pages, each kernel connecting back) another connection can take a port before the new kernel binds
    it (jupyter_client issue 487): the kernel dies with "Address already in use" and the Voilà page that
    waits for it never finishes.  In the Voilà process h4s serve starts, ports are picked at random from
    :func:`kernel_port_range` instead, still checked by binding and still kept apart per kernel."""
    import random
    import socket

    from jupyter_client.connect import LocalPortCache

    if getattr(LocalPortCache, "_h4s_ports", False):
        return
    lo, hi = kernel_port_range()

    def find_available_port(self, ip: str) -> int:
        for _ in range(200):
            port = random.randint(lo, hi)
            if port in self.currently_used_ports:
                continue
            with socket.socket() as probe:
                try:
                    probe.bind((ip, port))
                except OSError:
                    continue
            self.currently_used_ports.add(port)
            return port
        return _original(self, ip)   # a crowded range: jupyter_client's own way

    _original = LocalPortCache.find_available_port
    LocalPortCache.find_available_port = find_available_port
    LocalPortCache._h4s_ports = True


def _learner_of_current_request() -> str | None:
    """The learner of the request being handled (jupyter_server keeps the handler in its ``CallContext``
    for the task that handles the request: the Voilà page that starts a kernel)."""
    from jupyter_server.base.call_context import CallContext

    from .identity import learner_of
    handler = CallContext.get(CallContext.JUPYTER_HANDLER)
    return learner_of(getattr(handler, "current_user", None)) if handler is not None else None


def _set_language(env: dict, path: str | None) -> None:
    """A kernel of a language's live page (its path is below ``LL/`` of the live root) gets ``H4S_LANG=LL``: the
    quiz interface in that language, as in that language's book."""
    lang = language_of(path or "")
    if lang:
        env["H4S_LANG"] = lang


def _make_kernel_manager():
    """Build :class:`H4SKernelManager` (on first use, so that importing this module stays light)."""
    import asyncio
    import time

    _kernel_ports_outside_ephemeral_range()

    from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
    from traitlets import Float

    from .server._messages import kernel_env

    class H4SKernelManager(AsyncMappingKernelManager):
        """jupyter_server's kernel manager for live pages: every kernel belongs to the learner whose page
        started it (:meth:`owner_of`), gets an environment without secrets, and the culler spares
        kernels no page has connected to yet.

        A Voilà page starts (or takes) a kernel, runs the notebook in it, and only then does the
        browser connect.  Until that first connection the kernel is "idle with 0 connections", so a
        short cull window can kill it mid-render when the machine is busy.  Such kernels are culled
        only once they are older than ``unconnected_grace``; kernels that had a page connected are
        culled as usual, ``cull_idle_timeout`` after their last activity.
        """

        unconnected_grace = Float(DEFAULT_UNCONNECTED_GRACE, config=True,
                                  help="Seconds a kernel that no page has connected to is safe from culling")

        def __init__(self, **kw):
            super().__init__(**kw)
            self._h4s_started: dict[str, float] = {}
            self._h4s_connected: set[str] = set()
            self._h4s_owner: dict[str, str] = {}
            self._h4s_spares: dict[str, list[str]] = {}

        async def start_kernel(self, *args, **kwargs):
            # the kernel of a live page: the server's environment without its secrets, and H4S_LIVE=1 (quizzes
            # leave out their static fallback, so no key reaches the browser)
            env = kernel_env(dict(os.environ if kwargs.get("env") is None else kwargs["env"]))
            env["H4S_LIVE"] = "1"
            _set_language(env, kwargs.get("path"))
            kwargs["env"] = env
            _kernel_ports_outside_ephemeral_range()    # (idempotent)
            owner = _learner_of_current_request()
            spares = self._h4s_spares.get(kwargs.get("path") or "")
            if spares and kwargs.get("kernel_id") is None and owner:
                kernel_id = spares.pop(0)        # a preheated kernel of this module: the page needs not wait
                self._h4s_owner[kernel_id] = owner
                self._h4s_started[kernel_id] = time.monotonic()
                asyncio.ensure_future(self.preheat(kwargs["path"], kwargs.get("kernel_name")))
                return kernel_id
            kernel_id = await super().start_kernel(*args, **kwargs)
            self._h4s_started.setdefault(kernel_id, time.monotonic())
            if owner:
                self._h4s_owner.setdefault(kernel_id, owner)
            return kernel_id

        async def preheat(self, path: str, kernel_name: str | None = None) -> str:
            """Start a spare kernel for the live pages of the module at ``path`` (relative to the root): the
            next page of that module takes it instead of waiting for a kernel to start (the notebook still
            runs when the page is asked for).  Spares are never culled; a taken spare is replaced."""
            _kernel_ports_outside_ephemeral_range()
            env = kernel_env(dict(os.environ))
            env["H4S_LIVE"] = "1"
            _set_language(env, path)
            kwargs = {"path": path, "env": env}
            if kernel_name:
                kwargs["kernel_name"] = kernel_name
            kernel_id = await super().start_kernel(**kwargs)
            self._h4s_spares.setdefault(path, []).append(kernel_id)
            return kernel_id

        def spare_kernels(self) -> dict[str, list[str]]:
            return {path: list(ids) for path, ids in self._h4s_spares.items() if ids}

        def owner_of(self, kernel_id: str) -> str | None:
            """The learner whose live page started ``kernel_id`` (None: started by no learner's request)."""
            return self._h4s_owner.get(kernel_id)

        def notify_connect(self, kernel_id):
            self._h4s_connected.add(kernel_id)
            super().notify_connect(kernel_id)

        async def cull_kernel_if_idle(self, kernel_id):
            if any(kernel_id in ids for ids in self._h4s_spares.values()):
                return None
            if kernel_id not in self._h4s_connected:
                started = self._h4s_started.get(kernel_id)
                if started is not None and time.monotonic() - started < self.unconnected_grace:
                    return None
            return await super().cull_kernel_if_idle(kernel_id)

        async def shutdown_kernel(self, kernel_id, *args, **kwargs):
            try:
                return await super().shutdown_kernel(kernel_id, *args, **kwargs)
            finally:
                self._h4s_started.pop(kernel_id, None)
                self._h4s_connected.discard(kernel_id)
                self._h4s_owner.pop(kernel_id, None)
                for ids in self._h4s_spares.values():
                    if kernel_id in ids:
                        ids.remove(kernel_id)

    return H4SKernelManager


def __getattr__(name: str):
    # Voilà imports "h4s_kit.live.H4SKernelManager" (VoilaConfiguration.multi_kernel_manager_class)
    if name == "H4SKernelManager":
        cls = _make_kernel_manager()
        globals()[name] = cls
        return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""An operating-system sandbox for learners' code: Debian's bubblewrap (``bwrap``) plus resource limits.

``sandbox_command(argv)`` wraps a command so that it runs

* with no network (its own network namespace: ``--unshare-all``), its own PID, IPC, UTS and user
  namespaces (and no nested ones: ``--disable-userns``), as uid/gid 65534 without capabilities, in a
  new session, and dies with its parent (``--die-with-parent``);
  when the sandboxed process ends, its PID namespace ends and every process it started is killed;
* in a private filesystem: only the Python runtime read-only (the libraries under ``/usr/lib``, the
  interpreter's prefix and base prefix, so a virtual environment's packages work but cannot be
  changed), the harness script read-only, a fresh ``/proc`` of its own namespace, a minimal ``/dev``
  and an empty writable ``/tmp`` as working directory.  No ``/etc``, no ``/usr/bin`` (no shell to
  start), nothing of the project, of ``H4S_DATA_DIR`` or of the home folder;
* with a clean environment built from an allowlist (no secrets: nothing of the server's environment
  is passed on);
* under rlimits (:func:`limits_preexec`): CPU seconds, address space (``memory_mb``), file size,
  open files, no core files;
* without new processes: a seccomp filter (:func:`no_fork_filter`) lets ``clone`` make threads only
  (``RLIMIT_NPROC`` alone does not bind a server running as root); should one start anyway, the PID
  namespace ends it with the run.

``H4S_SANDBOX`` chooses: ``auto`` (default: the sandbox when bwrap works, otherwise a plain child
process with the same limits and a one-time warning, except in a served live kernel, ``H4S_LIVE=1``,
where code is refused), ``require`` (refuse code without the sandbox) or ``off`` (never the sandbox:
authoring on one's own machine, ``h4s serve --single-user``, tests).
"""
from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path

from ._errors import SandboxUnavailable  # noqa: F401  (defined with the other errors; imported from here too)

#: the uid and gid learner code runs as inside the sandbox
NOBODY = 65534
#: where the harness script appears inside the sandbox
HARNESS_IN_SANDBOX = "/h4s/_harness.py"


@dataclass(frozen=True)
class Limits:
    """rlimits of one sandboxed process (the wall time is the caller's: it kills the process)."""
    cpu_s: int = 6
    memory_mb: int = 512
    file_mb: int = 16
    nofile: int = 64


def mode() -> str:
    """``auto``, ``require`` or ``off`` (from ``H4S_SANDBOX``; anything else counts as ``require``)."""
    m = os.environ.get("H4S_SANDBOX", "auto").strip().lower() or "auto"
    return m if m in ("auto", "off", "require") else "require"


def _bwrap() -> str | None:
    return shutil.which("bwrap") or (os.path.exists("/usr/bin/bwrap") and "/usr/bin/bwrap") or None


def _ro_paths() -> list[str]:
    """What the interpreter needs, read-only: libraries and the prefixes (a venv needs both)."""
    paths = []
    for p in ("/usr/lib", "/usr/lib64", "/usr/lib32", "/usr/share/zoneinfo"):
        if os.path.isdir(p):
            paths.append(p)
    exe = os.path.realpath(sys.executable)
    for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, os.path.dirname(exe)):
        p = os.path.realpath(p)
        if p in _SYSTEM_BIN or p == "/":
            continue                        # the interpreter's own file is bound on its own (_exe_binds)
        if p in ("/usr", "/usr/local"):
            p += "/lib"                     # a system Python: its libraries, not /usr/bin with its shell
        if os.path.isdir(p) and p not in paths and not any(p == q or p.startswith(q + "/") for q in paths):
            paths.append(p)
    if any(e.startswith("/usr/local/lib/") for e in sys.path) and os.path.isdir("/usr/local/lib") \
            and "/usr/local/lib" not in paths:
        paths.append("/usr/local/lib")      # a system Python's pip packages (Debian: /usr/local/lib/python3.X)
    return paths


_SYSTEM_BIN = ("/usr/bin", "/bin", "/usr/local/bin", "/usr/sbin", "/sbin")


def _exe_binds() -> list[str]:
    exe = os.path.realpath(sys.executable)
    return ["--ro-bind", exe, exe] if os.path.dirname(exe) in _SYSTEM_BIN else []


#: (audit arch, clone, fork, vfork, clone3) by machine; other machines get no seccomp filter (rlimits only)
_SYSCALLS = {"x86_64": (0xC000003E, 56, 57, 58, 435), "aarch64": (0xC00000B7, 220, None, None, 435)}


def no_fork_filter() -> bytes | None:
    """A seccomp program (classic BPF, as ``bwrap --seccomp FD`` reads it) that refuses new processes.

    ``clone`` is allowed only with ``CLONE_THREAD`` (threads), ``fork``/``vfork`` fail with EPERM, ``clone3``
    with ENOSYS (so that the C library falls back to ``clone`` for threads), system calls of another ABI
    (x32, i386) with EPERM.  The process-count rlimit does not bind a server that runs as root; this does."""
    import platform
    import struct
    spec = _SYSCALLS.get(platform.machine())
    if spec is None:
        return None
    arch, clone, fork, vfork, clone3 = spec
    ld, jeq, jge, jset, ret = 0x20, 0x15, 0x35, 0x45, 0x06
    allow, deny, nosys = 0x7FFF0000, 0x00050000 | 1, 0x00050000 | 38
    other = [n for n in (fork, vfork) if n is not None]
    # layout: 0 arch, 1 check, 2 nr, 3 x32, 4 clone?, [fork/vfork], clone3?, allow, clone flags ..., deny, nosys
    n_other = len(other)
    i_allow = 6 + n_other
    i_flags = i_allow + 1
    i_deny = i_flags + 3
    i_nosys = i_deny + 1
    prog = [(ld, 0, 0, 4),
            (jeq, 0, i_deny - 2, arch),
            (ld, 0, 0, 0),
            (jge, i_deny - 4, 0, 0x40000000),
            (jeq, i_flags - 5, 0, clone)]
    for k, nr in enumerate(other):
        pc = 5 + k
        prog.append((jeq, i_deny - (pc + 1), 0, nr))
    pc = 5 + n_other
    prog.append((jeq, i_nosys - (pc + 1), 0, clone3))
    prog += [(ret, 0, 0, allow),
             (ld, 0, 0, 16),                  # clone's flags (low 32 bits of the first argument)
             (jset, 0, 1, 0x00010000),        # CLONE_THREAD
             (ret, 0, 0, allow),
             (ret, 0, 0, deny),
             (ret, 0, 0, nosys)]
    assert len(prog) == i_nosys + 1
    return b"".join(struct.pack("=HBBI", *ins) for ins in prog)


def seccomp_fd() -> int | None:
    """A pipe's read end holding :func:`no_fork_filter` (for ``bwrap --seccomp``); the caller closes it."""
    prog = no_fork_filter()
    if prog is None:
        return None
    r, w = os.pipe()
    os.write(w, prog)
    os.close(w)
    return r


def sandbox_command(argv: list[str], harness: str | Path, workdir_mb: int = 16, seccomp: int | None = None,
                    hardened: bool | None = None) -> list[str]:
    """``argv`` (starting with ``sys.executable``) wrapped in bwrap; ``harness`` is bound at HARNESS_IN_SANDBOX;
    ``seccomp``: a file descriptor with a seccomp program (pass it to the child too); ``hardened``: no nested
    user namespaces (``--disable-userns``; by default when the probe found it works)."""
    bwrap = _bwrap()
    if not bwrap:
        raise SandboxUnavailable("bubblewrap (bwrap) is not installed")
    cmd = [bwrap, "--unshare-all", "--die-with-parent", "--new-session", "--uid", str(NOBODY), "--gid",
           str(NOBODY), "--cap-drop", "ALL", "--clearenv"]
    if _hardened if hardened is None else hardened:
        cmd += ["--unshare-user", "--disable-userns"]     # no namespaces of its own (and no capabilities in them)
    if seccomp is not None:
        cmd += ["--seccomp", str(seccomp)]
    for p in _ro_paths():
        cmd += ["--ro-bind", p, p]
    cmd += _exe_binds()
    for link, target in (("/lib", "usr/lib"), ("/lib64", "usr/lib64")):
        if os.path.isdir("/usr/" + target.split("/", 1)[1]):
            cmd += ["--symlink", target, link]
    cmd += ["--ro-bind", str(harness), HARNESS_IN_SANDBOX,
            "--proc", "/proc", "--dev", "/dev",
            "--size", str(workdir_mb << 20), "--tmpfs", "/tmp", "--chdir", "/tmp"]
    for k, v in clean_env(sandboxed=True).items():
        cmd += ["--setenv", k, v]
    return cmd + ["--"] + argv


def clean_env(sandboxed: bool) -> dict[str, str]:
    """The child's whole environment: an allowlist, never the server's secrets."""
    env = {"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PYTHONIOENCODING": "utf-8", "MPLBACKEND": "Agg",
           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "PYTHONDONTWRITEBYTECODE": "1"}
    if sandboxed:
        env.update(PATH="/nonexistent", HOME="/tmp", MPLCONFIGDIR="/tmp", TMPDIR="/tmp")
    else:
        import tempfile
        env.update(PATH=os.defpath, HOME=tempfile.gettempdir())
        if os.name == "nt":   # Windows needs these to start Python at all
            for k in ("SYSTEMROOT", "SYSTEMDRIVE", "TEMP", "TMP"):
                if k in os.environ:
                    env[k] = os.environ[k]
    return env


def limits_preexec(lim: Limits):
    """A ``preexec_fn`` setting the rlimits (POSIX only; ``None`` elsewhere)."""
    try:
        import resource
    except ImportError:
        return None

    def apply():
        mb = 1 << 20
        for name, value in (("RLIMIT_CPU", lim.cpu_s), ("RLIMIT_AS", lim.memory_mb * mb),
                            ("RLIMIT_FSIZE", lim.file_mb * mb), ("RLIMIT_NOFILE", lim.nofile),
                            ("RLIMIT_CORE", 0)):
            res = getattr(resource, name, None)
            if res is None:
                continue
            try:
                resource.setrlimit(res, (value, value))
            except (ValueError, OSError):
                pass
    return apply


@functools.lru_cache(maxsize=1)
def _probe() -> tuple[bool, str]:
    if os.name != "posix" or sys.platform == "darwin":
        return False, f"bubblewrap needs Linux (this is {sys.platform})"
    if not _bwrap():
        return False, "bubblewrap (bwrap) is not installed (Debian/Ubuntu: apt-get install bubblewrap)"
    global _hardened
    here = Path(__file__).with_name("_harness.py")
    for with_filter in (True, False):
        fd = seccomp_fd() if with_filter else None
        cmd = sandbox_command([sys.executable, "-I", "-S", "-c", "import os; print(os.getuid())"], here, seccomp=fd,
                              hardened=with_filter)
        try:
            p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=20,
                               pass_fds=(fd,) if fd is not None else ())
        except (OSError, subprocess.SubprocessError) as e:
            return False, f"bwrap cannot start ({type(e).__name__})"
        finally:
            if fd is not None:
                os.close(fd)
        if p.returncode == 0 and p.stdout.strip() == str(NOBODY).encode():
            _hardened = with_filter
            return True, "bubblewrap works" + ("" if with_filter else
                                               " (without the seccomp filter and --disable-userns)")
        err = " ".join(p.stderr.decode("utf-8", "replace").split())[:200]
    return False, f"bwrap cannot create a sandbox here (user namespaces disabled?): {err or p.returncode}"


#: whether bwrap accepted the no-fork seccomp filter and --disable-userns (set by the probe)
_hardened = False


def use_seccomp() -> bool:
    return sandbox_available()[0] and _hardened and no_fork_filter() is not None


def sandbox_available() -> tuple[bool, str]:
    """``(True, "...")`` when bwrap can start a sandbox on this machine; else ``(False, reason)``."""
    return _probe()


_warned = False
_local = threading.local()


def mark_serving_thread() -> None:
    """Called in the server's code-run workers: there ``auto`` means ``require`` (the code is other people's)."""
    _local.serving = True


def serve_notice(single_user: bool = False) -> str:
    """The line ``h4s serve`` prints at start; with ``single_user`` and no sandbox, sets ``H4S_SANDBOX=off``."""
    if mode() == "off":
        return ("h4s serve: warning: H4S_SANDBOX=off: learners' code runs WITHOUT a sandbox; serve only yourself "
                "like this")
    ok, why = sandbox_available()
    if ok:
        return "h4s serve: learners' code runs in a bubblewrap sandbox (no network, private read-only files)"
    if single_user:
        os.environ["H4S_SANDBOX"] = "off"
        return (f"h4s serve: warning: no sandbox for code exercises ({why}); --single-user: they run without one, "
                "so serve only yourself (keep --host 127.0.0.1)")
    os.environ["H4S_SANDBOX"] = "require"
    return (f"h4s serve: code exercises are refused: no sandbox ({why}); install bubblewrap, or start "
            "`h4s serve --single-user` to run them without a sandbox for yourself only")


def use_sandbox() -> bool:
    """Whether the next code run goes into the sandbox; raises :class:`SandboxUnavailable` when it must but cannot."""
    global _warned
    m = mode()
    if m == "off":
        return False
    ok, why = sandbox_available()
    if ok:
        return True
    if m == "require" or os.environ.get("H4S_LIVE") == "1" or getattr(_local, "serving", False):
        raise SandboxUnavailable(f"code exercises cannot be run safely on this server: {why}; "
                                 "tell your trainer (h4s serve --single-user runs them without a sandbox "
                                 "for one person on their own machine)")
    if not _warned:
        _warned = True
        warnings.warn(f"h4s: code exercises run without a sandbox on this machine ({why}); fine for your own "
                      "code, not for other people's", RuntimeWarning, stacklevel=3)
    return False

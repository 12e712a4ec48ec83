"""Step 6: every notebook runs top to bottom (nbclient), in parallel over ``jobs`` processes.

- working folder = the module folder; ``H4S_RECORDS=off`` and ``H4S_MODULE_ID`` in the kernel's environment;
- a timeout per cell (``--timeout``);
- papermill parameters: a cell tagged ``parameters`` keeps its defaults; ``-p name value`` values are injected
  after it with papermill's ``parameterize_notebook`` (cell numbers in messages are those of the saved notebook);
- the failing cell is reported as ``module.ipynb:cell 7: NameError: name 'x' is not defined``; a cell marked to
  raise (``# NBVAL_RAISES_EXCEPTION``, tags ``raises-exception``, ``nbval-raises-exception``) may raise;
- as under ``pytest --nbval-lax``, a cell that raises does not stop the run: the later cells run in the same
  kernel, and nbval's lax verdicts on this one execution (:mod:`.nbval_lax`) go to the nbval step, which
  then does not have to run the notebook again;
- pictures in the executed outputs that did not come from ``show_figure`` are reported (accessibility).
"""
from __future__ import annotations

import os
import re
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from h4s_kit.modules import Module

from . import Context, Finding, Step

IMAGE_MIMES = ("image/png", "image/jpeg", "image/gif", "image/svg+xml", "image/webp")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def parse_param_value(text: str) -> Any:
    """A ``-p name value`` value as papermill's CLI reads it: bool, None, int, float, else the text."""
    if text in ("True", "true"):
        return True
    if text in ("False", "false"):
        return False
    if text in ("None", "none", "null"):
        return None
    for conv in (int, float):
        try:
            return conv(text)
        except ValueError:
            pass
    return text


def _one_line(text: str, n: int = 300) -> str:
    text = " ".join(_ANSI.sub("", str(text)).split())
    return text if len(text) <= n else text[: n - 3] + "..."


def parameterized(nb: Any, params: dict | None) -> tuple[Any, int | None]:
    """``nb`` with papermill's injected-parameters cell (after the cell tagged ``parameters``) and its index.

    Without ``params`` the notebook is returned as it is: the ``parameters`` cell keeps its defaults.
    """
    if not params:
        return nb, None
    from papermill.parameterize import parameterize_notebook
    # papermill expects what its own reader adds: metadata.tags on every cell, metadata.papermill
    for cell in nb.cells:
        cell.metadata.setdefault("tags", [])
    nb.metadata.setdefault("papermill", {})
    nb = parameterize_notebook(nb, dict(params), kernel_name="python3", language="python")
    injected = next((i for i, c in enumerate(nb.cells) if "injected-parameters" in c.metadata.get("tags", [])), None)
    return nb, injected


_CLIENT: Any = None


def _client_class() -> Any:
    """nbclient's ``NotebookClient`` whose wait for a new kernel skips jupyter_client's fixed 0.2 s of idle.

    ``KernelClient.wait_for_ready`` asks for ``kernel_info`` until it is answered and an IOPub message shows
    that IOPub is connected, then waits until IOPub has been quiet for 0.2 s, which is idle time for every
    notebook.  The leftover messages answer ``kernel_info``; nbclient ignores messages that answer
    anything but the request it waits for, so this client keeps the first two waits and drops the third.
    """
    global _CLIENT
    if _CLIENT is None:
        from queue import Empty

        from nbclient import NotebookClient
        from nbclient.util import ensure_async, run_hook

        class QuickStartClient(NotebookClient):
            async def async_start_new_kernel_client(self):  # type: ignore[override]
                assert self.km is not None
                self.kc = self.km.client()
                try:
                    await ensure_async(self.kc.start_channels())
                    deadline = time.monotonic() + self.startup_timeout
                    while True:
                        self.kc.kernel_info()
                        try:
                            msg = await ensure_async(self.kc.shell_channel.get_msg(timeout=1))
                        except Empty:
                            msg = None
                        if msg is not None and msg["msg_type"] == "kernel_info_reply":
                            try:
                                await ensure_async(self.kc.iopub_channel.get_msg(timeout=0.2))
                                break  # IOPub is connected
                            except Empty:
                                pass
                        if not await ensure_async(self.kc.is_alive()):
                            raise RuntimeError("Kernel died before replying to kernel_info")
                        if time.monotonic() > deadline:
                            raise RuntimeError(f"Kernel didn't respond in {self.startup_timeout} seconds")
                except Exception:
                    await self._async_cleanup_kernel()
                    raise
                self.kc.allow_stdin = False
                await run_hook(self.on_notebook_start, notebook=self.nb)
                return self.kc

        _CLIENT = QuickStartClient
    return _CLIENT


def execute_notebook(nb_path: str, folder: str, module_id: str, params: dict | None = None,
                     timeout: float = 120, quiet: bool = False) -> dict:
    """Run one notebook; a plain dict comes back (it crosses a process boundary).

    ``{"ok", "seconds", "cell" (1-based, saved notebook), "injected" (the failing cell is the injected
    parameters), "error" (one line), "images" (cells showing pictures), "nbval", "nbval_needs",
    "injected_index"}``

    A cell that raises does not stop the run (as under ``pytest --nbval-lax``): the notebook fails on
    the first cell that raised unless that cell is marked to raise (``# NBVAL_RAISES_EXCEPTION``, tags
    ``raises-exception``, ``nbval-raises-exception``), and the later cells still run so that
    ``"nbval"`` can hold nbval's lax verdict for every cell of this one execution (see
    :mod:`.nbval_lax`; None when the kernel did not start); ``"nbval_needs"`` says why nbval itself must
    run the notebook (:func:`.nbval_lax.needs_real_nbval`), or is None.  A time-out or a dead kernel stops the run.
    """
    import copy

    import nbformat
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    from .nbval_lax import lax_failures, needs_real_nbval, raises_exception

    if quiet:  # a pool worker: keep the kernel's own log lines (it inherits fd 2) off the terminal
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
    t0 = time.perf_counter()
    result: dict = {"ok": False, "seconds": 0.0, "cell": None, "injected": False, "error": None, "images": [],
                    "nbval": None, "injected_index": None}
    nb = nbformat.read(nb_path, as_version=4)
    result["nbval_needs"] = needs_real_nbval(nb, Path(folder))  # here, so the main process need not import nbval
    nb, injected = parameterized(nb, params)
    result["injected_index"] = injected
    saved = [copy.deepcopy(c) for c in nb.cells]  # outputs and execution counts as saved, for nbval's checks

    def saved_number(index: int) -> int:
        return index + 1 - (1 if injected is not None and index > injected else 0)

    current: dict = {"index": None}
    replies: dict = {}

    def on_start(cell=None, cell_index=None, **_: Any) -> None:
        current["index"] = cell_index

    def on_executed(cell=None, cell_index=None, execute_reply=None, **_: Any) -> None:
        if execute_reply is not None:
            replies[cell_index] = dict(execute_reply.get("content", {}))

    env = dict(os.environ, H4S_RECORDS="off", H4S_MODULE_ID=module_id, PYTHONDONTWRITEBYTECODE="1")
    env.pop("H4S_LIVE", None)
    env.pop("MPLBACKEND", None)
    # allow_errors: every cell runs, as under nbval; which errors count is decided below.  The kernel is
    # killed at the end instead of asked to stop (records are off; saves ~0.3 s of waiting per notebook),
    # and the kernel is ready without 0.2 s of idle (_client_class).
    client = _client_class()(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                            shutdown_kernel="immediate", resources={"metadata": {"path": folder}},
                            on_cell_start=on_start, on_cell_executed=on_executed)
    stopped: tuple | None = None
    try:
        client.execute(env=env)
        result["ok"] = True
    except (CellTimeoutError, TimeoutError):
        result["error"] = f"the cell ran longer than {timeout:g} s (the time limit per cell)"
        stopped = (current["index"], f"Timeout of {timeout:g} seconds exceeded executing cell")
    except DeadKernelError as e:
        result["error"] = f"the Python kernel died ({_one_line(e, 120)}); the cell may use too much memory"
        stopped = (current["index"], result["error"])
    except Exception as e:  # no kernel, kernel start failure, ...
        result["error"] = f"the notebook could not be run: {type(e).__name__}: {_one_line(e)}"
        current["index"] = None
    if result["ok"]:
        for idx in sorted(replies):
            reply = replies[idx]
            if reply.get("status") == "error" and not raises_exception(saved[idx]):
                ename = reply.get("ename")
                result["ok"] = False
                result["error"] = f"{ename}: {_one_line(reply.get('evalue', ''))}" if ename else \
                    _one_line(reply.get("evalue") or "the cell failed")
                current["index"] = idx
                break
    if not result["ok"] and current["index"] is not None:
        idx = current["index"]
        result["injected"] = injected is not None and idx == injected
        result["cell"] = saved_number(idx)
    if current["index"] is not None or result["ok"]:  # the cells ran: nbval's verdicts on this execution
        result["nbval"] = lax_failures(saved, nb.cells, replies, stopped)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or i == injected or (i not in replies and i != current["index"]):
            continue
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            if any(m in data for m in IMAGE_MIMES):
                result["images"].append(saved_number(i))
                break
    result["seconds"] = round(time.perf_counter() - t0, 2)
    return result


class ExecuteStep(Step):
    name = "execute"
    executes = True

    _pool: ProcessPoolExecutor | None = None
    _futures: dict = {}

    def start(self, modules: list[Module], ctx: Context) -> None:
        """Start the notebooks running in the background (``run_check`` calls it before the static steps,
        so that starting the worker processes and the first kernels overlaps with them)."""
        todo = [m for m in modules if m.nb is not None]
        if not todo or self._pool is not None:
            return
        workers = max(1, min(ctx.jobs, len(todo)))
        import multiprocessing
        mp = multiprocessing.get_context("spawn")
        # longest first (by code to run), so that no long notebook starts last while the other workers idle
        order = sorted(todo, key=lambda m: -sum(len(c.source) + 200 for c in m.cells if c.cell_type == "code"))
        self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=mp)
        self._futures = {self._pool.submit(execute_notebook, str(m.notebook_path), str(m.folder), m.id, ctx.params,
                                           ctx.timeout, True): m for m in order}

    def stop(self) -> None:
        """Cancel what has not started and wait for the rest (after an error in another step)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool, self._futures = None, {}

    def prepare(self, modules: list[Module], ctx: Context) -> None:
        self.start(modules, ctx)
        if self._pool is None:
            return
        futures, n = self._futures, len(self._futures)
        try:
            done = 0
            for fut in as_completed(futures):
                m = futures[fut]
                done += 1
                try:
                    res = fut.result()
                except Exception as e:  # the worker itself broke
                    res = {"ok": False, "seconds": None, "cell": None, "injected": False, "images": [],
                           "error": f"the notebook could not be run: {type(e).__name__}: {_one_line(e)}"}
                ctx.put("execute", m, res)
                secs = f" {res['seconds']:.1f} s" if res.get("seconds") is not None else ""
                state = "ok" if res["ok"] else f"FAILED (cell {res['cell']}: {res['error']})" if res["cell"] \
                    else f"FAILED ({res['error']})"
                ctx.say(f"[{done}/{n}] executing {m.id} ... {state}{secs}")
        finally:
            self.stop()

    def run(self, module: Module, ctx: Context) -> list[Finding]:
        res = ctx.get("execute", module)
        if not res:
            return []
        out: list[Finding] = self._parameter_names(module, ctx)
        if not res["ok"]:
            if res["cell"]:
                place = module.cell_place(res["cell"])
                if res["injected"]:
                    place += " (parameters given with -p)"
                    fix = "check the -p names and values given to h4s check"
                else:
                    fix = (f"open module.ipynb in JupyterLab, choose Kernel > Restart Kernel and Run All Cells and "
                           f"correct cell {res['cell']}; the notebook must run top to bottom in its own folder "
                           f"without network")
            else:
                place = module.nb_place
                fix = "run the notebook in JupyterLab with Kernel > Restart Kernel and Run All Cells"
            out.append(self.error(module, place, res["error"], fix))
        from .accessibility import AccessibilityStep  # pictures seen only when the notebook runs
        a11y = AccessibilityStep()
        already = ctx.get("image_outputs", module) or set()
        for n in res.get("images", []):
            if n not in already:
                out.append(a11y._figure_finding(module, n))
        return out

    def _parameter_names(self, module: Module, ctx: Context) -> list[Finding]:
        """Warn when -p names a parameter that the cell tagged ``parameters`` does not set."""
        if not ctx.params:
            return []
        import ast

        from h4s_kit.modules import parse_cell
        cells = [(n, c) for n, c in enumerate(module.cells, start=1)
                 if c.cell_type == "code" and "parameters" in c.get("metadata", {}).get("tags", [])]
        if not cells:
            return [self.warning(
                module, module.nb_place, "the notebook has no cell tagged 'parameters'; the -p values were put "
                                         "before the first cell",
                "in JupyterLab select the cell that sets the defaults, open the property inspector and add the tag "
                "parameters")]
        n, cell = cells[0]
        try:
            tree = parse_cell(cell.source)
        except SyntaxError:
            return []
        names = {t.id for node in ast.walk(tree) if isinstance(node, (ast.Assign, ast.AnnAssign))
                 for t in (node.targets if isinstance(node, ast.Assign) else [node.target]) if isinstance(t, ast.Name)}
        return [self.warning(
            module, module.cell_place(n), f"-p {name} is given but the parameters cell does not set '{name}'",
            f"check the spelling; the parameters cell sets: {', '.join(sorted(names)) or 'nothing'}")
            for name in ctx.params if name not in names]

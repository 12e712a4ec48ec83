"""nbval's ``--nbval-lax`` verdicts, applied to the one execution of the execute step.

``pytest --nbval-lax`` runs every code cell of a notebook in one kernel, in order, and fails a cell when

1. it raised an exception, unless it is marked ``# NBVAL_RAISES_EXCEPTION`` (or tagged
   ``raises-exception`` / ``nbval-raises-exception``);
2. the saved notebook has outputs for it but no execution count ("Unrun reference cell has outputs");
3. it is marked ``# NBVAL_CHECK_OUTPUT`` (or tagged ``nbval-check-output``) and its fresh outputs differ
   from the saved ones ("Cell outputs differ"); ``NBVAL_IGNORE_OUTPUT`` turns the comparison off.

A failing cell does not stop the run: the next cells run in the same kernel.  After a cell that ran out of
time the later cells are expected to fail (nbval marks them xfail), so they are not reported.

The execute step runs the notebook with nbclient in exactly that way (errors do not stop it) and this
module turns its per-cell replies and outputs into nbval's verdicts.  The markers are read with nbval's
own functions (``find_comment_markers``, ``find_metadata_tags``) and streams are merged with nbval's
``coalesce_streams``.  What one nbclient run cannot do the same way as nbval -- skipping a cell
(``NBVAL_SKIP``, tag ``nbval-skip``; nbclient's ``skip-execution`` tag skips cells nbval would run) or
sanitizing outputs with a sanitize file -- is found by :func:`needs_real_nbval`; those notebooks go to a
real ``pytest --nbval-lax`` run.
"""
from __future__ import annotations

import copy
import re
import warnings
from pathlib import Path
from typing import Any, Iterable, Optional

#: keys nbval does not compare by default (its ``skip_compare`` without ``--nbdime``)
SKIP_COMPARE = frozenset({"metadata", "traceback", "prompt_number", "output_type", "name", "execution_count",
                          "application/vnd.jupyter.widget-view+json", "image/png", "image/jpeg"})
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def cell_options(cell: Any) -> dict:
    """nbval's options for one code cell: ``check``, ``check_exception``, ``skip`` (comments win over tags)."""
    from nbval.plugin import find_comment_markers, find_metadata_tags
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nbval warns about conflicting markers; the later one wins as in nbval
        options = dict(find_metadata_tags(cell.get("metadata", {})))
        options.update(dict(find_comment_markers(cell.get("source", ""))))
    options.setdefault("check", False)  # --nbval-lax: outputs are compared only when asked for
    options.setdefault("check_exception", False)
    options.setdefault("skip", False)
    return options


def raises_exception(cell: Any) -> bool:
    return cell.get("cell_type") == "code" and bool(cell_options(cell)["check_exception"])


def needs_real_nbval(nb: Any, folder: Optional[Path] = None) -> Optional[str]:
    """Why one nbclient run cannot stand in for ``pytest --nbval-lax`` on ``nb``; None when it can."""
    for n, cell in enumerate(nb.cells, start=1):
        if cell.cell_type != "code":
            continue
        if cell_options(cell)["skip"]:
            return f"cell {n} is marked NBVAL_SKIP"
        if "skip-execution" in cell.get("metadata", {}).get("tags", []):
            return f"cell {n} is tagged skip-execution"
    if folder is not None and Path(folder).is_dir():
        for p in sorted(Path(folder).iterdir()):
            if p.is_file() and "sanitize" in p.name.lower():
                return f"{p.name} (an nbval sanitize file) is next to the notebook"
    return None


def _short(value: Any, n: int = 60) -> str:
    text = repr(value if not isinstance(value, str) else _ANSI.sub("", value))
    return text if len(text) <= n else text[: n - 4] + "...'"


def _flatten(outputs: Iterable[Any]) -> dict:
    """nbval's view of a cell's outputs: per key (a mime type, a stream name, ename, ...) the values in order."""
    from nbval.plugin import transform_streams_for_comparison
    flat: dict = {}
    for out in transform_streams_for_comparison(outputs):
        for key, value in out.items():
            if key in SKIP_COMPARE:
                continue
            if key == "data":
                for mime, v in value.items():
                    if mime not in SKIP_COMPARE:
                        flat.setdefault(mime, []).append(v)
            else:
                flat.setdefault(key, []).append(value)
    return flat


def coalesced(outputs: Iterable[Any]) -> list:
    """A copy of ``outputs`` with nbval's stream merging (it changes the outputs it is given)."""
    import nbformat
    from nbval.plugin import coalesce_streams
    return coalesce_streams([nbformat.from_dict(copy.deepcopy(dict(o))) for o in outputs])


def outputs_differ(fresh: Iterable[Any], saved: Iterable[Any]) -> Optional[str]:
    """How the fresh outputs of a cell differ from the saved ones as nbval compares them; None when alike."""
    new, ref = _flatten(coalesced(fresh)), _flatten(coalesced(saved))
    if set(ref) - set(new):
        return "missing output " + ", ".join(sorted(set(ref) - set(new)))
    if set(new) - set(ref):
        return "new output " + ", ".join(sorted(set(new) - set(ref)))
    for key, ref_values in ref.items():
        new_values = new[key]
        if len(new_values) != len(ref_values):
            return f"{len(ref_values)} saved {key} outputs, {len(new_values)} now"
        for a, b in zip(ref_values, new_values):
            if a != b:
                return f"{key} was {_short(a)}, now {_short(b)}"
    return None


def lax_failures(saved: list, ran: list, replies: dict, stopped: Optional[tuple] = None) -> list[dict]:
    """nbval's failures for one execution.

    ``saved``: the cells as saved (``cell_type``, ``source``, ``metadata``, ``execution_count``, ``outputs``);
    ``ran``: the same cells after execution (fresh ``outputs``); ``replies``: cell index -> the
    ``execute_reply`` content of every cell the kernel ran; ``stopped``: ``(cell index, message)`` when
    the run stopped at a cell (time limit, dead kernel).  Records: ``{"code_cell": k (0-based, as nbval
    counts), "error": text}``.
    """
    out: list[dict] = []
    k = -1
    for i, cell in enumerate(saved):
        if cell.get("cell_type") != "code":
            continue
        k += 1
        if stopped is not None and i >= stopped[0]:
            if i == stopped[0]:
                out.append({"code_cell": k, "error": stopped[1]})
            break  # nbval expects the cells after a time-out to fail (xfail): nothing to report
        opts = cell_options(cell)
        reply = replies.get(i)
        if reply is not None and reply.get("status") == "error" and not opts["check_exception"]:
            ename, evalue = reply.get("ename") or "", " ".join(_ANSI.sub("", str(reply.get("evalue") or "")).split())
            out.append({"code_cell": k, "error": (f"{ename}: {evalue}" if evalue else ename)[:300]
                        or "Cell execution caused an exception"})
            continue
        unrun = cell.get("execution_count") is None
        if unrun and cell.get("outputs"):
            out.append({"code_cell": k, "error": "Unrun reference cell has outputs"})
            continue
        if opts["check"] and not unrun:
            fresh = ran[i].get("outputs", []) if reply is not None else []  # nbclient leaves empty cells alone
            diff = outputs_differ(fresh, cell.get("outputs", []))
            if diff:
                out.append({"code_cell": k, "error": f"Cell outputs differ ({diff})"})
    return out

"""Reviews of a module version (issue 19): the reviewer's report and the recorded decision.

:func:`review_report` runs every ``h4s check`` step on the module and puts its findings beside the human rubric
(:data:`RUBRIC`: accuracy, inclusiveness, alignment of outcomes and assessment, licences), as Markdown and as HTML
(:func:`write_report`).  :func:`record_decision` appends a :class:`~h4s_kit.metadata.Review` to the module's
metadata and moves its status: ``accept`` publishes the version (refused while ``h4s check`` finds an error or
a rubric item is not passed), ``revise`` and ``reject`` send it back to ``draft``.  :func:`start_review` moves a
draft to ``review``.  Who reviewed is whoever the reviewer says (``--reviewer``); h4s invents no one.
"""
from __future__ import annotations

import datetime as _dt
import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from h4s_widgets._errors import H4SError

from .metadata import DECISIONS, Review, validate_metadata

#: the human part of a review: key -> (title, what the reviewer looks at)
RUBRIC: dict[str, tuple[str, str]] = {
    "accuracy": ("Accuracy", "Facts, laws, frameworks and figures are real, current and checkable; legal statements "
                             "are hedged where the law depends on the country or the case; every answer key and "
                             "every piece of feedback is right."),
    "inclusiveness": ("Inclusiveness", "Plain language for the EQF level; examples from several trades, countries, "
                                       "genders and ages; nothing that works only by colour, sound or mouse; no "
                                       "stereotypes."),
    "alignment": ("Alignment of outcomes and assessment", "Every learning outcome is taught and assessed; the closing "
                                                           "quiz tests application (scenarios), not recall; the "
                                                           "declared time is what the module takes."),
    "licences": ("Licences", "Every image, data set and quotation is credited with title, author, source and "
                             "licence; their licences allow this use and are compatible with the module's licence."),
}
VERDICTS = ("pass", "fail")


class ReviewError(H4SError, ValueError):
    """A review cannot be recorded as asked."""


@dataclass
class ReviewReport:
    """What a reviewer sees for one module version."""

    folder: Path
    raw: dict                       # the notebook's metadata["h4s"] as written (maybe invalid)
    meta: object = None             # ModuleMeta, None when the metadata is invalid (then check reports why)
    findings: list = field(default_factory=list)   # check Findings
    executed: bool = False
    date: str = ""

    @property
    def errors(self) -> list:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list:
        return [f for f in self.findings if f.severity == "warning"]


def _notebook(folder: Path) -> Path:
    nb = Path(folder) / "module.ipynb"
    if not nb.is_file():
        raise ReviewError(f"{folder}: no module.ipynb here; give a module folder such as modules/04-open-educational-resources")
    return nb


def _read_meta(folder: Path):
    import nbformat
    nb_path = _notebook(folder)
    nb = nbformat.read(str(nb_path), as_version=4)
    meta = validate_metadata(dict(nb.metadata.get("h4s") or {}) or None, nb_path, folder_name=Path(folder).name)
    return nb, nb_path, meta


def review_report(folder: str | Path, execute: bool = True, progress: Optional[Callable[[str], None]] = None,
                  timeout: float = 120) -> ReviewReport:
    """Run every check step on the module and return the report (nothing is written)."""
    from .check import run_check
    import nbformat

    from h4s_widgets._errors import MetadataError
    folder = Path(folder)
    nb_path = _notebook(folder)
    try:
        raw = dict(nbformat.read(str(nb_path), as_version=4).metadata.get("h4s") or {})
    except Exception as e:   # an unreadable notebook: check names the fault
        raw = {}
        if progress:
            progress(f"{nb_path}: cannot read the notebook ({e.__class__.__name__})")
    try:
        meta = validate_metadata(raw or None, nb_path, folder_name=folder.name)
    except MetadataError:
        meta = None
    rep = run_check([folder], jobs=1, execute=execute, progress=progress, timeout=timeout)
    return ReviewReport(folder=folder, raw=raw, meta=meta, findings=list(rep.findings),
                        executed=bool(rep.modules and rep.modules[0].executed), date=_dt.date.today().isoformat())


class _Head:
    """The report's header fields, from valid metadata or, when it is invalid, from what is written."""

    def __init__(self, r: ReviewReport):
        src = r.meta.model_dump() if r.meta is not None else r.raw
        for k in ("id", "title", "version", "status", "eqf_level", "duration_minutes", "language", "licence"):
            setattr(self, k, str(src.get(k, "?") if src.get(k) is not None else "?"))
        self.id = self.id if self.id != "?" else r.folder.name
        self.title = self.title if self.title != "?" else r.folder.name
        self.version = src.get("version") or "1.0.0"
        outs = src.get("outcomes")
        self.outcomes = [str(o) for o in outs] if isinstance(outs, list) else []
        self.reviews = r.meta.reviews if r.meta is not None else []


def markdown(r: ReviewReport) -> str:
    m = _Head(r)
    lines = [f"# Review of {m.title}", "",
             f"Module `{m.id}`, version **{m.version}**, status *{m.status}*, EQF level {m.eqf_level}, "
             f"{m.duration_minutes} minutes, language `{m.language}`, licence {m.licence}. Report of {r.date}.", "",
             "## Automatic checks (h4s check)", ""]
    if r.findings:
        lines.append(f"{len(r.errors)} error(s), {len(r.warnings)} warning(s)"
                     + ("" if r.executed else "; the notebook did not run to the end") + ".")
        lines.append("")
        for f in r.findings:
            lines.append(f"- **{f.severity.upper()}** [{f.step}] `{f.place}`: {f.message}." + (f" Fix: {f.fix}" if f.fix else ""))
    else:
        lines.append("No findings: every check step passed" + (" and the notebook ran to the end." if r.executed else "."))
    lines += ["", "## Learning outcomes", ""] + [f"{i}. {o}" for i, o in enumerate(m.outcomes, 1)]
    lines += ["", "## Rubric (your judgement)", "",
              "For each item write *pass* or *fail* and, for a fail, what must change.", "",
              "| item | what to look at | pass / fail | notes |", "| --- | --- | --- | --- |"]
    lines += [f"| {t} (`{k}`) | {what} |  |  |" for k, (t, what) in RUBRIC.items()]
    prev = list(m.reviews)
    if prev:
        lines += ["", "## Earlier reviews", ""]
        lines += [f"- {rv.date}, version {rv.version}: {rv.decision} by {rv.reviewer} ({rv.role})" for rv in prev]
    lines += ["", "## Decision", "",
              "Record it with `h4s review " + str(r.folder) + " --decision accept|revise|reject --reviewer NAME "
              "--role ROLE --rubric accuracy=pass ...`. *accept* publishes this version and needs 0 errors above "
              "and every rubric item passed.", ""]
    return "\n".join(lines)


def to_html(r: ReviewReport) -> str:
    m, e = _Head(r), html.escape
    rows = "".join(
        f"<tr><td>{e(f.severity)}</td><td>{e(f.step)}</td><td><code>{e(f.place)}</code></td>"
        f"<td>{e(f.message)}</td><td>{e(f.fix)}</td></tr>" for f in r.findings)
    checks = (f"<p>{len(r.errors)} error(s), {len(r.warnings)} warning(s).</p>"
              "<table><caption>Findings of h4s check</caption><thead><tr><th scope=\"col\">severity</th>"
              "<th scope=\"col\">step</th><th scope=\"col\">place</th><th scope=\"col\">problem</th>"
              f"<th scope=\"col\">fix</th></tr></thead><tbody>{rows}</tbody></table>") if r.findings else \
        "<p>No findings: every check step passed.</p>"
    rubric = "".join(f"<tr><th scope=\"row\">{e(t)}</th><td>{e(what)}</td><td></td><td></td></tr>"
                     for t, what in RUBRIC.values())
    outcomes = "".join(f"<li>{e(o)}</li>" for o in m.outcomes)
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>Review of {e(m.title)} {e(m.version)}</title><style>"
            "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5;"
            "color:#1a1a1a}table{border-collapse:collapse;width:100%}th,td{border:1px solid #666;padding:.3rem;"
            "text-align:left;vertical-align:top}caption{text-align:left;font-weight:bold}</style></head><body><main>"
            f"<h1>Review of {e(m.title)}</h1><p>Module <code>{e(m.id)}</code>, version <strong>{e(m.version)}"
            f"</strong>, status {e(m.status)}, EQF level {e(m.eqf_level)}, {e(m.duration_minutes)} minutes, language "
            f"<code>{e(m.language)}</code>, licence {e(m.licence)}. Report of {e(r.date)}.</p>"
            f"<h2>Automatic checks (h4s check)</h2>{checks}<h2>Learning outcomes</h2><ol>{outcomes}</ol>"
            "<h2>Rubric (your judgement)</h2><table><caption>Write pass or fail and, for a fail, what must change"
            "</caption><thead><tr><th scope=\"col\">item</th><th scope=\"col\">what to look at</th>"
            f"<th scope=\"col\">pass / fail</th><th scope=\"col\">notes</th></tr></thead><tbody>{rubric}</tbody></table>"
            "<h2>Decision</h2><p>Record it with <code>h4s review MODULE --decision accept|revise|reject --reviewer "
            "NAME --role ROLE --rubric accuracy=pass ...</code>. <em>accept</em> publishes this version and needs "
            "0 errors and every rubric item passed.</p></main></body></html>\n")


def write_report(r: ReviewReport, out_dir: str | Path) -> list[Path]:
    """``<id>-<version>-review.md`` and ``.html`` in ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    h = _Head(r)
    stem = f"{h.id}-{h.version}-review"
    paths = [out / f"{stem}.md", out / f"{stem}.html"]
    paths[0].write_text(markdown(r), encoding="utf-8")
    paths[1].write_text(to_html(r), encoding="utf-8")
    return paths


def parse_rubric(items: list[str]) -> dict[str, str]:
    """``["accuracy=pass", ...]`` -> {key: verdict}; one-line errors for unknown items or verdicts."""
    out: dict[str, str] = {}
    for item in items or []:
        key, sep, verdict = item.partition("=")
        key, verdict = key.strip().lower(), verdict.strip().lower()
        if not sep or key not in RUBRIC:
            raise ReviewError(f"--rubric {item!r}: write ITEM=pass or ITEM=fail with ITEM one of {', '.join(RUBRIC)}")
        if verdict not in VERDICTS:
            raise ReviewError(f"--rubric {item!r}: the verdict must be pass or fail")
        out[key] = verdict
    return out


def _save(nb, nb_path: Path, meta_dict: dict) -> None:
    import nbformat
    validate_metadata(meta_dict, nb_path, folder_name=nb_path.parent.name)     # never write invalid metadata
    nb.metadata["h4s"] = meta_dict
    tmp = nb_path.with_name(nb_path.name + ".tmp")
    nbformat.write(nb, str(tmp))
    tmp.replace(nb_path)


def start_review(folder: str | Path) -> str:
    """A draft goes to ``review`` (other statuses stay); returns the status now."""
    nb, nb_path, meta = _read_meta(Path(folder))
    if meta.status in ("draft", "proposal"):
        d = dict(nb.metadata["h4s"])
        d["status"] = "review"
        _save(nb, nb_path, d)
        return "review"
    return meta.status


def record_decision(report: ReviewReport, decision: str, reviewer: str, role: str,
                    rubric: dict[str, str], date: Optional[str] = None) -> Review:
    """Append the review of the current version to the metadata and move the status (see the module's doc)."""
    if decision not in DECISIONS:
        raise ReviewError(f"--decision {decision!r}: choose one of {', '.join(DECISIONS)}")
    if not (reviewer or "").strip() or not (role or "").strip():
        raise ReviewError("a decision needs who made it: give --reviewer NAME and --role ROLE "
                          "(e.g. --role \"peer reviewer, VET trainer\")")
    if report.meta is None:
        first = report.errors[0] if report.errors else None
        raise ReviewError(f"{report.folder}: the module's metadata is invalid" + (f" ({first.message})" if first else "")
                          + "; fix it (h4s check names the field), then review again")
    if decision == "accept":
        if report.errors:
            first = report.errors[0]
            raise ReviewError(f"cannot accept {report.meta.id} {report.meta.version}: h4s check finds "
                              f"{len(report.errors)} error(s), first {first.place}: {first.message}; fix them, "
                              f"or decide revise")
        missing = [k for k in RUBRIC if rubric.get(k) != "pass"]
        if missing:
            raise ReviewError(f"cannot accept {report.meta.id} {report.meta.version}: rubric item(s) not passed: "
                              f"{', '.join(missing)}; give --rubric {missing[0]}=pass after checking it, or decide revise")
    nb, nb_path, meta = _read_meta(report.folder)
    if meta.version != report.meta.version:
        raise ReviewError(f"{nb_path}: the module's version changed to {meta.version} during the review of "
                          f"{report.meta.version}; review it again")
    review = Review(reviewer=reviewer.strip(), role=role.strip(), date=date or _dt.date.today().isoformat(),
                    version=meta.version, decision=decision,
                    rubric=[f"{RUBRIC[k][0]}: {v}" for k, v in rubric.items()]
                    + [f"h4s check: {len(report.errors)} error(s), {len(report.warnings)} warning(s)"])
    d = dict(nb.metadata["h4s"])
    d["reviews"] = list(d.get("reviews") or []) + [review.model_dump()]
    d["status"] = "published" if decision == "accept" else "draft"
    _save(nb, nb_path, d)
    return review

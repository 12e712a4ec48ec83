"""The report's page (HTML, self-contained, or a fragment for a notebook) and its CSV files."""
from __future__ import annotations

import base64
import csv
import html
import math
import statistics
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

from .analysis import MIN_FOR_DISCRIMINATION, ModuleStats
from .plots import facility_plot, score_plot

# -------------------------------------------------------------------- output
CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;font-size:17px;line-height:1.5;color:#1b1b1b;
max-width:62rem;margin:0 auto;padding:1rem 1.25rem 3rem;background:#fff}
h1{font-size:1.8rem;margin:.4rem 0}h2{font-size:1.45rem;margin-top:2.2rem;border-bottom:2px solid #d7dce3;padding-bottom:.2rem}
h3{font-size:1.15rem;margin-top:1.6rem}
.note{background:#fff4d6;border-left:5px solid #8a6100;padding:.6rem .9rem;margin:1rem 0}
.synthetic{background:#e8eefc;border-left:5px solid #3b6ea8}
table{border-collapse:collapse;width:100%;margin:.6rem 0 1rem;font-size:.95rem}
caption{text-align:left;font-weight:600;padding:.3rem 0}
th,td{border:1px solid #c9ced6;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f1f3f6}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.hard{color:#b3261e;font-weight:600}.ok{color:#2e6b34}
.bar{display:inline-block;height:.8rem;background:#3b6ea8;vertical-align:middle;margin-right:.4rem}
.bar.right{background:#2e6b34}
figure{margin:1rem 0}figure img{max-width:100%;height:auto}figcaption{font-size:.92rem;color:#3d3d3d}
ul.flags li{margin:.25rem 0}th small{font-weight:400}details{margin:.8rem 0}summary{cursor:pointer;font-weight:600}
a{color:#1f4f8a}
dl.kpi{display:flex;flex-wrap:wrap;gap:.8rem;margin:.6rem 0}
dl.kpi div{border:1px solid #c9ced6;border-radius:6px;padding:.4rem .8rem;min-width:9rem}
dl.kpi dt{display:block;float:none;width:auto;margin:0;padding:0;font-size:.85rem;font-weight:400;color:#3d3d3d}
dl.kpi dd{display:block;float:none;margin:0;padding:0;white-space:nowrap;font-size:1.35rem;font-weight:650}
"""


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.0f} %"


def _num(x: float | None, nd: int = 2) -> str:
    return "—" if x is None else f"{x:.{nd}f}"


def _e(s: Any) -> str:
    return html.escape(str(s))


def scoped_css(scope: str = ".h4s-report") -> str:
    """:data:`CSS` with every rule limited to ``scope`` (for showing the report inside a notebook)."""
    out = []
    for rule in CSS.replace("\n", "").split("}"):
        if "{" not in rule:
            continue
        sel, body = rule.split("{", 1)
        sels = [scope if x.strip() == "body" else f"{scope} {x.strip()}" for x in sel.split(",")]
        out.append(",".join(sels) + "{" + body + "}")
    return "".join(out)


def csv_data_links(modules: list[ModuleStats]) -> dict[str, str]:
    """CSV files as data: links (for the dashboard, where no files sit next to the page)."""
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        return {f.name: "data:text/csv;charset=utf-8;base64," + base64.b64encode(f.read_bytes()).decode("ascii")
                for f in write_csv(modules, Path(d))}


def render_html(modules: list[ModuleStats], title: str = "Trainer report", note: str | None = None,
                synthetic: bool = False, generated: str | None = None, fragment: bool = False,
                csv_links: dict[str, str] | None = None, credentials: list[dict] | None = None) -> str:
    """The report page; ``fragment=True`` gives a ``<div class="h4s-report">`` with scoped CSS instead.
    ``credentials``: the issued Open Badges credentials (:func:`credential_rows`), listed after the overview."""
    generated = generated or datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    if fragment:
        p = [f'<div class="h4s-report" lang="en"><style>{scoped_css()}</style>']
    else:
        p = [f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
             f'content="width=device-width, initial-scale=1"><title>{_e(title)}</title><style>{CSS}</style>'
             '</head><body><main>']
    if not fragment:  # in a notebook the notebook's own heading is the h1
        p.append(f'<h1>{_e(title)}</h1>')
    p += [f'<p>Made by <code>h4s report</code> on {_e(generated)} from the learner records. Learners appear only '
          'under pseudonymous ids.</p>']
    if csv_links is None and not fragment:
        csv_links = {n: n for n in ("modules.csv", "questions.csv", "choices.csv", "learners.csv")}
        if credentials is not None:
            csv_links["credentials.csv"] = "credentials.csv"
    if csv_links:
        p.append('<p>The same numbers as spreadsheets (CSV): ' + ", ".join(
            f'<a href="{_e(href)}" download="{_e(name)}">{_e(name)}</a>' for name, href in csv_links.items()) + '.</p>')
    if note:
        p.append(f'<p class="note{" synthetic" if synthetic else ""}">{_e(note)}</p>')
    if not modules:
        p.append('<p>No learner records yet.</p>')
    # overview
    p.append('<h2 id="overview">Overview</h2><table><caption>Completion per module</caption><thead><tr>'
             '<th scope="col">Module</th><th scope="col">Learners who started</th><th scope="col">Completed</th>'
             '<th scope="col">Completion rate</th><th scope="col">Passed</th><th scope="col">Median score</th>'
             '</tr></thead><tbody>')
    for m in modules:
        sc = m.scores()
        p.append(f'<tr><th scope="row"><a href="#m-{_e(m.module)}">{_e(m.title)}</a></th>'
                 f'<td class="num">{m.started}</td><td class="num">{m.completed}</td>'
                 f'<td class="num">{_pct(m.completion_rate)}</td>'
                 f'<td class="num">{m.passed if m.pass_mark is not None else "— (no pass mark)"}</td>'
                 f'<td class="num">{_pct(statistics.median(sc)) if sc else "—"}</td></tr>')
    p.append('</tbody></table>')
    p.append('<details><summary>How to read this report</summary><ul>'
             '<li><strong>Completed</strong>: answered every question of the module\'s closing quiz (when it '
             'draws <em>n</em> questions from a pool: <em>n</em> of them).</li>'
             '<li><strong>Score</strong>: the latest answer to each closing-quiz question (with a pool: the '
             '<em>n</em> answered last), as a share of its points.</li>'
             '<li><strong>Facility index</strong> (0 to 1): the average share of points on the <em>first</em> '
             'attempt. 0.35 means most learners found the question hard; 0.9 means almost everybody got it right. '
             'Aim for most questions between 0.4 and 0.9.</li>'
             '<li><strong>Discrimination index</strong> (−1 to 1, upper-lower 27 % groups): learners are ranked by '
             'their first-attempt score on the other questions; the index is the facility in the top 27 % minus '
             'the facility in the bottom 27 %. Above 0.4 is good; below 0.2 the question hardly tells stronger from '
             'weaker learners; below 0 something is probably wrong with the question or its key. Needs at least '
             f'{MIN_FOR_DISCRIMINATION} learners.</li>'
             '<li><strong>Answer choices</strong>: how many learners picked each option on their first attempt. A '
             'wrong option that many pick points to a common misunderstanding worth discussing in class.</li>'
             '</ul></details>')
    if credentials is not None:
        p.append(credentials_html(credentials))
    for m in modules:
        p.append(f'<section aria-labelledby="m-{_e(m.module)}"><h2 id="m-{_e(m.module)}">{_e(m.title)}</h2>')
        p.append('<dl class="kpi">' + "".join(
            f'<div><dt>{k}</dt><dd>{v}</dd></div>' for k, v in (
                ("Started", m.started), ("Completed", f"{m.completed} ({_pct(m.completion_rate)})"),
                ("Passed", m.passed if m.pass_mark is not None else "—"),
                ("Pass mark", _pct(m.pass_mark)))) + '</dl>')
        flagged = [q for q in m.questions if q.flags]
        p.append('<h3>Look at these questions first</h3>')
        if flagged:
            p.append('<ul class="flags">' + "".join(
                f'<li><a href="#q-{_e(m.module)}-{_e(q.id)}">{_e(q.id)}</a> ({_e(q.title)}): '
                + "; ".join(_e(f) for f in q.flags) + '</li>' for q in flagged) + '</ul>')
        else:
            p.append('<p>Nothing stands out: no question is very hard, badly discriminating or has a popular '
                     'wrong option.</p>')
        img, alt = score_plot(m)
        p.append(f'<h3>Score distribution</h3><figure>{img}<figcaption>Scores of the {len(m.scores())} learners who '
                 f'completed the module.{" The dashed line is the pass mark." if m.pass_mark is not None else ""}'
                 f'</figcaption></figure>')
        if any(q.facility is not None for q in m.questions):
            img, alt = facility_plot(m)
            p.append(f'<h3>How hard was each question?</h3><figure>{img}<figcaption>Facility index per question '
                     '(first attempts). Red: hard (below 0.4), yellow: moderate, green: easy (0.7 and above).'
                     '</figcaption></figure>')
        p.append(f'<table><caption>Questions of {_e(m.title)} (first attempts)</caption><thead><tr>'
                 '<th scope="col">Question</th><th scope="col">Type</th><th scope="col">Learners</th>'
                 '<th scope="col">Facility</th><th scope="col">Discrimination</th>'
                 '<th scope="col">Attempts (mean)</th><th scope="col">Right in the end</th></tr></thead><tbody>')
        for q in m.questions:
            fcls = ' class="hard"' if q.facility is not None and q.facility < 0.4 else ""
            dcls = ' class="hard"' if q.discrimination is not None and q.discrimination < 0.2 else ""
            fac = (f'<td><span{fcls}>{_num(q.facility)}</span> {_e(q.facility_text)}</td>' if q.graded
                   else f'<td>{_e(q.facility_text)}</td>')
            dis = (f'<td><span{dcls}>{_num(q.discrimination)}</span> {_e(q.discrimination_text)}</td>' if q.graded
                   else '<td>—</td>')
            p.append(f'<tr id="q-{_e(m.module)}-{_e(q.id)}"><th scope="row">{_e(q.id)}<br><small>{_e(q.title)}</small>'
                     f'</th><td>{_e(q.type.replace("_", " "))}</td><td class="num">{q.n}</td>{fac}{dis}'
                     f'<td class="num">{_num(q.mean_attempts, 1)}</td><td class="num">{_pct(q.eventually_correct)}</td>'
                     '</tr>')
        p.append('</tbody></table>')
        p.append(f'<details><summary>Learners of {_e(m.title)} ({m.started}, pseudonymous ids)</summary><table>'
                 f'<caption>Who completed {_e(m.title)}</caption><thead><tr><th scope="col">Learner</th>'
                 '<th scope="col">Closing-quiz questions answered</th><th scope="col">Completed</th>'
                 '<th scope="col">Score</th><th scope="col">Passed</th></tr></thead><tbody>')
        for x in sorted(m.learners, key=lambda x: (not x.completed, -(x.score or 0), x.learner)):
            p.append(f'<tr><th scope="row">{_e(x.learner)}</th><td class="num">{x.answered} of {x.required}</td>'
                     f'<td>{"yes" if x.completed else "not yet"}</td><td class="num">{_pct(x.score)}</td>'
                     f'<td>{"—" if x.passed is None else "yes" if x.passed else "no"}</td></tr>')
        p.append('</tbody></table></details>')
        for q in m.questions:
            if not q.choices:
                continue
            p.append(f'<table><caption>{_e(q.id)}: answer choices on the first attempt ({q.n} learners)</caption>'
                     '<thead><tr><th scope="col">Option</th><th scope="col">Right?</th>'
                     '<th scope="col">Learners who picked it</th></tr></thead><tbody>')
            for c in q.choices:
                w = int(round(160 * c["share"]))
                p.append(f'<tr><th scope="row">{_e(c["option"])}: {_e(c["text"])}</th>'
                         f'<td>{"right answer" if c["correct"] else "wrong"}</td>'
                         f'<td class="num" style="text-align:left"><span class="bar{" right" if c["correct"] else ""}" '
                         f'style="width:{w}px" aria-hidden="true"></span>{c["count"]} ({_pct(c["share"])})</td></tr>')
            p.append('</tbody></table>')
        p.append('</section>')
    p.append('</div>' if fragment else '</main></body></html>')
    return "".join(p)


def write_csv(modules: list[ModuleStats], out: Path) -> list[Path]:
    files = []

    def w(name: str, header: list[str], rows: Iterable[list]) -> None:
        f = out / name
        with f.open("w", newline="", encoding="utf-8") as fh:
            wr = csv.writer(fh)
            wr.writerow(header)
            wr.writerows(rows)
        files.append(f)

    def r(x: float | None, nd: int = 4):
        return "" if x is None or (isinstance(x, float) and math.isnan(x)) else round(x, nd)

    w("modules.csv", ["module", "title", "started", "completed", "completion_rate", "passed", "pass_mark",
                      "median_score"],
      ([m.module, m.title, m.started, m.completed, r(m.completion_rate), m.passed if m.pass_mark is not None else "",
        r(m.pass_mark), r(statistics.median(m.scores())) if m.scores() else ""] for m in modules))
    w("questions.csv", ["module", "question", "type", "title", "learners", "facility", "facility_meaning",
                        "discrimination", "discrimination_meaning", "mean_attempts", "right_in_the_end", "flags"],
      ([q.module, q.id, q.type, q.title, q.n, r(q.facility), q.facility_text, r(q.discrimination),
        q.discrimination_text, r(q.mean_attempts), r(q.eventually_correct), " | ".join(q.flags)]
       for m in modules for q in m.questions))
    w("choices.csv", ["module", "question", "option", "text", "correct", "count", "share"],
      ([q.module, q.id, c["option"], c["text"], int(c["correct"]), c["count"], r(c["share"])]
       for m in modules for q in m.questions for c in q.choices))
    w("learners.csv", ["module", "learner", "answered", "required", "completed", "score", "passed"],
      ([x.module, x.learner, x.answered, x.required, int(x.completed), r(x.score),
        "" if x.passed is None else int(x.passed)] for m in modules for x in m.learners))
    return files


def credential_rows(issued: Iterable[dict]) -> list[dict]:
    """What the dashboard shows of each issued credential (records store rows): module, version, issue date,
    id, revoked.  Never the learner's name (which only the credential holds)."""
    def day(t):
        return datetime.fromtimestamp(float(t), timezone.utc).strftime("%Y-%m-%d %H:%M UTC") if t else ""
    return [{"module": c["module"], "version": c["version"], "issued": day(c["issued"]), "id": c["id"],
             "revoked": day(c.get("revoked"))} for c in issued]


def credentials_html(rows: list[dict]) -> str:
    p = ['<h2 id="credentials">Credentials issued</h2>']
    if not rows:
        p.append('<p>No Open Badges credentials issued yet.</p>')
        return "".join(p)
    p.append('<p>Revoke one with <code>h4s credentials revoke ID</code>.</p><table><caption>Open Badges credentials '
             'of passed closing quizzes</caption><thead><tr><th scope="col">Module</th><th scope="col">Version</th>'
             '<th scope="col">Issued</th><th scope="col">Credential id</th><th scope="col">Revoked</th></tr></thead>'
             '<tbody>')
    for c in rows:
        p.append(f'<tr><td>{_e(c["module"])}</td><td>{_e(c["version"])}</td><td>{_e(c["issued"])}</td>'
                 f'<td><code>{_e(c["id"])}</code></td><td>{_e(c["revoked"] or "no")}</td></tr>')
    p.append('</tbody></table>')
    return "".join(p)


def write_credentials_csv(rows: list[dict], out: Path) -> Path:
    f = out / "credentials.csv"
    with f.open("w", newline="", encoding="utf-8") as fh:
        wr = csv.writer(fh)
        wr.writerow(["module", "version", "issued", "id", "revoked"])
        wr.writerows([c["module"], c["version"], c["issued"], c["id"], c["revoked"]] for c in rows)
    return f

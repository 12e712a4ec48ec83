"""The trainer report: who completed what, and which questions confuse learners.

``h4s report [--module M] [-o DIR]`` writes ``DIR/index.html`` (one self-contained page: inline SVG
plots, tables, plain-language explanations) and CSV files next to it.  The same numbers are shown by
``templates/trainer-dashboard.ipynb``.

How the numbers are made (also explained on the page):

* **Completion**: a learner has completed a module when they have answered every question of its
  closing quiz (``questions/closing-quiz.yml``; without the bank: every question anybody answered).
* **Score**: the learner's latest answer to each of those questions, as a share of the points.
  *Passed* when the score reaches the closing quiz's ``pass_mark``.
* **Facility index** of a question: the mean of score / max score over each learner's *first*
  attempt (later attempts follow feedback, so they say less about the question).  1 = everybody
  right, 0 = nobody.
* **Discrimination index**: upper-lower groups.  Learners are ranked by their first-attempt score on
  the *other* questions of the module; D = facility in the top 27 % minus facility in the bottom 27 %.
  Shown only with at least 10 learners.
* **Answer-choice counts**: how often each option was picked on the first attempt (choice and
  true/false questions); a wrong option picked more often than the right one is flagged.
"""
from __future__ import annotations

import base64
import csv
import html
import io
import math
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

MIN_FOR_DISCRIMINATION = 10
CHOICE_TYPES = ("single_choice", "multiple_response", "true_false")


# ------------------------------------------------------------------ plain words
def facility_words(f: float | None) -> str:
    if f is None:
        return "no answers yet"
    if f >= 0.9:
        return "very easy: almost everybody got it right"
    if f >= 0.7:
        return "easy: most learners got it right"
    if f >= 0.4:
        return "moderate: about half the points were won"
    if f >= 0.2:
        return "hard: most learners found this hard"
    return "very hard: almost nobody got it right; check the question and its answer key"


def discrimination_words(d: float | None, n: int) -> str:
    if d is None:
        return f"not shown: needs at least {MIN_FOR_DISCRIMINATION} learners (has {n})"
    if d < 0:
        return "negative: stronger learners did worse than weaker ones; check the answer key and the wording"
    if d < 0.2:
        return "weak: it hardly separates stronger from weaker learners; check the wording"
    if d < 0.4:
        return "fair: it separates stronger from weaker learners somewhat"
    return "good: stronger learners clearly did better"


# -------------------------------------------------------------------- banks
@dataclass
class ModuleBanks:
    id: str
    title: str | None = None
    questions: dict[str, Any] = field(default_factory=dict)   # qid -> question object
    closing: list[str] = field(default_factory=list)          # graded closing-quiz question ids
    pass_mark: float | None = None


def load_banks(modules_dir: str | Path | None) -> dict[str, ModuleBanks]:
    """Question banks of every module folder under ``modules_dir`` (missing or broken banks are skipped)."""
    out: dict[str, ModuleBanks] = {}
    if not modules_dir or not Path(modules_dir).is_dir():
        return out
    from h4s_widgets._schema import load_bank
    for mdir in sorted(Path(modules_dir).iterdir()):
        qdir = mdir / "questions"
        if not qdir.is_dir():
            continue
        info = ModuleBanks(mdir.name)
        for f in sorted(qdir.glob("*.yml")):
            try:
                bank = load_bank(f)
            except Exception:
                continue
            for q in bank.questions:
                info.questions[q.id] = q
            if f.name == "closing-quiz.yml":
                info.closing = [q.id for q in bank.questions if q.graded]
                info.pass_mark = bank.pass_mark
                info.title = bank.title
        out[mdir.name] = info
    return out


# ------------------------------------------------------------------ analysis
@dataclass
class QuestionStats:
    module: str
    id: str
    type: str
    title: str
    n: int = 0
    facility: float | None = None
    discrimination: float | None = None
    mean_attempts: float | None = None
    eventually_correct: float | None = None
    graded: bool = True
    choices: list[dict] = field(default_factory=list)   # {option, text, correct, count, share}
    flags: list[str] = field(default_factory=list)

    @property
    def facility_text(self) -> str:
        return facility_words(self.facility) if self.graded else "not auto-graded (reflection/survey)"

    @property
    def discrimination_text(self) -> str:
        return discrimination_words(self.discrimination, self.n) if self.graded else "—"


@dataclass
class LearnerStats:
    module: str
    learner: str
    answered: int
    required: int
    completed: bool
    score: float | None        # 0..1 over the required questions (latest answers)
    passed: bool | None


@dataclass
class ModuleStats:
    module: str
    title: str
    pass_mark: float | None
    required: list[str]
    learners: list[LearnerStats]
    questions: list[QuestionStats]

    @property
    def started(self) -> int:
        return len(self.learners)

    @property
    def completed(self) -> int:
        return sum(1 for x in self.learners if x.completed)

    @property
    def passed(self) -> int:
        return sum(1 for x in self.learners if x.passed)

    @property
    def completion_rate(self) -> float | None:
        return self.completed / self.started if self.started else None

    def scores(self) -> list[float]:
        return [x.score for x in self.learners if x.completed and x.score is not None]


def _frac(r: dict) -> float | None:
    mx = r.get("max_score")
    if not mx:
        return None
    return max(-1.0, min(1.0, float(r.get("score") or 0) / float(mx)))


def _short(text: str | None, n: int = 90) -> str:
    t = " ".join((text or "").split())
    return t if len(t) <= n else t[: n - 1] + "…"


def _option_label(q: Any, oid: str) -> str:
    for o in getattr(q, "options", []) or []:
        if o.id == oid:
            return _short(o.text, 60)
    return {"true": "True", "false": "False"}.get(oid, oid)


def _correct_options(q: Any, qtype: str) -> set[str]:
    if q is None:
        return set()
    if qtype == "single_choice":
        return {q.answer}
    if qtype == "multiple_response":
        return set(q.answers)
    if qtype == "true_false":
        return {"true" if q.answer else "false"}
    return set()


def _picked(qtype: str, response: Any) -> list[str]:
    if qtype == "single_choice" and isinstance(response, str) and response:
        return [response]
    if qtype == "multiple_response" and isinstance(response, list):
        return [str(x) for x in response]
    if qtype == "true_false" and isinstance(response, bool):
        return ["true" if response else "false"]
    return []


def analyse_module(module: str, records: list[dict], info: ModuleBanks | None = None) -> ModuleStats:
    info = info or ModuleBanks(module)
    by_lq: dict[tuple[str, str], list[dict]] = defaultdict(list)
    qtypes: dict[str, str] = {}
    qtexts: dict[str, str] = {}
    for r in records:
        by_lq[(r["learner"], r["question"])].append(r)
        qtypes.setdefault(r["question"], r["qtype"])
        if r.get("question_text"):
            qtexts.setdefault(r["question"], r["question_text"])
    for rs in by_lq.values():
        rs.sort(key=lambda r: (r.get("attempt") or 1, r.get("ts", r.get("timestamp", 0))))
    learners = sorted({lq[0] for lq in by_lq})
    seen_q = list(dict.fromkeys(r["question"] for r in sorted(records, key=lambda r: r.get("ts", 0))))
    order = [q for q in info.questions if q in set(seen_q)] + [q for q in seen_q if q not in info.questions]
    # auto-graded: the bank says so, or (without a bank) some answer was judged right or wrong;
    # surveys (likert), reflections and flashcards have no right answer and get no facility
    judged = {r["question"] for r in records if r.get("success") is not None}
    graded_q = [q for q in order if (info.questions[q].graded if q in info.questions else q in judged)]
    graded_set = set(graded_q)
    required = [q for q in info.closing] if info.closing else list(graded_q)

    first = {lq: rs[0] for lq, rs in by_lq.items()}
    latest = {lq: rs[-1] for lq, rs in by_lq.items()}

    # learners
    lstats = []
    for ln in learners:
        answered = sum(1 for q in required if (ln, q) in latest)
        completed = bool(required) and answered == len(required)
        pts = sum(float(latest[(ln, q)].get("score") or 0) for q in required if (ln, q) in latest)
        top = sum(float(latest[(ln, q)].get("max_score") or 0) for q in required if (ln, q) in latest)
        score = pts / top if top else None
        passed = None
        if completed and score is not None and info.pass_mark is not None:
            passed = score >= info.pass_mark - 1e-9
        lstats.append(LearnerStats(module, ln, answered, len(required), completed, score, passed))

    # first-attempt fractions per learner for rest scores
    frac_first: dict[str, dict[str, float]] = defaultdict(dict)
    for (ln, q), r in first.items():
        f = _frac(r) if q in graded_set else None
        if f is not None:
            frac_first[ln][q] = f

    qstats = []
    for q in order:
        qobj = info.questions.get(q)
        qtype = qtypes.get(q) or getattr(qobj, "type", "other")
        title = _short(getattr(qobj, "title", None) or getattr(qobj, "text", None) or qtexts.get(q) or q)
        firsts = [first[(ln, q)] for ln in learners if (ln, q) in first]
        fracs = [f for f in (_frac(r) for r in firsts) if f is not None] if q in graded_set else []
        st = QuestionStats(module, q, qtype, title, n=len(firsts), graded=bool(fracs))
        if fracs:
            st.facility = round(statistics.fmean(fracs), 3)
        st.mean_attempts = round(statistics.fmean(len(by_lq[(ln, q)]) for ln in learners if (ln, q) in by_lq), 2) \
            if firsts else None
        if fracs:
            ok = [1.0 if any(x.get("success") for x in by_lq[(ln, q)]) else 0.0 for ln in learners if (ln, q) in by_lq]
            st.eventually_correct = round(statistics.fmean(ok), 3)
        # discrimination: upper - lower 27 % by rest score
        cands = [(statistics.fmean([v for k, v in frac_first[ln].items() if k != q]), frac_first[ln][q])
                 for ln in learners if q in frac_first[ln] and len(frac_first[ln]) > 1]
        if len(cands) >= MIN_FOR_DISCRIMINATION:
            cands.sort(key=lambda t: t[0])
            k = max(1, int(round(0.27 * len(cands))))
            st.discrimination = round(statistics.fmean(x[1] for x in cands[-k:]) -
                                      statistics.fmean(x[1] for x in cands[:k]), 3)
        # answer-choice counts
        if qtype in CHOICE_TYPES and firsts:
            counts = Counter(p for r in firsts for p in _picked(qtype, r.get("response")))
            correct = _correct_options(qobj, qtype)
            if not correct:  # no bank: an option is right when picking it alone was a success
                correct = {p for r in firsts if r.get("success") for p in _picked(qtype, r.get("response"))}
            ids = [o.id for o in getattr(qobj, "options", [])] if qobj is not None and qtype != "true_false" \
                else (["true", "false"] if qtype == "true_false" else sorted(counts))
            for oid in ids + [o for o in sorted(counts) if o not in ids]:
                st.choices.append({"option": oid, "text": _option_label(qobj, oid), "correct": oid in correct,
                                   "count": counts.get(oid, 0), "share": counts.get(oid, 0) / len(firsts)})
            best_right = max((c["count"] for c in st.choices if c["correct"]), default=0)
            for c in st.choices:
                if not c["correct"] and c["count"] > best_right and c["count"] > 0:
                    st.flags.append(f"wrong option “{c['text']}” was picked more often than the right answer")
        if st.facility is not None and st.facility < 0.4:
            st.flags.append(f"facility {st.facility:.2f}: {facility_words(st.facility).split(':')[0]}")
        if st.discrimination is not None and st.discrimination < 0.2:
            st.flags.append(f"discrimination {st.discrimination:.2f}: {discrimination_words(st.discrimination, st.n).split(':')[0]}")
        qstats.append(st)
    title = info.title or module
    return ModuleStats(module, title, info.pass_mark, required, lstats, qstats)


def analyse(records: Iterable[dict], banks: dict[str, ModuleBanks] | None = None,
            module: str | None = None) -> list[ModuleStats]:
    banks = banks or {}
    per: dict[str, list[dict]] = defaultdict(list)
    for r in records:
        if module is None or r["module"] == module:
            per[r["module"]].append(r)
    return [analyse_module(m, per[m], banks.get(m)) for m in sorted(per)]


# -------------------------------------------------------------------- plots
def _svg_img(fig, alt: str) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    data = base64.b64encode(buf.getvalue().encode("utf-8")).decode("ascii")
    return f'<img src="data:image/svg+xml;base64,{data}" alt="{html.escape(alt)}">'


def score_plot(ms: ModuleStats) -> tuple[str, str]:
    from matplotlib.figure import Figure
    scores = [100 * s for s in ms.scores()]
    fig = Figure(figsize=(6.4, 2.9))
    ax = fig.subplots()
    bins = list(range(0, 101, 10))
    counts = [0] * 10
    for s in scores:
        counts[min(9, max(0, int(s // 10)))] += 1
    ax.bar([b + 5 for b in bins[:-1]], counts, width=9, color="#3b6ea8", edgecolor="white")
    if ms.pass_mark is not None:
        ax.axvline(100 * ms.pass_mark, color="#b3261e", linestyle="--", linewidth=2)
        ax.text(100 * ms.pass_mark + 1, max(counts or [1]) * 0.95, f"pass mark {100 * ms.pass_mark:.0f} %",
                color="#b3261e", fontsize=10, va="top")
    ax.set_xlim(0, 100)
    ax.set_xlabel("Score (% of points)", fontsize=11)
    ax.set_ylabel("Learners", fontsize=11)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.spines[["top", "right"]].set_visible(False)
    n = len(scores)
    if n:
        med = statistics.median(scores)
        alt = (f"Bar chart of the scores of the {n} learners who completed {ms.title}: median {med:.0f} %, "
               f"lowest {min(scores):.0f} %, highest {max(scores):.0f} %. " +
               "; ".join(f"{bins[i]}–{bins[i + 1]} %: {c}" for i, c in enumerate(counts) if c))
    else:
        alt = f"No learner has completed {ms.title} yet, so there is no score to show."
    return _svg_img(fig, alt), alt


def facility_plot(ms: ModuleStats) -> tuple[str, str]:
    from matplotlib.figure import Figure
    qs = [q for q in ms.questions if q.facility is not None]
    h = max(1.6, 0.42 * len(qs) + 1.0)
    fig = Figure(figsize=(6.4, h))
    ax = fig.subplots()
    for lo, hi, col in ((0, 0.4, "#fbe3e1"), (0.4, 0.7, "#fff4d6"), (0.7, 1.0, "#e3f1e4")):
        ax.axvspan(lo, hi, color=col, zorder=0)
    labels = [q.id for q in qs][::-1]
    vals = [q.facility for q in qs][::-1]
    colours = ["#b3261e" if v < 0.4 else "#8a6100" if v < 0.7 else "#2e6b34" for v in vals]
    ax.barh(labels, vals, color=colours, zorder=2)
    for y, v in enumerate(vals):
        ax.text(min(v + 0.01, 0.9), y, f"{v:.2f}", va="center", fontsize=10, zorder=3)
    ax.set_xlim(0, 1)
    ax.set_xlabel("Facility index (share of points on the first attempt)", fontsize=11)
    ax.tick_params(axis="y", labelsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    alt = (f"Horizontal bar chart of the facility index of the {len(qs)} questions of {ms.title}. " +
           "; ".join(f"{q.id}: {q.facility:.2f} ({facility_words(q.facility).split(':')[0]})" for q in qs))
    return _svg_img(fig, alt), alt


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
                csv_links: dict[str, str] | None = None) -> str:
    """The report page; ``fragment=True`` gives a ``<div class="h4s-report">`` with scoped CSS instead."""
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
             '<li><strong>Completed</strong>: answered every question of the module\'s closing quiz.</li>'
             '<li><strong>Score</strong>: the latest answer to each closing-quiz question, as a share of its points.</li>'
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


def build_report(records: Iterable[dict], out_dir: str | Path, *, banks: dict[str, ModuleBanks] | None = None,
                 module: str | None = None, title: str = "Trainer report", note: str | None = None,
                 synthetic: bool = False) -> dict:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    mods = analyse(records, banks, module)
    page = out / "index.html"
    page.write_text(render_html(mods, title, note, synthetic), encoding="utf-8")
    files = write_csv(mods, out)
    return {"html": page, "csv": files, "modules": mods}


def report_from_store(out_dir: str | Path, *, db: str | Path | None = None, module: str | None = None,
                      modules_dir: str | Path | None = "modules", title: str = "Trainer report") -> dict:
    from h4s_kit.records.store import open_store
    with open_store(db) as s:
        recs = s.records(module=module)
    return build_report(recs, out_dir, banks=load_banks(modules_dir), module=module, title=title)

"""The numbers of the trainer report (see :mod:`h4s_kit.report` for how they are made): the question banks
of each module, and per module, question and learner the statistics of their records."""
from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
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
    draw: int | None = None                                   # the closing quiz is a pool: n per attempt


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
                info.draw = bank.draw
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
        mine = [q for q in required if (ln, q) in latest]
        total = len(required)
        if info.draw and info.closing:   # a pool: the draw's worth of closing questions answered last counts
            when = lambda q: latest[(ln, q)].get("ts", latest[(ln, q)].get("timestamp", 0)) or 0  # noqa: E731
            mine = sorted(mine, key=when, reverse=True)[:info.draw]
            total = info.draw
        answered = len(mine)
        completed = bool(required) and answered == total
        pts = sum(float(latest[(ln, q)].get("score") or 0) for q in mine)
        top = sum(float(latest[(ln, q)].get("max_score") or 0) for q in mine)
        score = pts / top if top else None
        passed = None
        if completed and score is not None and info.pass_mark is not None:
            passed = score >= info.pass_mark - 1e-9
        lstats.append(LearnerStats(module, ln, answered, total, completed, score, passed))

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

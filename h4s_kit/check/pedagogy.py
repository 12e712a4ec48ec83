"""Step 3: pedagogy lint.

- every wrong option (distractor) of a single_choice / multiple_response question has feedback;
- the module states at least 2 learning outcomes;
- the module has a closing quiz: metadata ``closing_quiz`` names a bank that exists, is shown in the
  notebook and sets ``pass_mark``;
- the notebook shows at least one question;
- (warning) in every bank, the right options of the single-choice questions do not stand out by their length
  (in a third or more of them, at least two, the right option 1.3 times as long as the longest wrong one and
  10 or more characters longer: a few letters are no cue).
"""
from __future__ import annotations

from h4s_widgets import MultipleResponse, SingleChoice, load_bank
from h4s_widgets._errors import BankFileError, QuestionError
from h4s_kit.check.notebook_metadata import HOW
from h4s_kit.modules import Module, norm_rel

from . import Context, Finding, Step

MIN_OUTCOMES = 2


class PedagogyStep(Step):
    name = "pedagogy"

    def run(self, module: Module, ctx: Context) -> list[Finding]:
        out: list[Finding] = []
        banks = ctx.get("banks", module) or {}
        calls = ctx.get("calls", module) or []
        out.extend(self._distractors(module, banks))
        out.extend(f for rel, bank in banks.items() if bank is not None for f in self._length_cue(module, rel, bank))
        if module.nb is None:
            return out
        meta = module.meta
        out.extend(self._outcomes(module, meta))
        out.extend(self._closing_quiz(module, meta, banks, calls))
        if not calls:
            out.append(self.error(
                module, module.nb_place, "the notebook shows no question (no Quiz(...) or show(...) call)",
                f'add a code cell tagged remove-input with: from h4s_widgets import Quiz; '
                f'Quiz("questions/section-1.yml", module="{module.id}")'))
        return out

    def _distractors(self, module: Module, banks: dict) -> list[Finding]:
        out = []
        for rel, bank in banks.items():
            if bank is None:
                continue
            for k, q in enumerate(bank.questions, start=1):
                if isinstance(q, SingleChoice):
                    right = {q.answer}
                elif isinstance(q, MultipleResponse):
                    right = set(q.answers)
                else:
                    continue
                for o in q.options:
                    if o.id not in right and not (o.feedback or "").strip():
                        out.append(self.error(
                            module, f"{module.file_place(rel)}:question {k} ({q.id})",
                            f"wrong option '{o.id}' (\"{_short(o.text)}\") has no feedback",
                            f"in {rel}, question {k}, under option '{o.id}' add a line "
                            f"'feedback: ...' saying why it is not right and what to think about"))
        return out

    def _outcomes(self, module: Module, meta: dict) -> list[Finding]:
        outcomes = meta.get("outcomes")
        n = len([o for o in outcomes if isinstance(o, str) and o.strip()]) if isinstance(outcomes, list) else 0
        if n >= MIN_OUTCOMES:
            return []
        have = "states no learning outcome" if n == 0 else f"states only {n} learning outcome"
        return [self.error(
            module, module.nb_place, f"the module {have} (metadata h4s.outcomes); at least {MIN_OUTCOMES} are needed",
            f'{HOW}: set "outcomes" to a list such as ["You can explain ...", "You can choose ..."]')]

    def _closing_quiz(self, module: Module, meta: dict, banks: dict, calls: list) -> list[Finding]:
        cq = meta.get("closing_quiz")
        if not isinstance(cq, str) or not cq.strip():
            return [self.error(
                module, module.nb_place, "the module has no closing quiz (metadata h4s.closing_quiz is not set)",
                f'write questions/closing-quiz.yml with pass_mark, show it at the end of the notebook with '
                f'Quiz("questions/closing-quiz.yml", module="{module.id}"), and {HOW}: set '
                f'"closing_quiz": "questions/closing-quiz.yml"')]
        rel = norm_rel(cq)
        path = module.folder / rel
        out = []
        if not path.is_file():
            return [self.error(
                module, module.nb_place, f"the closing quiz {cq} (metadata h4s.closing_quiz) does not exist",
                f"create {cq} (with pass_mark) or correct h4s.closing_quiz")]
        bank = banks.get(rel)
        if bank is None and rel not in banks:
            try:
                bank = load_bank(path)
            except (QuestionError, BankFileError):
                bank = None  # reported by the questions step when in questions/
        if bank is not None and rel not in banks:     # a closing quiz outside questions/: not seen above
            out.extend(self._length_cue(module, rel, bank))
        if bank is not None and bank.pass_mark is None:
            out.append(self.error(
                module, module.file_place(rel), "the closing quiz sets no pass_mark",
                f"add a line 'pass_mark: 0.7' (the fraction of points needed to pass, 0..1) at the top of {rel}"))
        if not any(c.bank is not None and norm_rel(c.bank) == rel for c in calls):
            out.append(self.error(
                module, module.nb_place, f"the closing quiz {cq} is not shown in the notebook",
                f'add a last code cell tagged remove-input with: from h4s_widgets import Quiz; '
                f'Quiz("{cq}", module="{module.id}")'))
        return out


    def _length_cue(self, module: Module, rel: str, bank) -> list[Finding]:
        """A bank whose right options stand out by their length teaches learners to pick the longest (and a
        closing quiz can then be passed that way)."""
        cued, counted = length_cues(bank)
        if cued_pattern(cued, counted):
            return [self.warning(
                module, module.file_place(rel),
                f"in {len(cued)} of {counted} single-choice questions of {rel} the right option is "
                f"clearly the longest (at least {CUE_RATIO:g} times the longest wrong one: "
                f"{', '.join(cued[:6])}{' ...' if len(cued) > 6 else ''}); a learner can score by picking the "
                f"longest option", "shorten the right options or write wrong options as long and as "
                                   "specific (plausible mistakes with the same detail)")]
        return []


def length_cues(bank) -> tuple[list[str], int]:
    """The ids of the single-choice questions (3 or more options) of ``bank`` whose right option is at least
    CUE_RATIO times as long as the longest wrong one and CUE_CHARS characters longer, and how many such questions
    the bank has."""
    cued, counted = [], 0
    for q in bank.questions:
        if not isinstance(q, SingleChoice) or len(q.options) < 3:
            continue
        counted += 1
        right = next(o for o in q.options if o.id == q.answer)
        longest_wrong = max(len(" ".join(o.text.split())) for o in q.options if o.id != q.answer)
        length = len(" ".join(right.text.split()))
        if length >= CUE_RATIO * longest_wrong and length - longest_wrong >= CUE_CHARS:
            cued.append(q.id)
    return cued, counted


def cued_pattern(cued: list[str], counted: int) -> bool:
    """Whether ``cued`` of ``counted`` single-choice questions (:func:`length_cues`) make a pattern a learner can
    use: a third or more of them, in a bank of two or more."""
    return counted >= 2 and len(cued) * 3 >= counted


#: a right option this many times as long as the longest wrong one is a cue (see _length_cue)
CUE_RATIO = 1.3
#: ... and at least this many characters longer ("Ο δημιουργός" against "Ο τίτλος" is no cue)
CUE_CHARS = 10


def _short(text: str, n: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 3] + "..."

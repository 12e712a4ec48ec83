"""Step 2: question banks are valid, and every ``Quiz("...")`` / ``show("...")`` call names a bank and ids that exist.

Banks are validated with :func:`h4s_widgets.load_bank`; its error text is the message.  Quiz calls are
found with ``ast`` (no code runs).  Hands ``banks`` ({relative path: Bank or None}) and ``calls`` to later steps.
"""
from __future__ import annotations

import re

from h4s_widgets import load_bank
from h4s_widgets._errors import BankFileError, QuestionError
from h4s_kit.modules import Module, bank_files, norm_rel, quiz_calls

from . import Context, Finding, Step

_Q_WHERE = re.compile(r"^(?P<src>.*): (?P<q>question \d+(?: \(.*\))?)$")


class QuestionsStep(Step):
    name = "questions"

    def run(self, module: Module, ctx: Context) -> list[Finding]:
        out: list[Finding] = []
        banks: dict[str, object] = {}
        owner: dict[str, str] = {}  # question id -> bank it first appeared in
        for path in bank_files(module.folder):
            rel = path.relative_to(module.folder).as_posix()
            place = module.file_place(rel)
            try:
                bank = load_bank(path)
            except QuestionError as e:
                banks[rel] = None
                out.append(self._question_error(module, rel, place, e))
                continue
            except BankFileError as e:
                banks[rel] = None
                out.append(self._file_error(module, rel, place, e, str(path)))
                continue
            banks[rel] = bank
            if bank.draw is not None and len(bank.questions) < 2 * bank.draw:
                out.append(self.warning(
                    module, place, f"draw: {bank.draw} shows {bank.draw} of only {len(bank.questions)} questions: "
                                   f"a learner who tries again meets mostly the same ones",
                    f"in {rel}, write at least {2 * bank.draw} questions for the pool, or lower draw"))
            for k, q in enumerate(bank.questions, start=1):
                if q.id in owner:
                    out.append(self.error(
                        module, f"{place}:question {k} ({q.id})",
                        f"question id '{q.id}' is also used in {owner[q.id]}; ids must be unique in the module "
                        f"(learner records use them)",
                        f"in {rel}, question {k}: give the question another id, e.g. '{q.id}-2'"))
                else:
                    owner[q.id] = rel
        ctx.put("banks", module, banks)
        if module.nb is None:
            ctx.put("calls", module, [])
            return out
        calls, bad = quiz_calls(module.nb)
        ctx.put("calls", module, calls)
        for cell, err in bad:
            out.append(self.error(
                module, module.cell_place(cell),
                f"the code cannot be read: SyntaxError: {err.msg} (line {err.lineno})",
                f"open module.ipynb, go to cell {cell} and correct line {err.lineno} of the code"))
        used: set[str] = set()
        known = ", ".join(banks) or "none"
        for c in calls:
            place = module.cell_place(c.cell)
            call = f'{c.func}("{c.bank}")' if c.bank is not None else f"{c.func}(...)"
            if c.module is not None and c.module != module.id:
                out.append(self.error(
                    module, place, f'{call} says module="{c.module}" but this module is "{module.id}"',
                    f'in cell {c.cell} write module="{module.id}" (learner records are filed under it)'))
            if c.bank is None:
                continue
            rel = norm_rel(c.bank)
            used.add(rel)
            target = module.folder / rel
            if not target.is_file():
                out.append(self.error(
                    module, place, f"{call} names the question bank {c.bank}, which does not exist "
                                   f"(banks in this module: {known})",
                    f"in cell {c.cell} correct the file name (relative to the module folder), "
                    f"or create {c.bank}"))
                continue
            bank = banks.get(rel)
            if bank is None and rel not in banks:  # a bank outside questions/
                try:
                    bank = load_bank(target)
                except (QuestionError, BankFileError) as e:
                    out.append(self.error(module, place, f"{call}: {e}", f"correct {c.bank}"))
                    bank = None
                banks[rel] = bank
            if bank is None or not c.ids:
                continue
            if bank.draw is not None:
                out.append(self.warning(
                    module, place, f"{call} picks ids={c.ids!r}, so the bank's draw: {bank.draw} does not apply",
                    f"in cell {c.cell} show the bank whole (no ids=) for its draw, or remove draw from {c.bank}"))
            ids = [q.id for q in bank.questions]
            missing = [i for i in c.ids if i not in ids]
            if missing:
                out.append(self.error(
                    module, place,
                    f"{call} asks for ids={c.ids!r} but {c.bank} has no question "
                    f"{', '.join(repr(m) for m in missing)} (its ids: {', '.join(ids)})",
                    f"in cell {c.cell} correct the ids to ones in {c.bank}, or add the questions to the bank"))
        for rel in banks:
            if rel not in used and module.nb is not None and not any(c.dynamic for c in calls):
                out.append(self.warning(
                    module, module.file_place(rel),
                    "this question bank is not shown anywhere in the notebook",
                    f'add a code cell tagged remove-input with: from h4s_widgets import Quiz; '
                    f'Quiz("{rel}", module="{module.id}") (or delete the file)'))
        return out

    def _question_error(self, module: Module, rel: str, place: str, e: QuestionError) -> Finding:
        m = _Q_WHERE.match(e.where)
        where = f"{place}:{m.group('q')}" if m else place
        what = f"'{e.field}' {e.problem}" if e.field else e.problem
        which = f"{m.group('q')}, " if m else ""
        field = f"field '{e.field}'" if e.field else "the file"
        return self.error(module, where, what,
                          f"open {rel} in a text editor and correct {which}{field} as the message says")

    def _file_error(self, module: Module, rel: str, place: str, e: BankFileError, src: str) -> Finding:
        text = str(e)
        where = place
        if text.startswith(src):
            rest = text[len(src):]
            m = re.match(r"^:(\d+)", rest)
            if m:
                where = f"{place}:line {m.group(1)}"
                rest = rest[m.end():]
            text = rest.lstrip(": ")
        return self.error(module, where, text, f"open {rel} in a text editor and correct it as the message says")

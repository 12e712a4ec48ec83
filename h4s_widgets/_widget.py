"""The live widget (drawn by anywidget's front end) and its static HTML fallback.

One :class:`Quiz` shows one or more questions.  Live (kernel): the browser
gets :func:`~h4s_widgets._spec.public_spec` only, sends responses as custom
messages, and Python grades them and syncs back the result.  Static (no
kernel): the display output also carries ``text/html`` with the same
front-end, the hashed key and the feedback, so the question works in a page
built by Jupyter Book or nbconvert.  Under ``h4s serve`` (``H4S_LIVE=1``) the
fallback is left out so that no key reaches the browser.

The synced ``state`` is a display only: the browser can write it, so nothing
is read back from it.  Attempts are counted in Python, from the learner's
stored records (``h4s_widgets._events.stored_attempts``; in memory when records
are off), and a solution is sent only when the bank's rule allows it for those
attempts.  The ``learner`` of a message is the one ``h4s serve``'s proxy wrote
into it (``h4s_kit.serve.stamp_learner``).  An answer that cannot be stored
(non-finite number, unpaired surrogate) is refused before it is graded, and a
grade is shown only once its record is stored.
"""
from __future__ import annotations

import html
import json
import os
import random
import secrets
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import traitlets

from . import _bank_cache
from ._anymodel import AnyModelWidget
from ._assets import runtime_tags, widget_css, widget_esm
from ._events import store_record, stored_attempts
from ._errors import SandboxUnavailable
from ._safe_json import UnsafeInput
from ._safe_json import check as check_clean
from ._bank_file import read_bank_bytes
from ._grading import Result, grade
from ._i18n import current_language, quiz_strings, strings
from ._session import rule_of, session_step
from ._spec import feedback_texts, key_from_template, obfuscate, public_spec, solution_html, static_key
from ._bank_cache import Kept

if TYPE_CHECKING:
    from ._schema import QuestionBase

_runtime_sent = False


def _as_questions(items: Any) -> list[QuestionBase]:
    from ._schema import QuestionBase, is_bank, load_bank, parse_question
    if is_bank(items):
        return list(items.questions)
    if isinstance(items, (str, Path)):
        return list(load_bank(items).questions)
    if isinstance(items, QuestionBase):
        return [items]
    out = []
    for i, q in enumerate(items):
        out.append(q if isinstance(q, QuestionBase) else parse_question(q, f"question {i + 1}"))
    return out


def _bank_questions(path: str | Path, ids: Sequence[str] | None = None, lang: str | None = None
                    ) -> tuple[Any, Any, list[QuestionBase | Kept]]:
    """``(pass_mark, draw, questions)`` of a bank file: validated once, then from the user's cache while the
    file, h4s and pydantic stay the same (h4s_widgets/_bank_cache.py: the questions are then
    :class:`~h4s_widgets._bank_cache.Kept`, only the questions ``ids`` when the bank has them all)."""
    raw = read_bank_bytes(path)
    kept = _bank_cache.load(path, raw, ids, lang)
    if kept is not None:
        return kept
    from . import _schema
    bank = _schema.parse_bank(_schema.bank_data(path, raw), source=str(path))
    _bank_cache.store(path, raw, bank, lang)
    return bank.pass_mark, bank.draw, list(bank.questions)


class Quiz(AnyModelWidget):
    """One or more questions with progress, running score, summary and reset.

    ``Quiz("questions/closing.yml")``, ``Quiz(bank, ids=["q1", "q2"])`` or
    ``Quiz([SingleChoice(...), Numeric(...)], title="Check yourself")``.
    """

    _esm = traitlets.Unicode(widget_esm()).tag(sync=True)
    _css = traitlets.Unicode(widget_css()).tag(sync=True)

    spec = traitlets.Dict().tag(sync=True)
    strings = traitlets.Dict().tag(sync=True)
    #: per question id: attempts, result, messages, solution (when unlocked)
    state = traitlets.Dict().tag(sync=True)
    #: a pool (bank with ``draw: n``): {attempt, ids} of the set this kernel drew (reset draws again)
    drawn = traitlets.Dict().tag(sync=True)

    def __init__(self, questions: Any, *, ids: Sequence[str] | None = None, title: str | None = None,
                 pass_mark: float | None = None, shuffle: bool = False, seed: Any = None,
                 lang: str | None = None, module: str | None = None, live_url: str | None = None, **kw: Any):
        draw = None   # a bank's `draw: n` (the whole bank is the pool): n questions per attempt (ui/quiz.js)
        if isinstance(questions, (str, Path)):
            bank_pass_mark, bank_draw, qs = _bank_questions(questions, ids, lang or current_language())
            pass_mark = bank_pass_mark if pass_mark is None else pass_mark
            if bank_draw is not None and ids is None:
                draw = {"n": bank_draw, "bank": Path(questions).stem}
        else:
            qs = _as_questions(questions)
        if ids is not None:
            by_id = {q.id: q for q in qs}
            missing = [i for i in ids if i not in by_id]
            if missing:
                from ._errors import QuestionError
                raise QuestionError(str(questions) if isinstance(questions, (str, Path)) else "quiz", "ids",
                                    f"names unknown question(s) {', '.join(missing)}; known: {', '.join(by_id)}")
            qs = [by_id[i] for i in ids]
        if shuffle:
            random.Random(seed).shuffle(qs)
        self._seed = seed if seed is not None else 0
        if self._seed != 0:   # a kept question's spec was made with seed 0
            qs = [_model(q) for q in qs]
        self._questions = {q.id: q for q in qs}   # a model, or a Kept question until it is graded
        self._order = [q.id for q in qs]
        self._lang = (lang or current_language())
        self._module = module or os.environ.get("H4S_MODULE_ID")
        self._started = {qid: time.time() for qid in self._order}
        self._attempts: dict[tuple[Any, str], int] = {}   # (learner, qid) -> counted checks (Python's own count)
        self._last_learner: Any = None
        self._live_url = live_url
        self.title = title
        self.pass_mark = pass_mark
        super().__init__(
            spec={"title": title, "pass_mark": pass_mark, "module": self._module, "live_url": live_url,
                  **({"draw": draw} if draw else {}),
                  "questions": [q.shown["spec"] if _shows(q) else public_spec(_model(q), self._seed) for q in qs]},
            strings=quiz_strings(self._lang),
            state={},
            **kw,
        )
        self._draw = draw
        if draw:
            self._new_draw()
        self.on_msg(self._on_msg)

    def set_state(self, sync_data: Any) -> None:
        """Nothing: a page does not set a quiz's state.  ipywidgets calls this for an ``update`` from the front end,
        which would set any synced trait (the kernel's draw of a pool, the questions, the results); the quiz's
        own front end never sends one (only the messages of :meth:`_on_msg`), so a page that does is not
        listened to."""
        return None

    def _new_draw(self) -> None:
        """A new set of the pool, drawn here (the kernel), not in the browser (h4s_widgets/_draw.py)."""
        from ._draw import draw_ids
        self.drawn = {"attempt": int(self.drawn.get("attempt") or 0) + 1,
                      "ids": draw_ids(self._order, secrets.token_hex(8), self._draw["n"])}

    def _outside_draw(self, qid: str) -> bool:
        return bool(self._draw) and qid not in self.drawn.get("ids", [])

    # ------------------------------------------------------------ live path
    @property
    def questions(self) -> list[QuestionBase]:
        return [self._question(i) for i in self._order]

    def _question(self, qid: Any) -> QuestionBase | None:
        """The model of question ``qid`` (a kept question's is built now), or None."""
        q = self._questions.get(qid) if isinstance(qid, str) else None
        if isinstance(q, Kept):
            q = self._questions[qid] = q.model()
        return q

    def _on_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        action = content.get("action")
        if content.get("learner") is None and action in ("check", "solution"):
            # a front-end that sent no id (an older page): the learner who last answered in this widget
            content = dict(content, learner=self._last_learner)
        elif action in ("check", "solution"):
            self._last_learner = content.get("learner")
        if action == "check":
            self.check(content.get("qid"), content.get("response"), learner=content.get("learner"))
        elif action == "solution":
            self.reveal_solution(content.get("qid"), learner=content.get("learner"))
        elif action == "reset":
            self.reset()

    def attempts(self, qid: str, learner: str | None = None) -> int:
        """Counted checks of ``learner`` on ``qid``: the stored records (this widget's own count if more)."""
        mine = self._attempts.get((learner, qid), 0)
        stored = stored_attempts(learner, self._module, qid)
        return mine if stored is None else max(stored, mine)

    def _set(self, qid: str, st: dict) -> None:
        new_state = dict(self.state)
        new_state[qid] = st
        self.state = new_state

    def check(self, qid: str, response: Any, learner: str | None = None) -> Result | None:
        """Grade one response (as the front-end sends it) and sync the result back."""
        q = self._question(qid)
        if q is None:
            return None
        st = dict(self.state.get(qid, {}))
        if self._outside_draw(qid):
            st.update(error=f"question {qid} is not in your current set of this quiz; reload the page")
            self._set(qid, st)
            return None
        try:
            check_clean(response)
            attempts = self.attempts(qid, learner)
        except UnsafeInput as e:
            st.update(error=str(e))
            self._set(qid, st)
            return None
        except Exception:   # the store cannot be read: no limit can be enforced, so nothing is graded
            st.update(error=strings(self._lang).get("save_failed", "Your answer could not be saved; try again."))
            self._set(qid, st)
            return None
        rule = rule_of(q)
        if session_step(rule, attempts, "check")["refused"]:
            return None
        try:
            result = grade(q, response)
        except SandboxUnavailable as e:   # code cannot run safely here (a served kernel without bwrap)
            st.update(error=str(e))
            self._set(qid, st)
            return None
        step = session_step(rule, attempts, "check", result.feedback)
        if not step["counted"]:
            # nothing answered (or not a number): tell the learner, but it costs no attempt and is no record
            st.update(result=result.as_dict(details=True), messages=[], general=None)
            self._set(qid, st)
            return result
        attempts = step["attempts"]
        now = time.time()
        try:
            store_record({
                "learner": learner, "module": self._module, "question": q, "response": response,
                "result": result, "attempt": attempts, "timestamp": now,
                "duration_s": round(now - self._started.get(qid, now), 3),
            })
        except Exception:   # no grade without its record
            st.update(error=strings(self._lang).get("save_failed", "Your answer could not be saved; try again."))
            self._set(qid, st)
            return None
        self._attempts[(learner, qid)] = attempts
        self._started[qid] = now
        fb = feedback_texts(q, self._lang)
        messages = [fb[i] for i in result.feedback if i in fb]
        st.pop("error", None)
        st.update(attempts=attempts, result=result.as_dict(details=True), messages=messages,
                  general=fb.get("general"), response=response, solution_available=step["solution_available"])
        if step["send_solution"]:
            # a reflection shows its example answer once the learner has written their own
            st["solution"] = solution_html(q, self._lang)
        self._set(qid, st)
        return result

    def reveal_solution(self, qid: str, learner: str | None = None) -> None:
        """Send the solution when the bank's rule allows it for the attempts counted here (never the synced state)."""
        q = self._question(qid)
        if q is None or self._outside_draw(qid):
            return
        try:
            attempts = self.attempts(qid, learner)
        except Exception:
            return
        if session_step(rule_of(q), attempts, "solution")["refused"]:
            return
        st = dict(self.state.get(qid, {}))
        st.update(solution=solution_html(q, self._lang), solution_available=True)
        self._set(qid, st)

    def reset(self) -> None:
        """Clear what the page shows (a pool: draw a new set); the attempts counted (and stored) stay."""
        if self._draw:
            self._new_draw()
        self.state = {}
        self._started = {qid: time.time() for qid in self._order}

    # ----------------------------------------------------------- static path
    def static_payload(self, salt: str | None = None) -> dict:
        salt = salt or secrets.token_hex(8)
        qs = []
        for qid in self._order:
            q = self._questions[qid]
            if _shows(q):   # a kept question: as its model showed it when the bank was kept
                sol, key, fb = q.shown["sol"], key_from_template(q.shown["key"], salt), dict(q.shown["fb"])
            else:
                q = self._question(qid)
                sol, key, fb = solution_html(q, self._lang), static_key(q, salt), feedback_texts(q, self._lang)
            key.pop("model_answer", None)  # the grader does not need it; it travels obfuscated in `sol`
            qs.append({
                "key": key,
                "salt": salt,  # for deobfuscate(); hashed keys carry it too
                "fb": fb,
                "sol": obfuscate(sol, salt, qid) if sol else None,
            })
        return {"spec": self.spec, "strings": self.strings, "static": qs}

    def static_html(self, include_runtime: bool = True) -> str:
        payload = json.dumps(self.static_payload(), ensure_ascii=False, separators=(",", ":"))
        payload = payload.replace("</", "<\\/")
        first = self._questions[self._order[0]]
        title = html.escape(self.title or first.title or "Quiz")
        parts = [
            f'<div class="h4s-quiz h4s-static" data-h4s-static lang="{html.escape(self._lang)}">',
            f'<script type="application/json" class="h4s-data">{payload}</script>',
            f'<noscript><p>{title}: this quiz needs JavaScript.</p></noscript>',
            "</div>",
        ]
        if include_runtime:
            parts.append(f'<style id="h4s-css">{widget_css()}</style>')
            parts.append(runtime_tags())
        return "".join(parts)

    def _repr_mimebundle_(self, **kwargs: Any):
        global _runtime_sent
        bundle = super()._repr_mimebundle_(**kwargs)
        data, meta = (bundle if isinstance(bundle, tuple) else (bundle, {}))
        data = dict(data or {})
        if os.environ.get("H4S_LIVE") != "1":
            data["text/html"] = self.static_html(include_runtime=not _runtime_sent)
            _runtime_sent = True
        data["text/plain"] = f"h4s quiz: {len(self._order)} question(s)"
        return data, meta


def _model(q: Any) -> Any:
    return q.model() if isinstance(q, Kept) else q


def _shows(q: Any) -> bool:
    """A kept question with what a quiz shows of it in this quiz's language."""
    return isinstance(q, Kept) and q.shown is not None


def show(questions: Any, **kw: Any) -> Quiz:
    """``show("questions/q.yml", ids=[...])``: a :class:`Quiz` ready to display."""
    return Quiz(questions, **kw)


def _reset_runtime_flag() -> None:
    """For tests and for renderers that start a new page."""
    global _runtime_sent
    _runtime_sent = False

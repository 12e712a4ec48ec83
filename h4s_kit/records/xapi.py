"""Learner records as xAPI 1.0.3 statements.

One statement per graded interaction (verb *answered*), plus *completed* and
*passed*/*failed* for a module once its closing quiz is done.  The mapping is
mirrored in ``h4s_widgets/_static/records.js`` (static book, "Download my
results"); keep both in step.

* actor: ``{"objectType": "Agent", "account": {"homePage": H4S_XAPI_HOMEPAGE, "name": <pseudonym>}}``, never mbox;
* object: the question, ``<base>/modules/<module>/questions/<qid>``, activity type cmi.interaction with
  an interactionType from the question type's unit (``XAPI_INTERACTION``, :data:`INTERACTION_TYPES`);
* result: score {raw, min, max, scaled}, success, response (xAPI response pattern), duration (ISO 8601);
* context: contextActivities.parent = the module activity ``<base>/modules/<module>``; extensions carry
  h4s's own fields (question type, attempt, raw response as JSON) so that ``h4s records import`` can
  rebuild the record;
* id: the record's uuid (retries and imports are idempotent).

``<base>`` is ``H4S_XAPI_BASE`` (set it to the address of your published book); the default
``https://h4s.invalid/xapi`` is a placeholder.  Extension IRIs are fixed names, not addresses.
"""
from __future__ import annotations

import html
import os
import re
import uuid as uuidlib
from datetime import datetime, timezone
from typing import Any

from h4s_widgets._schema import REGISTRY
from h4s_widgets.types._xapi import canonical_json, js_number, other, plain  # noqa: F401  (public here too)

XAPI_VERSION = "1.0.3"
DEFAULT_BASE = "https://h4s.invalid/xapi"
EXT = "https://h4s.invalid/xapi/ext/"
EXT_QTYPE = EXT + "question-type"
EXT_ATTEMPT = EXT + "attempt"
EXT_RESPONSE = EXT + "response-json"
EXT_MODULE = EXT + "module"
EXT_QUESTION = EXT + "question"

VERBS = {
    "answered": "http://adlnet.gov/expapi/verbs/answered",
    "completed": "http://adlnet.gov/expapi/verbs/completed",
    "passed": "http://adlnet.gov/expapi/verbs/passed",
    "failed": "http://adlnet.gov/expapi/verbs/failed",
}
CMI_INTERACTION = "http://adlnet.gov/expapi/activities/cmi.interaction"
MODULE_TYPE = "http://adlnet.gov/expapi/activities/module"

def interaction_type(qtype: str) -> str:
    """The xAPI interactionType of a question type (its unit's ``XAPI_INTERACTION``; ``other`` if unknown)."""
    from h4s_widgets.types import hook
    return hook(qtype, "XAPI_INTERACTION") or "other"


#: h4s question type -> xAPI interactionType (from the type units), in the order of the bank schema
INTERACTION_TYPES = {name: interaction_type(name) for name in REGISTRY}


def base() -> str:
    return os.environ.get("H4S_XAPI_BASE", DEFAULT_BASE).rstrip("/")


def homepage() -> str:
    return os.environ.get("H4S_XAPI_HOMEPAGE", base())


def module_iri(module: str) -> str:
    return f"{base()}/modules/{module}"


def question_iri(module: str, qid: str) -> str:
    return f"{module_iri(module)}/questions/{qid}"


def iso_timestamp(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def iso_duration(seconds: float | None) -> str | None:
    """ISO 8601 duration, e.g. ``PT12.5S`` or ``PT1H2M3S`` (xAPI keeps 0.01 s precision)."""
    if seconds is None or seconds < 0:
        return None
    cs = int(round(seconds * 100))
    h, rem = divmod(cs, 360000)
    m, rem = divmod(rem, 6000)
    s = rem / 100
    out = "PT"
    if h:
        out += f"{h}H"
    if m:
        out += f"{m}M"
    if s or out == "PT":
        out += (f"{s:.2f}".rstrip("0").rstrip(".")) + "S"
    return out


_DUR = re.compile(r"^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


def parse_duration(s: str | None) -> float | None:
    if not s:
        return None
    m = _DUR.match(s)
    if not m or s in ("P", "PT"):
        raise ValueError(f"not an ISO 8601 duration: {s!r}")
    d, h, mi, sec = (float(x) if x else 0.0 for x in m.groups())
    return d * 86400 + h * 3600 + mi * 60 + sec


def actor(learner: str) -> dict:
    return {"objectType": "Agent", "account": {"homePage": homepage(), "name": learner}}


def shown_text(html_text: str | None) -> str:
    """The question text as the quiz sends it with every answer (ui.js: the text content of its HTML, where
    cloze and drag-the-words gaps are empty)."""
    return html.unescape(plain(html_text))


def public_text(qtype: str, text: str | None) -> str | None:
    """A stored question text as a learner may read it back: the type unit's ``public_text`` hides what holds
    the answers (cloze and drag-the-words gaps become ``_____``)."""
    if text is None:
        return None
    from h4s_widgets.types import hook
    own = hook(qtype, "public_text")
    return own(text) if own is not None else text


def question_spec(question: Any) -> dict | None:
    """What the learner's page shows of ``question`` (h4s_widgets._spec.public_spec: no answer keys)."""
    if question is None or not hasattr(question, "model_dump"):
        return None
    from h4s_widgets._spec import public_spec
    return public_spec(question)




def interaction_components(qtype: str, spec: dict | None, lang: str) -> dict:
    """The choices / source and target of the interaction, as the learner's page shows them: ids and texts
    only, never which is right (no correctResponsesPattern: a learner can read their own statements).  Targets
    are numbered 1, 2, ...: the right-hand items of a matching question in the order the page lists them, the
    scale points of a Likert question (a matching of its statements to the scale)."""
    if not spec:
        return {}
    from h4s_widgets.types import hook
    own = hook(qtype, "xapi_components")
    return own(spec, lang) if own is not None else {}


def response_pattern(qtype: str, response: Any, question: Any = None, spec: dict | None = None) -> str:
    """The learner's response as an xAPI response string for its interactionType: ids for choice and
    sequencing, ``source[.]target`` ids for matching and Likert, a number for numeric, texts for fill-in."""
    if spec is None:
        spec = question_spec(question)
    if response is None:
        return ""
    from h4s_widgets.types import hook
    own = hook(qtype, "xapi_response")
    return own(response, spec) if own is not None else other(response)




def _lang() -> str:
    return os.environ.get("H4S_LANG", "en")


def answered_statement(rec: dict, question: Any = None) -> dict:
    """The *answered* statement for one stored record (``rec`` as given to ``RecordStore.add_record``)."""
    module, qid, qtype = rec["module"], rec["question"], rec["qtype"]
    lang = rec.get("lang") or _lang()
    name = rec.get("question_title") or qid
    spec = question_spec(question)
    definition: dict[str, Any] = {
        "type": CMI_INTERACTION,
        "interactionType": interaction_type(qtype),
        "name": {lang: str(name)[:200]},
    }
    # the text as the learner's page shows it: never the raw text, whose cloze gaps hold the answers
    desc = shown_text(spec["text_html"]) if spec else public_text(qtype, rec.get("question_text"))
    if desc:
        definition["description"] = {lang: str(desc)[:1000]}
    definition.update(interaction_components(qtype, spec, lang))
    result: dict[str, Any] = {
        "response": response_pattern(qtype, rec.get("response"), spec=spec),
        "extensions": {EXT_RESPONSE: canonical_json(rec.get("response"))},
    }
    mx, raw = rec.get("max_score"), rec.get("score")
    if raw is not None and mx:
        raw = float(raw)
        mx = float(mx)
        lo = min(0.0, raw)
        result["score"] = {"raw": raw, "min": lo, "max": max(mx, raw),
                           "scaled": round(max(-1.0, min(1.0, raw / mx)), 4)}
    if rec.get("success") is not None:
        result["success"] = bool(rec["success"])
    dur = iso_duration(rec.get("duration_s"))
    if dur:
        result["duration"] = dur
    return {
        "id": rec["uuid"],
        "actor": actor(rec["learner"]),
        "verb": {"id": VERBS["answered"], "display": {"en-US": "answered"}},
        "object": {"objectType": "Activity", "id": question_iri(module, qid), "definition": definition},
        "result": result,
        "context": {
            "contextActivities": {"parent": [module_activity(module, rec.get("module_title"))]},
            "platform": "h4s",
            "language": lang,
            "extensions": {EXT_MODULE: module, EXT_QUESTION: qid, EXT_QTYPE: qtype,
                           EXT_ATTEMPT: int(rec.get("attempt") or 1)},
        },
        "timestamp": iso_timestamp(float(rec["timestamp"])),
        "version": XAPI_VERSION,
    }


def module_activity(module: str, title: str | None = None) -> dict:
    return {"objectType": "Activity", "id": module_iri(module),
            "definition": {"type": MODULE_TYPE, "name": {"en": title or module}}}


def module_statement(verb: str, learner: str, module: str, ts: float, *, scaled: float | None = None,
                     success: bool | None = None, statement_id: str | None = None) -> dict:
    """*completed*, *passed* or *failed* for a module (object = the module activity)."""
    if verb not in ("completed", "passed", "failed"):
        raise ValueError(verb)
    result: dict[str, Any] = {"completion": True}
    if scaled is not None:
        result["score"] = {"scaled": round(max(-1.0, min(1.0, scaled)), 4)}
    if success is not None:
        result["success"] = success
    return {
        "id": statement_id or str(uuidlib.uuid4()),
        "actor": actor(learner),
        "verb": {"id": VERBS[verb], "display": {"en-US": verb}},
        "object": module_activity(module),
        "result": result,
        "context": {"platform": "h4s", "language": _lang(), "extensions": {EXT_MODULE: module}},
        "timestamp": iso_timestamp(ts),
        "version": XAPI_VERSION,
    }


def module_statement_id(learner: str, module: str, verb: str, n: int = 0) -> str:
    """Deterministic ids so that two kernels closing the same quiz do not send two statements."""
    return str(uuidlib.uuid5(uuidlib.NAMESPACE_URL, f"h4s:{learner}:{module}:{verb}:{n}"))

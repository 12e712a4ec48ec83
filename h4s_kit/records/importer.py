"""``h4s records import FILE``: load a learner's "Download my results" file into the store.

The file is what ``records.js`` saves in the static book::

    {"format": "h4s-results", "version": 1, "learner": "...", "statements": [<xAPI statements>]}

(a bare JSON list of statements is accepted too).  Every statement is checked first; if one is
malformed nothing is imported and the error names the statement and the field.  Records keep the
statement id as their uuid, so importing the same file twice adds nothing the second time.
*answered* statements become records; *completed*/*passed*/*failed* are skipped (the report
recomputes them from the answers).  When ``H4S_LRS_URL`` is set the new statements are queued for
the LRS as well.
"""
from __future__ import annotations

import json
import time
import uuid as uuidlib
from datetime import datetime
from pathlib import Path
from typing import Any

from h4s_widgets._errors import RecordsError

from . import xapi
from .lrs import config_from_env
from .store import LEARNER_RE, RecordStore, clean_learner

_ANSWERED = xapi.VERBS["answered"]
_MODULE_VERBS = {xapi.VERBS[v] for v in ("completed", "passed", "failed")}
MAX_STATEMENTS = 100_000


def _ts(s: Any) -> float:
    if not isinstance(s, str):
        raise ValueError("'timestamp' must be an ISO 8601 date-time string")
    try:
        return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise ValueError(f"'timestamp' {s[:40]!r} is not an ISO 8601 date-time") from None


def _record_from(st: Any, directory: Path | None) -> dict | None:
    """One record from one statement (None for module-level statements); ValueError says what is wrong."""
    if not isinstance(st, dict):
        raise ValueError("must be a JSON object")
    sid = st.get("id")
    try:
        sid = str(uuidlib.UUID(str(sid)))
    except ValueError:
        raise ValueError("'id' must be a UUID") from None
    act = st.get("actor")
    if not isinstance(act, dict):
        raise ValueError("'actor' is missing")
    if any(k in act for k in ("mbox", "mbox_sha1sum", "openid")):
        raise ValueError("'actor' identifies the learner by e-mail or openid; h4s files use a pseudonymous "
                         "account {homePage, name}")
    acc = act.get("account")
    if not isinstance(acc, dict) or not acc.get("name") or not isinstance(acc.get("homePage"), str):
        raise ValueError("'actor.account' needs 'homePage' and 'name'")
    verb = (st.get("verb") or {}).get("id")
    if verb in _MODULE_VERBS:
        _ts(st.get("timestamp"))
        return None
    if verb != _ANSWERED:
        raise ValueError(f"'verb.id' {verb!r} is not one h4s writes (answered, completed, passed, failed)")
    obj = st.get("object") or {}
    if not isinstance(obj.get("id"), str):
        raise ValueError("'object.id' is missing")
    ctx = (st.get("context") or {}).get("extensions") or {}
    module, qid, qtype = ctx.get(xapi.EXT_MODULE), ctx.get(xapi.EXT_QUESTION), ctx.get(xapi.EXT_QTYPE)
    if not module:
        parents = ((st.get("context") or {}).get("contextActivities") or {}).get("parent") or []
        if parents and isinstance(parents[0], dict) and "/modules/" in str(parents[0].get("id", "")):
            module = str(parents[0]["id"]).rsplit("/modules/", 1)[1].split("/")[0]
    if not qid and "/questions/" in obj["id"]:
        qid = obj["id"].rsplit("/questions/", 1)[1]
    if not module or not qid:
        raise ValueError("cannot tell the module and question (context.extensions or object.id)")
    if not qtype:
        it = (obj.get("definition") or {}).get("interactionType")
        # the first type (in the bank schema's order) with this interaction: single_choice for choice, cloze
        # for fill-in, matching for matching; "other" when no type has it
        qtype = next((k for k, v in xapi.INTERACTION_TYPES.items() if v == it), "other")
    for name, v in (("module", module), ("question", qid), ("question type", qtype)):
        if not isinstance(v, str) or not LEARNER_RE.match(v):
            raise ValueError(f"{name} id {str(v)[:40]!r} has characters h4s does not use in ids")
    res = st.get("result") or {}
    if not isinstance(res, dict):
        raise ValueError("'result' must be an object")
    raw = (res.get("extensions") or {}).get(xapi.EXT_RESPONSE)
    try:
        response = json.loads(raw) if isinstance(raw, str) else res.get("response")
    except ValueError:
        raise ValueError("the response extension is not JSON") from None
    score = res.get("score") or {}
    for k in ("raw", "max"):
        if k in score and (not isinstance(score[k], (int, float)) or isinstance(score[k], bool)):
            raise ValueError(f"'result.score.{k}' must be a number")
    if "success" in res and not isinstance(res["success"], bool):
        raise ValueError("'result.success' must be true or false")
    try:
        duration = xapi.parse_duration(res.get("duration"))
    except ValueError as e:
        raise ValueError(f"'result.duration': {e}") from None
    attempt = ctx.get(xapi.EXT_ATTEMPT, 1)
    if not isinstance(attempt, int) or attempt < 1:
        raise ValueError("the attempt extension must be a whole number from 1")
    desc = (obj.get("definition") or {}).get("description") or {}
    return {
        "uuid": sid, "learner": clean_learner(acc["name"], directory), "module": module, "question": qid,
        "qtype": qtype, "question_text": next(iter(desc.values()), None) if isinstance(desc, dict) else None,
        "response": response, "score": score.get("raw"), "max_score": score.get("max"),
        "success": res.get("success"), "attempt": attempt, "timestamp": _ts(st.get("timestamp")),
        "duration_s": duration, "source": "import",
    }


def load_statements(path: str | Path) -> list:
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RecordsError(f"{p}: no such file") from None
    except (ValueError, UnicodeDecodeError) as e:
        raise RecordsError(f"{p}: not a JSON file ({e})") from None
    if isinstance(data, dict):
        if data.get("format") not in (None, "h4s-results"):
            raise RecordsError(f"{p}: 'format' is {data.get('format')!r}; expected 'h4s-results'")
        if data.get("version", 1) != 1:
            raise RecordsError(f"{p}: version {data.get('version')!r} is newer than this h4s understands (1)")
        data = data.get("statements")
    if not isinstance(data, list):
        raise RecordsError(f"{p}: expected a list of xAPI statements (or {{\"statements\": [...]}})")
    if len(data) > MAX_STATEMENTS:
        raise RecordsError(f"{p}: {len(data)} statements; at most {MAX_STATEMENTS} per file")
    return data


def import_records_file(store: RecordStore, path: str | Path) -> dict:
    statements = load_statements(path)
    recs, errors = [], []
    for i, st in enumerate(statements):
        try:
            recs.append((_record_from(st, store.key_dir), st))
        except ValueError as e:
            sid = st.get("id") if isinstance(st, dict) else None
            errors.append(f"statement {i + 1}" + (f" ({sid})" if sid else "") + f": {e}")
    if errors:
        more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
        raise RecordsError(f"{path}: nothing imported; " + "; ".join(errors[:5]) + more)
    send = config_from_env() is not None
    added = skipped = module_level = 0
    for rec, st in recs:
        if rec is None:
            module_level += 1
            continue
        if st["actor"]["account"]["name"] != rec["learner"]:  # never forward an e-mail to the LRS
            st = dict(st, actor={"objectType": "Agent", "account": {"homePage": st["actor"]["account"]["homePage"],
                                                                   "name": rec["learner"]}})
        if store.add_record(rec, [st] if send else []):
            added += 1
        else:
            skipped += 1
    return {"file": str(path), "statements": len(statements), "added": added, "already_there": skipped,
            "module_level_skipped": module_level, "imported_at": time.time()}

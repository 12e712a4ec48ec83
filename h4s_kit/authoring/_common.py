"""What the panels share: the anywidget view, the generated schemas, errors as {field path: message}."""
from __future__ import annotations

import json
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import anywidget
import traitlets

import h4s_widgets

STATIC = Path(__file__).parent / "_static"
BANK_SCHEMA = Path(h4s_widgets.__file__).resolve().parent / "schema" / "question-bank.schema.json"


class PanelView(anywidget.AnyWidget):
    """The front-end of every panel (``kind`` picks the editor, module or check view in authoring.js)."""

    _esm = STATIC / "authoring.js"
    _css = STATIC / "authoring.css"
    kind = traitlets.Unicode("").tag(sync=True)
    status = traitlets.Unicode("").tag(sync=True)
    revision = traitlets.Int(0).tag(sync=True)
    #: the home folder, as the page config of JupyterLab writes it ``~`` (links to files under the server root)
    home = traitlets.Unicode("").tag(sync=True)

    def __init__(self, **kw: Any):
        super().__init__(**{"home": os.path.expanduser("~"), **kw})


@lru_cache(maxsize=1)
def bank_schema() -> dict:
    """The generated JSON Schema of a question bank (h4s_widgets/schema/question-bank.schema.json)."""
    return json.loads(BANK_SCHEMA.read_text(encoding="utf-8"))


def type_defs() -> dict[str, dict]:
    """Question type name -> its schema definition (from the schema's discriminator mapping)."""
    schema = bank_schema()
    mapping = schema["properties"]["questions"]["items"]["discriminator"]["mapping"]
    return {name: schema["$defs"][ref.split("/")[-1]] for name, ref in sorted(mapping.items())}


_INDEX_RE = re.compile(r"\[(\d+)\]")


def field_key(field: str | None) -> str:
    """``options[0].text`` (as h4s's errors name a field) -> ``options.0.text`` (the form's key)."""
    if not field:
        return ""
    return _INDEX_RE.sub(r".\1", field).strip(".")


def _empty(schema: dict, defs: dict) -> Any:
    if "$ref" in schema:
        schema = defs[schema["$ref"].split("/")[-1]]
    if "anyOf" in schema:
        other = [s for s in schema["anyOf"] if s.get("type") != "null"]
        schema = other[0] if other else {}
        if "$ref" in schema:
            schema = defs[schema["$ref"].split("/")[-1]]
    t = schema.get("type")
    if t == "object" or "properties" in schema:
        return {name: _empty(schema["properties"][name], defs) for name in schema.get("required", [])}
    if t == "array":
        return []
    if t in ("number", "integer"):
        return 0
    if t == "boolean":
        return False
    return ""


def skeleton(type_name: str, qid: str) -> dict:
    """A new question of ``type_name``: its type, id and every required field, empty (the form shows the rest).

    A required list of items gets one empty item, so that the form shows the item's fields at once."""
    defs = bank_schema()["$defs"]
    d = type_defs()[type_name]
    q: dict[str, Any] = {"id": qid, "type": type_name}
    for name in d.get("required", []):
        if name in q:
            continue
        prop = d["properties"][name]
        value = _empty(prop, defs)
        items = prop.get("items", {})
        if isinstance(value, list) and ("$ref" in items or items.get("type") == "object"):
            first = _empty(items, defs)
            if isinstance(first, dict) and "id" in first:
                first["id"] = "a"
            value = [first]
        q[name] = value
    return q


def question_errors(data: Any) -> dict[str, str]:
    """Every problem of one question as {form key: message}, in h4s's own words ({} when it is valid).

    :func:`h4s_widgets.question_problems`: the validation and the words of :func:`h4s_widgets.parse_question`
    (and of h4s check); the first problem of a field is the one shown next to it."""
    from h4s_widgets import question_problems

    out: dict[str, str] = {}
    for field, problem in question_problems(data):
        out.setdefault(field_key(field), problem)
    return out

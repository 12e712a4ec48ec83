"""Module proposals (issue 19): the idea for a module, written before the module, e.g. at a hackathon.

``h4s propose`` writes a proposal file (YAML, readable and editable by hand); ``h4s new --from FILE`` scaffolds
the module with its metadata filled in from it.  The fields a proposal shares with a module's metadata (title,
outcomes, EQF level, language, duration, licence, audience) are validated by the module metadata's own field
definitions (:class:`h4s_kit.metadata.ModuleMeta`): one source of truth for what a valid value is.
"""
from __future__ import annotations

import datetime as _dt
import json
from pathlib import Path
from typing import Any, Optional

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from h4s_widgets._errors import H4SError

from .metadata import ALLOWED as META_ALLOWED
from .metadata import DEFAULT_LICENCE, ModuleMeta

PROPOSAL_VERSION = 1
#: fields a proposal shares with module metadata (validated by ModuleMeta's field definitions)
SHARED = ("title", "outcomes", "eqf_level", "duration_minutes", "language", "licence", "audience")

ALLOWED: dict[str, str] = {
    "proposal_version": f"the number {PROPOSAL_VERSION}",
    "challenge": "a non-empty text: the problem from practice that the module helps with, in one or two sentences",
    "partner": "the name of the partner organisation that brought the challenge (e.g. a company or a school), "
               "or leave it out",
    "proposers": "a list of at least one name: who proposes the module",
    "date": "a date written YYYY-MM-DD",
    **{k: META_ALLOWED[k] for k in SHARED},
    "outcomes": "a list of at least two texts, one learning outcome each, e.g. [\"You can ...\", \"You can ...\"]",
    "audience": "a list of at least one text: who the module is for, e.g. [\"VET learners\"]",
}


class ProposalError(H4SError, ValueError):
    """A proposal file or the answers given to ``h4s propose`` are not valid."""


_Text = Field(min_length=1, pattern=r"\S")
_shared = {name: (ModuleMeta.model_fields[name].annotation, ModuleMeta.model_fields[name]) for name in SHARED}
_shared["outcomes"] = (list[Any], Field(min_length=2))           # items checked below, as in the metadata
_shared["audience"] = (list[Any], Field(min_length=1))
_shared["licence"] = (ModuleMeta.model_fields["licence"].annotation, Field(DEFAULT_LICENCE, min_length=1))
_Base = create_model("_Base", __config__=ConfigDict(extra="forbid"), **_shared)


class Proposal(_Base):  # type: ignore[misc, valid-type]
    """A module proposal (``proposal_version`` 1)."""

    proposal_version: int = PROPOSAL_VERSION
    challenge: str = _Text
    partner: Optional[str] = None
    proposers: list[str] = Field(min_length=1)
    date: str = Field(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _message(err: dict) -> str:
    loc = tuple(err["loc"])
    field = str(loc[0]) if loc else ""
    where = field + "".join(f"[{p}]" for p in loc[1:])
    allowed = ALLOWED.get(field, "a valid value")
    if err["type"] == "missing":
        return f"{where} is missing; add it: {allowed}"
    if err["type"] == "extra_forbidden":
        return f"{where} is not a field of a proposal (check the spelling); fields: {', '.join(Proposal.model_fields)}"
    got = json.dumps(err.get("input"), ensure_ascii=False, default=str)
    got = got if len(got) <= 60 else got[:57] + "..."
    if len(loc) > 1:
        return f"{where} must be a non-empty text (got {got})"
    return f"{where} must be {allowed} (got {got})"


def proposal_problems(raw: Any, source: str | Path) -> list[ProposalError]:
    """Every problem of a proposal (a mapping), one line each, naming the file and the field."""
    if not isinstance(raw, dict):
        return [ProposalError(f"{source}: a proposal must be a mapping of fields such as title, challenge, "
                              f"outcomes (h4s propose writes one)")]
    out: list[ProposalError] = []
    if raw.get("proposal_version", PROPOSAL_VERSION) != PROPOSAL_VERSION:
        return [ProposalError(f"{source}: proposal_version must be {PROPOSAL_VERSION} (got {raw['proposal_version']!r}); "
                              f"this h4s reads proposals of version {PROPOSAL_VERSION}")]
    try:
        Proposal.model_validate(raw)
    except ValidationError as e:
        out += [ProposalError(f"{source}: {_message(err)}") for err in e.errors(include_url=False)]
    for field in ("outcomes", "audience", "proposers"):
        for i, v in enumerate(raw.get(field) or [] if isinstance(raw.get(field), list) else []):
            if not isinstance(v, str) or not v.strip():
                out.append(ProposalError(f"{source}: {field}[{i}] must be a non-empty text (got {v!r})"))
    if isinstance(raw.get("partner"), str) and not raw["partner"].strip():
        out.append(ProposalError(f"{source}: partner must be {ALLOWED['partner']} (got an empty text)"))
    if isinstance(raw.get("date"), str):
        try:
            _dt.date.fromisoformat(raw["date"])
        except ValueError:
            out.append(ProposalError(f"{source}: date must be {ALLOWED['date']} (got {raw['date']!r})"))
    return out


def validate_proposal(raw: Any, source: str | Path = "<proposal>") -> Proposal:
    """A valid :class:`Proposal`, or a one-line :class:`ProposalError` naming the first problem."""
    problems = proposal_problems(raw, source)
    if problems:
        n = len(problems) - 1
        raise ProposalError(str(problems[0]) + (f" (and {n} more problem{'s' if n > 1 else ''})" if n else ""))
    return Proposal.model_validate(raw)


def read_proposal(path: str | Path) -> Proposal:
    """Read and validate a proposal file."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProposalError(f"{path}: no such proposal file; write one with h4s propose") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ProposalError(f"{path}: cannot read the proposal ({e.__class__.__name__}); save it as UTF-8 text") from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark else ""
        raise ProposalError(f"{path}: not valid YAML{at}; fix the indentation or quoting there") from None
    return validate_proposal(raw, path)


_HEADER = """\
# A module proposal, written by `h4s propose` ({date}). Edit it by hand if you like, then:
#   h4s new --from {name}
# scaffolds the module with this title, challenge, outcomes, EQF level, language, duration and licence.
"""


def write_proposal(p: Proposal, path: str | Path, overwrite: bool = False) -> Path:
    """Write a proposal as commented YAML (fields in a fixed, readable order); never overwrites by accident."""
    path = Path(path)
    if path.exists() and not overwrite:
        raise ProposalError(f"{path} exists already; choose another file with -o, or delete it first")
    data = p.model_dump(exclude_none=True)
    order = ["proposal_version", "title", "challenge", "partner", "audience", "outcomes", "eqf_level", "language",
             "duration_minutes", "licence", "proposers", "date"]
    data = {k: data[k] for k in order if k in data}
    text = _HEADER.format(date=p.date, name=path.as_posix()) + yaml.safe_dump(
        data, allow_unicode=True, sort_keys=False, width=100)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path


def module_metadata(p: Proposal) -> dict:
    """The fields of a module's metadata that a proposal fills in (``h4s new --from``)."""
    return {"title": p.title, "summary": p.challenge, "outcomes": list(p.outcomes), "eqf_level": p.eqf_level,
            "duration_minutes": p.duration_minutes, "language": p.language, "licence": p.licence,
            "audience": list(p.audience),
            "contributors": [{"name": n, "roles": ["Conceptualization"]} for n in p.proposers],
            **({"partner": p.partner} if p.partner else {})}


def today() -> str:
    return _dt.date.today().isoformat()

"""The module metadata schema: ``notebook.metadata["h4s"]`` (see docs-dev/CONTRACTS.md).

:func:`validate_metadata` returns a :class:`ModuleMeta` or raises a one-line
:class:`~h4s_widgets._errors.MetadataError` such as::

    modules/03-x/module.ipynb: metadata h4s.eqf_level must be a whole number from 1 to 8 (got 9)

:func:`metadata_problems` returns *every* problem (one error each), which is
what ``h4s check`` reports.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from h4s_widgets._errors import MetadataError

SCHEMA_VERSION = 1
STATUSES = ("proposal", "draft", "review", "published")
MODULE_ID_RE = r"^[0-9]{2}-[a-z0-9]+(-[a-z0-9]+)*$"
#: BCP 47, simplified: language, optional script, optional region (en, de, pt-BR, sr-Latn, es-419)
LANGUAGE_RE = r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$"
DEFAULT_LICENCE = "CC-BY-SA-4.0"
DEFAULT_AUTHORS = ["Hack4Society contributors"]

_Text = Annotated[str, Field(min_length=1, pattern=r"\S")]
#: Semantic Versioning 2.0.0 core: MAJOR.MINOR.PATCH (no pre-release or build part)
SEMVER_RE = r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$"
DEFAULT_VERSION = "1.0.0"
#: the 14 contributor roles of CRediT (ANSI/NISO Z39.104-2022)
CREDIT_ROLES = ("Conceptualization", "Data curation", "Formal analysis", "Funding acquisition", "Investigation",
                "Methodology", "Project administration", "Resources", "Software", "Supervision", "Validation",
                "Visualization", "Writing - original draft", "Writing - review & editing")
DECISIONS = ("accept", "revise", "reject")
_Date = Annotated[str, Field(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]

#: field -> what is allowed, in plain words (used in every message about that field)
ALLOWED: dict[str, str] = {
    "schema_version": f"the number {SCHEMA_VERSION} (the only metadata version this h4s understands)",
    "id": "the module's folder name: two digits, a hyphen and lowercase words joined by hyphens, e.g. 04-open-educational-resources",
    "title": "a non-empty text, e.g. \"Open educational resources\"",
    "summary": "a non-empty text of one or two sentences",
    "outcomes": "a list of texts, one learning outcome each, e.g. [\"You can choose an open licence\", ...]",
    "eqf_level": "a whole number from 1 to 8",
    "duration_minutes": "a whole number of minutes from 5 to 600",
    "language": "a language code such as en, de, el or pt-BR",
    "licence": "a non-empty licence name such as CC-BY-SA-4.0",
    "authors": "a list of at least one non-empty name, e.g. [\"Hack4Society contributors\"]",
    "status": "one of " + ", ".join(STATUSES),
    "digcompedu": "a list of DigCompEdu area numbers, each a whole number from 1 to 6, e.g. [2, 5]",
    "keywords": "a list of non-empty texts",
    "audience": "a list of non-empty texts, e.g. [\"VET learners\"]",
    "closing_quiz": "the path of the closing quiz bank inside the module folder, e.g. questions/closing-quiz.yml",
    "parameters": "a mapping of papermill parameter names to default values",
    "version": "a semantic version MAJOR.MINOR.PATCH, e.g. 1.0.0",
    "contributors": "a list of {name, roles} with roles from CRediT, e.g. [{name: \"Ana Novak\", roles: [\"Writing - original draft\"]}]",
    "changelog": "a list of {version, date (YYYY-MM-DD), changes}",
    "reviews": "a list of {reviewer, role, date (YYYY-MM-DD), version, decision (accept, revise or reject), rubric}",
    "partner": "the name of the partner organisation the module was made with, e.g. at a hackathon",
}

#: fields a module must set (the rest have defaults)
REQUIRED = ("id", "title", "summary", "eqf_level", "duration_minutes", "language", "status")


class Contributor(BaseModel):
    """A named author and what they did, in CRediT roles."""

    model_config = ConfigDict(extra="forbid")
    name: _Text
    roles: list[Literal[CREDIT_ROLES]] = Field(default_factory=list,  # type: ignore[valid-type]
                                               description="CRediT roles, e.g. Writing - original draft")


class ChangelogEntry(BaseModel):
    """What changed in one version."""

    model_config = ConfigDict(extra="forbid")
    version: Annotated[str, Field(pattern=SEMVER_RE)]
    date: _Date
    changes: Annotated[list[_Text], Field(min_length=1)]


class Review(BaseModel):
    """One review that really happened: who (or which tool), in what role, of which version, with what result."""

    model_config = ConfigDict(extra="forbid")
    reviewer: _Text
    role: _Text
    date: _Date
    version: Annotated[str, Field(pattern=SEMVER_RE, description="The module version reviewed")]
    decision: Literal[DECISIONS]  # type: ignore[valid-type]
    rubric: list[_Text] = Field(default_factory=list, description="The rubric items the review covered")


class ModuleMeta(BaseModel):
    """``metadata["h4s"]`` of a module notebook."""

    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[1] = Field(1, description="Version of this schema; 1 today")
    id: Annotated[str, Field(pattern=MODULE_ID_RE, description="Equal to the module's folder name")]
    title: _Text
    summary: _Text
    outcomes: list[_Text] = Field(default_factory=list,
                                  description="Learning outcomes, 'You can ...' style (h4s check wants at least 2)")
    eqf_level: Annotated[int, Field(strict=True, ge=1, le=8, description="EQF level 1..8")]
    duration_minutes: Annotated[int, Field(strict=True, ge=5, le=600)]
    language: Annotated[str, Field(pattern=LANGUAGE_RE, description="BCP 47 code, e.g. en")]
    licence: _Text = DEFAULT_LICENCE
    authors: Annotated[list[_Text], Field(min_length=1)] = Field(default_factory=lambda: list(DEFAULT_AUTHORS))
    status: Literal["proposal", "draft", "review", "published"]
    digcompedu: list[Annotated[int, Field(strict=True, ge=1, le=6)]] = Field(default_factory=list)
    keywords: list[_Text] = Field(default_factory=list)
    audience: list[_Text] = Field(default_factory=list)
    closing_quiz: Optional[_Text] = None
    parameters: Optional[dict[str, Any]] = None
    version: Annotated[str, Field(pattern=SEMVER_RE, description="Semantic version of the module")] = DEFAULT_VERSION
    contributors: list[Contributor] = Field(default_factory=list,
                                            description="Named authors with their CRediT roles")
    changelog: list[ChangelogEntry] = Field(default_factory=list, description="What changed, per version")
    reviews: list[Review] = Field(default_factory=list, description="Reviews that happened, newest last")
    partner: Optional[_Text] = Field(None, description="The partner organisation that brought the module's "
                                                       "challenge (h4s propose)")

    def current_review(self) -> Optional[Review]:
        """The last review of the current version, or None."""
        mine = [r for r in self.reviews if r.version == self.version]
        return mine[-1] if mine else None

    def passed_review(self) -> bool:
        """True when the last review of the current version accepted it."""
        r = self.current_review()
        return r is not None and r.decision == "accept"


def _got(value: Any) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _dotted(loc: tuple) -> str:
    out = ""
    for p in loc:
        out += f"[{p}]" if isinstance(p, int) else ("." if out else "") + str(p)
    return out


def _message(err: dict) -> str:
    """One pydantic error -> 'h4s.<field> must be ... (got ...)'."""
    loc = tuple(err["loc"])
    field = str(loc[0]) if loc else ""
    where = "h4s." + _dotted(loc) if loc else "h4s"
    allowed = ALLOWED.get(field, "a valid value")
    typ = err["type"]
    if typ == "missing":
        return f"metadata {where} is required but missing; add it: {allowed}"
    if typ == "extra_forbidden":
        known = ", ".join(ModuleMeta.model_fields)
        return (f"metadata {where} is not a known field (check the spelling); known fields: {known}")
    got = _got(err.get("input"))
    if len(loc) > 1 and isinstance(loc[-1], int) and field not in ("contributors", "changelog", "reviews"):
        if field == "digcompedu":
            return f"metadata {where} must be a whole number from 1 to 6 (got {got})"
        return f"metadata {where} must be a non-empty text (got {got})"
    return f"metadata {where} must be {allowed} (got {got})"


def field_problems(raw: Any) -> dict[str, str]:
    """{field: problem} for a mapping meant as ``metadata["h4s"]`` (``{}`` when the model accepts it), in the
    words of :func:`metadata_problems` without its ``metadata h4s.<field>`` prefix; ``field`` is dotted as in
    those messages (``digcompedu[0]``); a form shows each problem next to its field."""
    out: dict[str, str] = {}
    try:
        ModuleMeta.model_validate(raw)
    except ValidationError as e:
        for err in e.errors(include_url=False):
            field = _dotted(tuple(err["loc"]))
            out.setdefault(field, _message(err).removeprefix("metadata ").removeprefix(f"h4s.{field} ")
                           .removeprefix("h4s "))
    return out


def metadata_problems(raw: Any, source: str | Path, folder_name: str | None = None) -> list[MetadataError]:
    """Every problem of ``raw`` (the notebook's ``metadata["h4s"]``) as one-line errors."""
    source = str(source)
    if raw is None:
        return [MetadataError(f"{source}: notebook metadata has no 'h4s' section; add one with at least "
                              f"{', '.join(REQUIRED)} (h4s new writes a complete example)")]
    if not isinstance(raw, dict):
        return [MetadataError(f"{source}: metadata h4s must be a mapping of fields (got {_got(raw)})")]
    problems: list[MetadataError] = []
    if "schema_version" in raw and raw["schema_version"] != SCHEMA_VERSION:
        problems.append(MetadataError(f"{source}: metadata h4s.schema_version must be {ALLOWED['schema_version']} "
                                      f"(got {_got(raw['schema_version'])})"))
        return problems
    try:
        ModuleMeta.model_validate(raw)
    except ValidationError as e:
        for err in e.errors(include_url=False):
            problems.append(MetadataError(f"{source}: {_message(err)}"))
    rid = raw.get("id")
    if folder_name is not None and isinstance(rid, str) and re.match(MODULE_ID_RE, rid) and rid != folder_name:
        problems.append(MetadataError(f"{source}: metadata h4s.id must equal the module's folder name "
                                      f"{folder_name!r} (got {_got(rid)})"))
    return problems


def validate_metadata(raw: Any, source: str | Path = "<notebook>", folder_name: str | None = None) -> ModuleMeta:
    """Validate ``metadata["h4s"]``; raise :class:`MetadataError` (one line) on the first problem."""
    problems = metadata_problems(raw, source, folder_name)
    if problems:
        first = str(problems[0])
        if len(problems) > 1:
            n = len(problems) - 1
            first += f" (and {n} more problem{'s' if n > 1 else ''})"
        raise MetadataError(first)
    return ModuleMeta.model_validate(raw)


def json_schema() -> dict:
    """JSON Schema of ``metadata["h4s"]``, for editors and documentation."""
    schema = ModuleMeta.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "h4s-module-metadata.schema.json"
    schema["title"] = "h4s module metadata (notebook metadata 'h4s')"
    return schema

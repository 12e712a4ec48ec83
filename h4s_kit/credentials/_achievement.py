"""The ``OpenBadgeCredential`` of a module: what it states comes from the module's metadata
(:class:`h4s_kit.metadata.ModuleMeta`) and its closing-quiz bank, never typed twice.

The Achievement carries the mandatory elements of Annex I of the Council Recommendation of 16 June 2022 on
a European approach to micro-credentials for lifelong learning and employability (2022/C 243/02), as far
as they apply to a self-paced module, in Open Badges 3.0 fields where there is one and in the criteria
narrative (which every Open Badges display shows) for all of them:

=============================  ======================================================================
Annex I element                where
=============================  ======================================================================
identification of the learner  ``credentialSubject.identifier``: always a salted SHA-256 of the server's
                               learner id (IdentityObject), and in the copy made for a claim with a name,
                               the name the learner typed (:func:`with_name`; never stored)
title                          ``achievement.name``
country of the issuer          ``issuer.address.addressCountry`` (``h4s credentials init --country``)
awarding body                  ``issuer`` (the Profile made by ``h4s credentials init``)
date of issuing                ``validFrom``
learning outcomes              ``achievement.alignment`` (one per outcome) and the narrative
notional workload              the narrative: learning time from ``duration_minutes`` (ISO 8601, e.g. PT45M);
                               no ECTS credits are claimed
level                          ``achievement.alignment``: EQF level (``eqf_level``)
type of assessment             the narrative: the closing quiz, graded automatically on the server,
                               scenario-based questions, the bank's pass mark
form of participation          the narrative: online
quality assurance              the narrative: the module's recorded review of this version, if any
=============================  ======================================================================

``achievementType`` is ``MicroCredential``, a value of the AchievementType vocabulary of Open Badges 3.0.
"""
from __future__ import annotations

import hashlib
import secrets
import unicodedata
import uuid

from ._errors import CredentialError
from ._ld import OB_V3, VC_V2

SCHEMA_URL = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
EQF_URL = "https://europass.europa.eu/en/description-eight-eqf-levels"
RECOMMENDATION = ("Council Recommendation of 16 June 2022 on a European approach to micro-credentials for "
                  "lifelong learning and employability (2022/C 243/02)")
MAX_NAME = 100


class BadName(CredentialError):
    """The name to print on a credential is not acceptable."""


def clean_name(name) -> str | None:
    """The learner's name as typed (trimmed), None when empty; refused when too long or with control characters."""
    if name is None:
        return None
    if not isinstance(name, str):
        raise BadName("name: expected a text (the name to print on the credential) or nothing")
    name = unicodedata.normalize("NFC", " ".join(name.split()))
    if not name:
        return None
    if len(name) > MAX_NAME:
        raise BadName(f"name: at most {MAX_NAME} characters")
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn") for c in name):
        raise BadName("name: letters, spaces and punctuation only")
    return name


def learner_hash(learner: str, salt: str) -> str:
    """``sha256$<hex>`` of the learner id with the salt appended (IdentityHash of Open Badges 3.0)."""
    return "sha256$" + hashlib.sha256((learner + salt).encode("utf-8")).hexdigest()


def assessment(pass_mark: float | None, n_questions: int, pool: int | None) -> str:
    asked = f"{n_questions} question{'s' if n_questions != 1 else ''}" + (f" drawn from a pool of {pool}" if pool else "")
    mark = f"pass mark {round(pass_mark * 100)} %" if pass_mark is not None else "no pass mark"
    return (f"the module's closing quiz: {asked}, scenario-based, graded automatically by the course server; "
            f"{mark}")


def page_url(profile: dict, module: str) -> str:
    return profile["url"].rstrip("/") + f"/modules/{module}/module.html"


def achievement(meta, profile: dict, quiz: str) -> dict:
    """The Achievement of a module version (``meta``: :class:`~h4s_kit.metadata.ModuleMeta`)."""
    from ..oer import iso_duration, licence_url
    page = page_url(profile, meta.id)
    review = meta.current_review() if meta.passed_review() else None
    qa = (f"version {review.version} reviewed on {review.date} ({review.role}): {review.decision}"
          if review else "no recorded review of this version")
    lines = [
        meta.summary, "",
        "Learning outcomes:", *[f"- {o}" for o in meta.outcomes], "",
        f"- Level: EQF level {meta.eqf_level}",
        f"- Notional workload: {meta.duration_minutes} minutes of learning time ({iso_duration(meta.duration_minutes)});"
        " no ECTS credits",
        f"- Type of assessment: {quiz}",
        "- Form of participation: online, self-paced",
        f"- Quality assurance: {qa}",
        f"- Language: {meta.language}; module version {meta.version}",
    ]
    lic = licence_url(meta.licence)
    if lic:
        lines.append(f"- Learning materials: open educational resource under {meta.licence} ({lic})")
    lines += ["", f"Elements as listed in Annex I of the {RECOMMENDATION}."]
    return {
        "id": f"{page}#credential-{meta.version}",
        "type": ["Achievement"],
        "achievementType": "MicroCredential",
        "name": meta.title,
        "description": meta.summary,
        "criteria": {"id": page, "narrative": "\n".join(lines)},
        "inLanguage": meta.language,
        "version": meta.version,
        "creator": {k: profile[k] for k in ("id", "type", "name", "url", "address") if k in profile},
        "alignment": [
            {"type": ["Alignment"], "targetName": f"EQF level {meta.eqf_level}",
             "targetFramework": "European Qualifications Framework", "targetType": "ext:EQFLevel",
             "targetCode": str(meta.eqf_level), "targetUrl": EQF_URL},
            *[{"type": ["Alignment"], "targetName": o, "targetType": "ext:LearningOutcome",
               "targetFramework": meta.title, "targetUrl": page} for o in meta.outcomes],
        ],
        "tag": list(meta.keywords),
    }


def credential(meta, issuer, learner: str, status: dict, quiz: str, issued: str) -> dict:
    """The unsigned credential without a name (see the module docstring): the one the record store keeps."""
    salt = secrets.token_hex(16)
    identifier = [{"type": "IdentityObject", "identityType": "systemId", "hashed": True,
                   "identityHash": learner_hash(learner, salt), "salt": salt}]
    profile = issuer.profile
    return {
        "@context": [VC_V2, OB_V3],
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": meta.title,
        "description": f"Passed the closing quiz of the module \u201c{meta.title}\u201d (version {meta.version}).",
        "issuer": {k: profile[k] for k in ("id", "type", "name", "url", "email", "address") if k in profile},
        "validFrom": issued,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": identifier,
            "achievement": achievement(meta, profile, quiz),
        },
        "credentialStatus": status,
        "credentialSchema": [{"id": SCHEMA_URL, "type": "1EdTechJsonSchemaValidator2019"}],
    }


def with_name(doc: dict, name: str) -> dict:
    """The unsigned copy of a (stored, nameless) credential ``doc`` with the learner's ``name`` as its first
    identifier: same id, dates, status entry and learner hash.  Made for one claim and never stored."""
    subject = doc["credentialSubject"]
    named = {"type": "IdentityObject", "identityType": "name", "hashed": False, "identityHash": name}
    rest = [i for i in subject.get("identifier", []) if i.get("identityType") != "name"]
    unsigned = {k: v for k, v in doc.items() if k != "proof"}
    return {**unsigned, "credentialSubject": {**subject, "identifier": [named, *rest]}}


def schema() -> dict:
    """The Open Badges 3.0 AchievementCredential JSON schema of 1EdTech (``_schema/``, see its README)."""
    import json
    from pathlib import Path
    return json.loads((Path(__file__).parent / "_schema" / "ob_v3p0_achievementcredential_schema.json")
                      .read_text(encoding="utf-8"))

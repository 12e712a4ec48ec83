"""OER metadata of the book: schema.org JSON-LD for module pages and the course catalogue.

Every value comes from a module's metadata (:class:`h4s_kit.metadata.ModuleMeta`); nothing is typed twice.

* :func:`learning_resource` — a module page as a schema.org ``LearningResource`` (the book's Sphinx extension
  puts it in the page's ``<head>`` as ``<script type="application/ld+json">``).
* :func:`course` — the book as a schema.org ``Course`` whose parts are the modules.
* :func:`catalog` — ``catalog.json``: the same facts as plain JSON for OER repositories and scripts
  (one entry per module and language), with the ``Course`` beside it.
* :func:`write_catalog` — writes ``catalog.json`` and ``course.jsonld`` into the built book.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Iterable, Optional

from .metadata import ModuleMeta

SCHEMA_CONTEXT = "https://schema.org"
CATALOG_VERSION = 1

#: the six areas of DigCompEdu (Redecker, 2017, JRC), by number
DIGCOMPEDU_AREAS = {1: "Professional engagement", 2: "Digital resources", 3: "Teaching and learning",
                    4: "Assessment", 5: "Empowering learners", 6: "Facilitating learners' digital competence"}

#: SPDX identifiers of the Creative Commons licences -> their deeds
_CC = {"CC-BY-4.0": "by", "CC-BY-SA-4.0": "by-sa", "CC-BY-NC-4.0": "by-nc", "CC-BY-NC-SA-4.0": "by-nc-sa",
       "CC-BY-ND-4.0": "by-nd", "CC-BY-NC-ND-4.0": "by-nc-nd"}

#: what every module page offers, kept true by the build and `h4s check` (accessibility step: alt text on
#: every figure; headings in order; the book's table of contents; quizzes usable with the keyboard and a
#: screen reader, checked by axe in the tests)
ACCESSIBILITY = {
    "accessMode": ["textual", "visual"],
    "accessModeSufficient": ["textual"],
    "accessibilityFeature": ["alternativeText", "structuralNavigation", "tableOfContents", "readingOrder"],
    "accessibilityHazard": ["noFlashingHazard", "noMotionSimulationHazard", "noSoundHazard"],
    "accessibilityControl": ["fullKeyboardControl", "fullMouseControl"],
}


def licence_url(licence: str) -> Optional[str]:
    """The URL of a licence given by its SPDX identifier (Creative Commons and CC0), or None."""
    if licence in _CC:
        return f"https://creativecommons.org/licenses/{_CC[licence]}/4.0/"
    if licence == "CC0-1.0":
        return "https://creativecommons.org/publicdomain/zero/1.0/"
    return None


def iso_duration(minutes: int) -> str:
    """ISO 8601 duration of a number of minutes: 45 -> PT45M, 80 -> PT1H20M."""
    h, m = divmod(int(minutes), 60)
    return "PT" + (f"{h}H" if h else "") + (f"{m}M" if m or not h else "")


def date_modified(meta: ModuleMeta) -> Optional[str]:
    """The date of the module's newest changelog entry (YYYY-MM-DD), or None without a changelog."""
    return max((c.date for c in meta.changelog), default=None)


def _people(meta: ModuleMeta) -> tuple[list[dict], list[dict]]:
    """(authors, other contributors): the named contributors who wrote the original draft (CRediT) as Persons,
    else the metadata's author names (e.g. "Hack4Society contributors", a group: Organization); every other
    named contributor (proposers, reviewers, ...) as a contributor."""
    writers = [c for c in meta.contributors if "Writing - original draft" in c.roles]
    others = [{"@type": "Person", "name": c.name} for c in meta.contributors if c not in writers]
    if not writers:
        return [{"@type": "Organization", "name": a} for a in meta.authors], others
    return [{"@type": "Person", "name": c.name} for c in writers], others


def learning_resource(meta: ModuleMeta, url: Optional[str] = None, course_name: Optional[str] = None) -> dict:
    """A module as a schema.org ``LearningResource`` (a dict ready for ``json.dumps``).

    ``url``: the page's address (absolute when the book has a base URL, else relative to the page);
    ``course_name``: the book it is part of."""
    authors, others = _people(meta)
    doc: dict = {
        "@context": SCHEMA_CONTEXT,
        "@type": "LearningResource",
        "identifier": meta.id,
        "name": meta.title,
        "description": meta.summary,
        "inLanguage": meta.language,
        "educationalLevel": {"@type": "DefinedTerm", "name": f"EQF level {meta.eqf_level}",
                             "termCode": str(meta.eqf_level),
                             "inDefinedTermSet": {"@type": "DefinedTermSet",
                                                  "name": "European Qualifications Framework (EQF)"}},
        "timeRequired": iso_duration(meta.duration_minutes),
        "learningResourceType": ["interactive module"] + (["quiz"] if meta.closing_quiz else []),
        "teaches": list(meta.outcomes),
        "license": licence_url(meta.licence) or meta.licence,
        "author": authors,
        "version": meta.version,
        "isAccessibleForFree": True,
        "creativeWorkStatus": meta.status,
        **ACCESSIBILITY,
    }
    if meta.closing_quiz:
        doc["assesses"] = list(meta.outcomes)    # the closing quiz tests the outcomes
    if others:
        doc["contributor"] = others
    modified = date_modified(meta)
    if modified:
        doc["dateModified"] = modified
    if meta.keywords:
        doc["keywords"] = list(meta.keywords)
    if meta.audience:
        doc["audience"] = [{"@type": "EducationalAudience", "audienceType": a} for a in meta.audience]
    if meta.digcompedu:
        doc["educationalAlignment"] = [
            {"@type": "AlignmentObject", "alignmentType": "educationalSubject", "educationalFramework": "DigCompEdu",
             "targetName": f"DigCompEdu area {n}: {DIGCOMPEDU_AREAS[n]}"} for n in meta.digcompedu]
    if url is not None:
        doc["url"] = url
    if course_name:
        doc["isPartOf"] = {"@type": "Course", "name": course_name}
    return doc


def course(name: str, description: str, parts: Iterable[dict], url: Optional[str] = None) -> dict:
    """The book as a schema.org ``Course``: ``parts`` are :func:`learning_resource` documents."""
    parts = [{k: v for k, v in p.items() if k not in ("@context", "isPartOf")} for p in parts]
    doc = {"@context": SCHEMA_CONTEXT, "@type": "Course", "name": name, "description": description,
           "inLanguage": sorted({p["inLanguage"] for p in parts}),
           "isAccessibleForFree": True,
           "educationalLevel": sorted({p["educationalLevel"]["name"] for p in parts}),
           "timeRequired": iso_duration(sum(_minutes(p["timeRequired"]) for p in parts if p["inLanguage"] == "en")
                                        or sum(_minutes(p["timeRequired"]) for p in parts)),
           "hasPart": parts}
    if url is not None:
        doc["url"] = url
    return doc


def _minutes(iso: str) -> int:
    body = iso[2:]
    h, _, m = body.partition("H") if "H" in body else ("0", "", body)
    return int(h) * 60 + int(m.rstrip("M") or 0)


def catalog_entry(meta: ModuleMeta, page: str) -> dict:
    """One module in one language, for ``catalog.json``: the metadata's own field names."""
    return {"id": meta.id, "language": meta.language, "page": page, "title": meta.title, "summary": meta.summary,
            "outcomes": list(meta.outcomes), "eqf_level": meta.eqf_level, "duration_minutes": meta.duration_minutes,
            "licence": meta.licence, "licence_url": licence_url(meta.licence), "version": meta.version,
            "date_modified": date_modified(meta), "status": meta.status, "digcompedu": list(meta.digcompedu),
            "keywords": list(meta.keywords), "audience": list(meta.audience),
            "authors": [a["name"] for a in _people(meta)[0]],
            "closing_quiz": bool(meta.closing_quiz)}


def catalog(name: str, description: str, modules: Iterable[tuple[ModuleMeta, str]]) -> dict:
    """``catalog.json``: every module page of the book (``(metadata, page path relative to the book)``)."""
    entries = [catalog_entry(m, page) for m, page in modules]
    entries.sort(key=lambda e: (e["id"], e["language"] != "en", e["language"]))
    return {"catalog_version": CATALOG_VERSION, "name": name, "description": description, "modules": entries}


def write_catalog(html_dir: Path, name: str, description: str, modules: Iterable[tuple[ModuleMeta, str]],
                  base_url: Optional[str] = None) -> list[Path]:
    """Write ``catalog.json`` and ``course.jsonld`` into the built book; files rewritten only when they change."""
    modules = list(modules)
    base = (base_url.rstrip("/") + "/") if base_url else ""
    parts = [learning_resource(m, url=base + page) for m, page in modules]
    out = {"catalog.json": catalog(name, description, modules),
           "course.jsonld": course(name, description, parts, url=base or None)}
    written = []
    for fname, data in out.items():
        target = Path(html_dir) / fname
        text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            tmp = target.with_name(target.name + ".tmp")
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, target)
            written.append(target)
    return written


def script_tag(doc: dict) -> str:
    """``doc`` as a ``<script type="application/ld+json">`` element (safe inside HTML: no ``</script>``)."""
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/ld+json">{text}</script>'

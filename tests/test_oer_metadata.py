"""OER metadata (issue 19): every module page carries schema.org LearningResource JSON-LD, and the book publishes
``catalog.json`` and a schema.org ``Course`` (``course.jsonld``), all from the modules' metadata.

The JSON-LD is read back from the built pages and expanded by a real JSON-LD processor (PyLD) with schema.org's
own context (tests/fixtures/schemaorg, release 29.4, served offline by the document loader), and every field is
compared with the module's metadata after expansion, so that a wrong term, a wrong type coercion or a value typed
twice shows up as a failure.
"""
from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pyld import jsonld

from h4s_kit import oer
from h4s_kit.build import build
from h4s_kit.metadata import validate_metadata
from h4s_kit.toc import read_meta

ROOT = Path(__file__).resolve().parents[1]
CONTEXT = json.loads((ROOT / "tests" / "fixtures" / "schemaorg" / "schemaorgcontext.jsonld").read_text("utf-8"))
MODULES = sorted(p.parent for p in (ROOT / "modules").glob("*/module.ipynb"))
S = "http://schema.org/"           # schema.org's context maps terms to http://schema.org/ (its @vocab)


def _loader(url, options=None):
    if url.rstrip("/") in ("https://schema.org", "http://schema.org"):
        return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url, "document": CONTEXT}
    raise AssertionError(f"the JSON-LD needs a document from another host: {url}")


def expand(doc: dict, base: str) -> dict:
    out = jsonld.expand(doc, {"documentLoader": _loader, "base": base})
    assert len(out) == 1, out
    return out[0]


def values(node: dict, prop: str) -> list:
    """The values of a property of an expanded node: plain values, IRIs (@id) or nodes."""
    out = []
    for v in node.get(S + prop, []):
        out.append(v["@value"] if "@value" in v else v["@id"] if set(v) == {"@id"} else v)
    return out


class _Scripts(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found, self._on = [], False

    def handle_starttag(self, tag, attrs):
        self._on = tag == "script" and dict(attrs).get("type") == "application/ld+json"
        if self._on:
            self.found.append("")

    def handle_endtag(self, tag):
        self._on = False

    def handle_data(self, data):
        if self._on:
            self.found[-1] += data


def json_ld_of(page: Path) -> list[dict]:
    p = _Scripts()
    p.feed(page.read_text(encoding="utf-8"))
    return [json.loads(s) for s in p.found]


def assert_matches_metadata(node: dict, meta, page_url: str) -> None:
    """Every field issue 19 lists, after expansion, equal to the module's metadata."""
    where = meta.id
    assert node["@type"] == [S + "LearningResource"], where
    assert values(node, "name") == [meta.title], where
    assert values(node, "description") == [meta.summary], where
    assert values(node, "inLanguage") == [meta.language], where
    assert values(node, "identifier") == [meta.id], where
    level = values(node, "educationalLevel")[0]
    assert level["@type"] == [S + "DefinedTerm"] and values(level, "termCode") == [str(meta.eqf_level)], where
    assert values(level, "name") == [f"EQF level {meta.eqf_level}"], where
    h, m = divmod(meta.duration_minutes, 60)
    assert values(node, "timeRequired") == ["PT" + (f"{h}H" if h else "") + (f"{m}M" if m else "")], where
    assert sorted(values(node, "teaches")) == sorted(meta.outcomes), where
    if meta.closing_quiz:
        assert sorted(values(node, "assesses")) == sorted(meta.outcomes) and "quiz" in values(node, "learningResourceType")
    assert values(node, "license") == [oer.licence_url(meta.licence)], where        # an IRI (@type @id)
    assert meta.licence != "CC-BY-SA-4.0" or values(node, "license") == ["https://creativecommons.org/licenses/by-sa/4.0/"]
    names = [values(a, "name")[0] for a in values(node, "author")]
    writers = [c.name for c in meta.contributors if "Writing - original draft" in c.roles]
    assert names == (writers or list(meta.authors)), where
    assert values(node, "version") == [meta.version], where
    modified = max((c.date for c in meta.changelog), default=None)
    got = node.get(S + "dateModified", [])
    assert ([v["@value"] for v in got] == [modified] and got[0]["@type"] == S + "Date") if modified else not got, where
    assert values(node, "isAccessibleForFree") == [True], where
    assert {"alternativeText", "structuralNavigation"} <= set(values(node, "accessibilityFeature")), where
    assert values(node, "accessMode") and values(node, "accessibilityHazard"), where
    aligned = values(node, "educationalAlignment")
    assert [values(a, "educationalFramework") for a in aligned] == [["DigCompEdu"]] * len(meta.digcompedu), where
    assert [values(a, "targetName")[0].split(":")[0] for a in aligned] == \
        [f"DigCompEdu area {n}" for n in meta.digcompedu], where
    assert values(node, "url") == [page_url], where                                 # resolved against the page


# ------------------------------------------------------------------ units

def test_iso_durations_and_licences():
    assert [oer.iso_duration(x) for x in (5, 45, 60, 80, 600)] == ["PT5M", "PT45M", "PT1H", "PT1H20M", "PT10H"]
    assert oer.licence_url("CC-BY-NC-SA-4.0") == "https://creativecommons.org/licenses/by-nc-sa/4.0/"
    assert oer.licence_url("CC0-1.0") == "https://creativecommons.org/publicdomain/zero/1.0/"
    assert oer.licence_url("All rights reserved") is None


def test_named_contributors_changelog_and_a_hostile_title():
    raw = dict(read_meta(MODULES[0] / "module.ipynb"))
    raw.update(title="</script><script>alert(1)</script> & <b>", version="2.1.0",
               contributors=[{"name": "A. Writer", "roles": ["Writing - original draft"]},
                             {"name": "B. Checker", "roles": ["Validation"]}],
               changelog=[{"version": "2.0.0", "date": "2026-11-02", "changes": ["x"]},
                          {"version": "2.1.0", "date": "2026-12-01", "changes": ["y"]}])
    meta = validate_metadata(raw, "t", folder_name=MODULES[0].name)
    tag = oer.script_tag(oer.learning_resource(meta, url="module.html"))
    assert tag.count("</script>") == 1 and "<b>" not in tag and "<script>alert" not in tag
    doc = json.loads(tag.split(">", 1)[1].rsplit("</script>", 1)[0])
    node = expand(doc, "https://example.org/modules/x/module.html")
    assert_matches_metadata(node, meta, "https://example.org/modules/x/module.html")
    assert [values(c, "name") for c in values(node, "contributor")] == [["B. Checker"]]


def test_the_check_can_fail_on_a_wrong_value():
    meta = validate_metadata(read_meta(MODULES[0] / "module.ipynb"), "t", folder_name=MODULES[0].name)
    doc = oer.learning_resource(meta, url="module.html")
    doc["timeRequired"] = "PT1M"
    with pytest.raises(AssertionError):
        assert_matches_metadata(expand(doc, "https://example.org/m/module.html"), meta,
                                "https://example.org/m/module.html")


# ------------------------------------------------------------------ the real book

@pytest.fixture(scope="module")
def book(tmp_path_factory):
    """The book of today's 15 modules, built as `h4s build` builds it (in a temporary project)."""
    proj = tmp_path_factory.mktemp("oer")
    shutil.copy2(ROOT / "_config.yml", proj / "_config.yml")
    shutil.copytree(ROOT / "book", proj / "book")
    shutil.copytree(ROOT / "modules", proj / "modules", ignore=shutil.ignore_patterns(".ipynb_checkpoints", "_build"))
    lines: list[str] = []
    res = build(root=proj, echo=lines.append, langs=[])
    return proj, res.html_dir, lines


@pytest.mark.slow
def test_every_module_page_carries_its_learning_resource(book):
    proj, html, lines = book
    assert MODULES
    for folder in MODULES:
        page = html / "modules" / folder.name / "module.html"
        docs = json_ld_of(page)
        assert len(docs) == 1, f"{page}: {len(docs)} JSON-LD scripts"
        url = f"https://vet.example/modules/{folder.name}/module.html"
        meta = validate_metadata(read_meta(folder / "module.ipynb"), folder, folder_name=folder.name)
        node = expand(docs[0], url)
        assert_matches_metadata(node, meta, url)
        assert values(values(node, "isPartOf")[0], "name") == ["Hack4Society: interactive modules for VET"]
    assert any("catalog.json and course.jsonld: 15 module page(s)" in x for x in lines), lines[-5:]


@pytest.mark.slow
def test_catalog_and_course_describe_every_module(book):
    proj, html, _ = book
    cat = json.loads((html / "catalog.json").read_text("utf-8"))
    assert cat["catalog_version"] == 1 and cat["name"] == "Hack4Society: interactive modules for VET"
    assert "vocational education and training" in cat["description"]
    by_id = {e["id"]: e for e in cat["modules"] if e["language"] == "en"}
    assert sorted(by_id) == [f.name for f in MODULES]
    for folder in MODULES:
        meta = validate_metadata(read_meta(folder / "module.ipynb"), folder, folder_name=folder.name)
        e = by_id[folder.name]
        assert (e["title"], e["eqf_level"], e["duration_minutes"], e["licence"], e["version"], e["outcomes"]) == \
               (meta.title, meta.eqf_level, meta.duration_minutes, meta.licence, meta.version, meta.outcomes)
        assert (html / e["page"]).is_file()
    course = expand(json.loads((html / "course.jsonld").read_text("utf-8")), "https://vet.example/")
    assert course["@type"] == [S + "Course"]
    parts = values(course, "hasPart")
    assert sorted(values(p, "identifier")[0] for p in parts) == sorted(by_id)
    for p in parts:
        folder = ROOT / "modules" / values(p, "identifier")[0]
        meta = validate_metadata(read_meta(folder / "module.ipynb"), folder, folder_name=folder.name)
        assert_matches_metadata(p, meta, f"https://vet.example/modules/{folder.name}/module.html")
    assert values(course, "timeRequired") == [oer.iso_duration(sum(e["duration_minutes"] for e in by_id.values()))]

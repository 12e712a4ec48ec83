"""Package a module as a SCORM 1.2 (default) or SCORM 2004 (4th edition) zip.

The package holds one organization with one item and one SCO (the module as one static page,
``index.html``), every file the page needs (media, output images, the SCORM runtime, MathJax only when the
page has maths) and ``imsmanifest.xml`` listing all of them.  Nothing is loaded from other hosts.
"""
from __future__ import annotations

import json
import os
import re
import zipfile
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from h4s_widgets._errors import ExportError

from .page import Page, page_document, render_module

ASSETS = Path(__file__).resolve().parents[1] / "assets" / "scorm"
RUNTIME_JS = ASSETS / "h4s-scorm.js"
#: the official SCORM 1.2 and 2004 4th edition XSDs (ADL, IMS, W3C; see xsd/README.md)
XSD_DIR = ASSETS / "xsd"
_NCNAME_BAD = re.compile(r"[^A-Za-z0-9_.-]")
#: what tex-chtml.js needs: itself, its fonts, and the TeX extensions it may autoload
MATHJAX_PARTS = ("tex-chtml.js", "output/chtml/fonts/woff-v2", "input/tex/extensions")


@dataclass
class ScormReport:
    path: Path
    files: int
    questions: int
    graded: int
    warnings: list[str] = field(default_factory=list)


def ncname(text: str) -> str:
    s = _NCNAME_BAD.sub("-", text)
    if not re.match(r"[A-Za-z_]", s):
        s = "h4s-" + s
    return s


def mathjax_dir() -> Path | None:
    env = os.environ.get("H4S_MATHJAX_DIR")
    candidates = [Path(env)] if env else []
    here = Path(__file__).resolve()
    candidates += [p / "node_modules" / "mathjax" / "es5" for p in here.parents]
    candidates.append(Path.cwd() / "node_modules" / "mathjax" / "es5")
    for c in candidates:
        if (c / "tex-chtml.js").is_file():
            return c
    return None


def _mathjax_files(root: Path) -> dict[str, Path]:
    out: dict[str, Path] = {}
    for part in MATHJAX_PARTS:
        p = root / part
        if p.is_file():
            out[f"mathjax/{part}"] = p
        elif p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file():
                    out[f"mathjax/{f.relative_to(root).as_posix()}"] = f
    return out


def _closing(module_dir: Path, page: Page, on_page: dict) -> tuple[list[str], float | None]:
    rel = page.meta.get("closing_quiz")
    pass_mark = None
    ids: list[str] = []
    if rel and (module_dir / rel).is_file():
        from h4s_widgets._schema import load_bank
        bank = load_bank(module_dir / rel)
        pass_mark = bank.pass_mark
        ids = [q.id for q in bank.questions if q.id in on_page]
    if pass_mark is None:
        marks = [p["spec"].get("pass_mark") for p in page.quizzes if p.get("spec", {}).get("pass_mark") is not None]
        pass_mark = marks[-1] if marks else None
    return ids, pass_mark


def _lom_12(page: Page) -> str:
    m = page.meta
    lang = escape(page.language)
    kw = "".join(f'<imsmd:keyword><imsmd:langstring xml:lang="{lang}">{escape(k)}</imsmd:langstring></imsmd:keyword>'
                 for k in (m.get("keywords") or []))
    rights = escape(f"{m.get('licence') or 'CC-BY-SA-4.0'}; " + ", ".join(m.get("authors") or []))
    return (
        '<imsmd:lom xmlns:imsmd="http://www.imsglobal.org/xsd/imsmd_rootv1p2p1">'
        "<imsmd:general>"
        f'<imsmd:title><imsmd:langstring xml:lang="{lang}">{escape(page.title)}</imsmd:langstring></imsmd:title>'
        f"<imsmd:language>{lang}</imsmd:language>"
        f'<imsmd:description><imsmd:langstring xml:lang="{lang}">{escape(m.get("summary") or page.title)}'
        "</imsmd:langstring></imsmd:description>"
        f"{kw}</imsmd:general>"
        "<imsmd:rights><imsmd:description>"
        f'<imsmd:langstring xml:lang="{lang}">{rights}</imsmd:langstring>'
        "</imsmd:description></imsmd:rights>"
        "</imsmd:lom>")


def _lom_2004(page: Page) -> str:
    m = page.meta
    lang = escape(page.language)
    kw = "".join(f'<lom:keyword><lom:string language="{lang}">{escape(k)}</lom:string></lom:keyword>'
                 for k in (m.get("keywords") or []))
    rights = escape(f"{m.get('licence') or 'CC-BY-SA-4.0'}; " + ", ".join(m.get("authors") or []))
    return (
        '<lom:lom xmlns:lom="http://ltsc.ieee.org/xsd/LOM"><lom:general>'
        f'<lom:title><lom:string language="{lang}">{escape(page.title)}</lom:string></lom:title>'
        f"<lom:language>{lang}</lom:language>"
        f'<lom:description><lom:string language="{lang}">{escape(m.get("summary") or page.title)}</lom:string>'
        f"</lom:description>{kw}</lom:general>"
        f'<lom:rights><lom:description><lom:string language="{lang}">{rights}</lom:string></lom:description>'
        "</lom:rights></lom:lom>")


_NS_12 = """xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.imsproject.org/xsd/imscp_rootv1p1p2 imscp_rootv1p1p2.xsd http://www.imsglobal.org/xsd/imsmd_rootv1p2p1 imsmd_rootv1p2p1.xsd http://www.adlnet.org/xsd/adlcp_rootv1p2 adlcp_rootv1p2.xsd\""""
_NS_2004 = """xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3"
  xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3"
  xmlns:adlnav="http://www.adlnet.org/xsd/adlnav_v1p3"
  xmlns:imsss="http://www.imsglobal.org/xsd/imsss"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.imsglobal.org/xsd/imscp_v1p1 imscp_v1p1.xsd http://www.adlnet.org/xsd/adlcp_v1p3 adlcp_v1p3.xsd http://www.adlnet.org/xsd/adlseq_v1p3 adlseq_v1p3.xsd http://www.adlnet.org/xsd/adlnav_v1p3 adlnav_v1p3.xsd http://www.imsglobal.org/xsd/imsss imsss_v1p0.xsd\""""


def manifest(page: Page, files: list[str], version: str, pass_mark: float | None) -> str:
    """imsmanifest.xml for SCORM 1.2 or 2004 4th edition: one organization, one item, one SCO."""
    mid = ncname(f"h4s-{page.meta.get('id') or 'module'}")
    org, item, res = f"{mid}-org", f"{mid}-item", f"{mid}-sco"
    file_list = "\n".join(f'      <file href="{escape(f)}"/>' for f in files)
    title = escape(page.title)
    if version == "1.2":
        ns, mversion, schemaversion, lom, scormtype = _NS_12, "1.0", "1.2", _lom_12(page), "scormtype"
        extra = (f"\n        <adlcp:masteryscore>{round(pass_mark * 100)}</adlcp:masteryscore>"
                 if pass_mark is not None else "")
    else:
        ns, mversion, schemaversion, lom, scormtype = _NS_2004, "1", "2004 4th Edition", _lom_2004(page), "scormType"
        extra = ""
        if pass_mark is not None:
            extra = (f'\n        <imsss:sequencing><imsss:objectives>'
                     f'<imsss:primaryObjective objectiveID="{mid}-pass" satisfiedByMeasure="true">'
                     f"<imsss:minNormalizedMeasure>{pass_mark:g}</imsss:minNormalizedMeasure>"
                     f"</imsss:primaryObjective></imsss:objectives></imsss:sequencing>")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="{mid}" version="{mversion}"
  {ns}>
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>{schemaversion}</schemaversion>
    {lom}
  </metadata>
  <organizations default="{org}">
    <organization identifier="{org}">
      <title>{title}</title>
      <item identifier="{item}" identifierref="{res}" isvisible="true">
        <title>{title}</title>{extra}
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="{res}" type="webcontent" adlcp:{scormtype}="sco" href="index.html">
{file_list}
    </resource>
  </resources>
</manifest>
"""


def build_scorm(module_dir: str | Path, out: str | Path, version: str = "1.2", execute: bool = True) -> ScormReport:
    module_dir, out = Path(module_dir), Path(out)
    if version not in ("1.2", "2004"):
        raise ExportError(f"SCORM version must be 1.2 or 2004 (got {version!r})")
    page = render_module(module_dir, execute=execute)
    on_page: dict[str, dict] = {}
    for p in page.quizzes:
        for q in p.get("spec", {}).get("questions", []):
            meta = {"points": q.get("points", 0) if q.get("graded") else 0,
                    "graded": bool(q.get("graded")), "type": q.get("type")}
            # what the runtime needs to send identifiers, as SCORM 2004 wants, instead of texts: the right-hand
            # items of a matching question (shown to the learner anyway, in this sorted order) and the
            # statements of a Likert question (one interaction each, the scale point as the response)
            if q.get("type") == "matching":
                meta["rights"] = list(q.get("rights") or [])
            elif q.get("type") == "likert":
                meta["statements"] = [s_["id"] for s_ in q.get("statements") or []]
                meta["scale"] = len(q.get("scale") or [])
            on_page[q["id"]] = meta
    closing, pass_mark = _closing(module_dir, page, on_page)
    if page.meta.get("closing_quiz") and not closing:
        page.warnings.append(f"the closing quiz {page.meta.get('closing_quiz')} is not shown on the page: "
                             "the LMS gets completed/incomplete, not passed/failed")
    config = {"version": version, "module": page.meta.get("id") or module_dir.resolve().name,
              "pass_mark": pass_mark if closing else None, "closing": closing, "questions": on_page}
    cfg_json = json.dumps(config, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    head = f'<script type="application/json" id="h4s-scorm-config">{cfg_json}</script>\n'
    body_end = '<script src="h4s-scorm.js"></script>\n'
    files: dict[str, bytes | Path] = {"index.html": page_document(page, head, body_end).encode("utf-8"),
                                      "h4s-scorm.js": RUNTIME_JS}
    files.update(page.files)
    for rel, src in page.copies.items():
        files[rel] = src
    credits = module_dir / "media" / "credits.yml"
    if credits.is_file():
        files["media/credits.yml"] = credits
    if page.has_math:
        mj = mathjax_dir()
        if mj is None:
            page.warnings.append("the page has maths but node_modules/mathjax is missing (run npm ci): "
                                 "maths is shown as TeX source")
        else:
            files.update(_mathjax_files(mj))
    # the XML Schema control files that the manifest's xsi:schemaLocation names (and those they import): at the
    # root of the package, as SCORM's content packaging rules want (ADL's conformance test suite checks them)
    control = {x.name: x for x in sorted((XSD_DIR / version).iterdir()) if x.suffix in (".xsd", ".dtd")}
    names = sorted(files)
    files.update(control)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".part")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
        def put(name: str, data: bytes) -> None:
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, data)
        put("imsmanifest.xml", manifest(page, names, version, pass_mark if closing else None).encode("utf-8"))
        for name in names + sorted(control):
            src = files[name]
            put(name, src.read_bytes() if isinstance(src, Path) else src)
    tmp.replace(out)
    graded = sum(1 for q in on_page.values() if q["graded"])
    return ScormReport(out, len(names) + len(control) + 1, len(on_page), graded, page.warnings)

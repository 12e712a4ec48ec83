"""The badge image: an SVG drawn here (accessible: ``role="img"``, ``<title>`` and ``<desc>``), with the
signed credential baked in as Open Badges 3.0 asks for an embedded proof: an ``<openbadges:credential>``
element (namespace ``https://purl.imsglobal.org/ob/v3p0``) right after ``<svg>``, holding the credential's
JSON in ``<![CDATA[...]]>``.  ``unbake`` reads it back with the standard XML parser after refusing any
file that declares a DTD or entities (a badge never does), so no entity is ever expanded."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape

from ._errors import NotACredential

OB_NS = "https://purl.imsglobal.org/ob/v3p0"
SVG_NS = "http://www.w3.org/2000/svg"
MAX_SVG = 2 * 1024 * 1024


def _lines(text: str, width: int = 26, most: int = 3) -> list[str]:
    words, lines, cur = text.split(), [], ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > width:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}".strip()
    if cur:
        lines.append(cur)
    if len(lines) > most:
        lines = lines[:most]
        lines[-1] = lines[-1][: width - 1].rstrip() + "\u2026"
    return lines


def baked_svg(credential: dict) -> str:
    """The badge of ``credential`` with the credential baked in."""
    ach = credential["credentialSubject"]["achievement"]
    title = ach["name"]
    issuer = credential["issuer"].get("name", "")
    eqf = next((a["targetCode"] for a in ach.get("alignment", []) if a.get("targetType") == "ext:EQFLevel"), None)
    names = [i["identityHash"] for i in credential["credentialSubject"].get("identifier", [])
             if i.get("identityType") == "name" and not i.get("hashed")]
    date = credential["validFrom"][:10]
    # JSON never needs ">" outside strings: written as \u003e, the CDATA section cannot be closed by a value
    data = json.dumps(credential, ensure_ascii=False, indent=1).replace(">", "\\u003e")
    desc = (f"Open Badges credential: {title}. Awarded {'to ' + names[0] + ' ' if names else ''}by {issuer} "
            f"on {date}" + (f", EQF level {eqf}" if eqf else "") + ".")
    text = "".join(f'<tspan x="256" dy="{0 if i == 0 else 34}">{escape(line)}</tspan>'
                   for i, line in enumerate(_lines(title)))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="{SVG_NS}" xmlns:openbadges="{OB_NS}" viewBox="0 0 512 512" width="512" height="512" role="img" aria-labelledby="badge-title badge-desc">
<openbadges:credential><![CDATA[{data}]]></openbadges:credential>
<title id="badge-title">{escape(title)}</title>
<desc id="badge-desc">{escape(desc)}</desc>
<circle cx="256" cy="256" r="240" fill="#12355b"/>
<circle cx="256" cy="256" r="214" fill="none" stroke="#ffffff" stroke-width="6"/>
<path d="M176 120 l80 -40 l80 40 l-80 40 z" fill="#f2c14e"/>
<text x="256" y="230" text-anchor="middle" font-family="sans-serif" font-size="28" font-weight="bold" fill="#ffffff">{text}</text>
<text x="256" y="370" text-anchor="middle" font-family="sans-serif" font-size="22" fill="#ffffff">{escape(f"EQF level {eqf}" if eqf else "")}</text>
<text x="256" y="404" text-anchor="middle" font-family="sans-serif" font-size="18" fill="#ffffff">{escape(date)}</text>
</svg>
"""


def unbake(svg: bytes | str) -> dict:
    """The credential baked in an SVG badge; :class:`NotACredential` when there is none."""
    if isinstance(svg, str):
        svg = svg.encode("utf-8")
    if len(svg) > MAX_SVG:
        raise NotACredential("the SVG is larger than a badge can be (2 MB)")
    if b"<!DOCTYPE" in svg.upper() or b"<!ENTITY" in svg.upper():
        raise NotACredential("the SVG declares a DTD or entities, which a badge never has")
    try:
        root = ET.fromstring(svg)
    except ET.ParseError as e:
        raise NotACredential(f"it is not a well-formed SVG ({e})") from None
    found = root.findall(f"{{{OB_NS}}}credential")
    if len(found) != 1:
        raise NotACredential("the SVG has no baked credential (one <openbadges:credential> element)"
                             if not found else "the SVG has more than one <openbadges:credential> element")
    el = found[0]
    if el.get("verify"):
        raise NotACredential("the badge holds a VC-JWT (verify attribute); h4s checks embedded proofs only")
    try:
        doc = json.loads(el.text or "")
    except ValueError:
        raise NotACredential("the baked credential is not JSON") from None
    if not isinstance(doc, dict):
        raise NotACredential("the baked credential is not a JSON object")
    return doc

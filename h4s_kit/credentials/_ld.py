"""JSON-LD without the network: the contexts a credential uses are files in ``_contexts/`` (see its README),
and canonical N-Quads (RDF Dataset Canonicalization, URDNA2015 = RDFC-1.0) come from PyLD."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from ._errors import NotACredential

HERE = Path(__file__).parent / "_contexts"
VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
#: context URL -> file shipped with h4s
CONTEXTS = {VC_V2: "credentials-v2.jsonld", OB_V3: "ob-v3p0-context-3.0.3.json"}


@lru_cache(maxsize=None)
def _context(url: str) -> dict:
    return json.loads((HERE / CONTEXTS[url]).read_text(encoding="utf-8"))


def _loader(url: str, options=None) -> dict:
    if url not in CONTEXTS:
        # never fetched: a credential that needs another context cannot be checked offline
        raise NotACredential(f"it uses the JSON-LD context {url}, which h4s does not know (only "
                             f"{', '.join(CONTEXTS)})")
    return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url,
            "document": _context(url)}


def canonical(doc: dict) -> str:
    """The canonical N-Quads of ``doc`` (RDFC-1.0), with the shipped contexts only."""
    from pyld import jsonld
    try:
        return jsonld.normalize(doc, {"algorithm": "URDNA2015", "format": "application/n-quads",
                                      "documentLoader": _loader, "safe": True})
    except jsonld.JsonLdError as e:
        cause = e
        while getattr(cause, "cause", None) is not None:
            cause = cause.cause
        if isinstance(cause, NotACredential):
            raise cause from None
        raise NotACredential(f"it is not valid JSON-LD ({getattr(e, 'code', None) or type(e).__name__})") from None

"""Revocation through a Bitstring Status List (W3C Bitstring Status List v1.0).

The list is a signed ``BitstringStatusListCredential`` (``status-list.json``): bit *i* (the left-most bit of
the first byte is bit 0) is 1 when the credential with ``statusListIndex`` *i* is revoked.  The bits are
GZIP-compressed and written as multibase base64url (``u...``); the list has 131 072 entries (16 KB), the
minimum the spec asks for, so that one list does not single out a learner."""
from __future__ import annotations

import gzip

from ._errors import NotACredential
from ._ld import VC_V2
from ._multibase import decode, encode

SIZE = 131072


def encode_bits(revoked: set[int]) -> str:
    raw = bytearray(SIZE // 8)
    for i in revoked:
        raw[i // 8] |= 0x80 >> (i % 8)
    return encode(gzip.compress(bytes(raw), mtime=0), "u")


def read_bits(status_credential: dict) -> set[int]:
    try:
        raw = gzip.decompress(decode(status_credential["credentialSubject"]["encodedList"]))
    except (KeyError, TypeError, ValueError, OSError, EOFError):
        raise NotACredential("the status list cannot be read (encodedList is not GZIP in multibase)") from None
    return {i * 8 + b for i, byte in enumerate(raw) if byte for b in range(8) if byte & (0x80 >> b)}


def is_set(status_credential: dict, index: int) -> bool:
    try:
        raw = gzip.decompress(decode(status_credential["credentialSubject"]["encodedList"]))
    except (KeyError, TypeError, ValueError, OSError, EOFError):
        raise NotACredential("the status list cannot be read (encodedList is not GZIP in multibase)") from None
    if not 0 <= index < len(raw) * 8:
        raise NotACredential(f"statusListIndex {index} is outside the status list")
    return bool(raw[index // 8] & (0x80 >> (index % 8)))


def status_entry(issuer, index: int) -> dict:
    return {"id": f"{issuer.status_url}#{index}", "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation", "statusListIndex": str(index),
            "statusListCredential": issuer.status_url}


def write_status_list(issuer, revoked: set[int]) -> dict:
    """Sign and write ``status-list.json`` with these revoked indexes; returns the credential."""
    from ._keys import STATUS_FILE, write_json
    from ._proof import now_iso, sign
    doc = {
        "@context": [VC_V2],
        "id": issuer.status_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer.profile["id"],
        "validFrom": now_iso(),
        "credentialSubject": {"id": issuer.status_url + "#list", "type": "BitstringStatusList",
                              "statusPurpose": "revocation", "encodedList": encode_bits(revoked)},
    }
    signed = sign(doc, issuer.key, issuer.method["id"])
    write_json(issuer.folder / STATUS_FILE, signed)
    return signed

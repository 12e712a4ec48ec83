"""Data Integrity proofs with the ``eddsa-rdfc-2022`` cryptosuite (W3C Data Integrity EdDSA Cryptosuites v1.0).

Why this and not a VC-JWT: the credential stays one readable JSON document (what a learner downloads,
what the Open Badges 3.0 JSON schema validates, what an SVG badge bakes), Open Badges 3.0 names this
cryptosuite for embedded proofs, and its two building blocks are well-kept libraries: RDF canonicalisation
from PyLD (``jsonld.normalize``, URDNA2015 = RDFC-1.0, contexts from the files shipped in ``_contexts``) and
Ed25519 from ``cryptography``.  Nothing cryptographic is written here: the steps below only put the
cryptosuite's inputs together (sections 3.3.1-3.3.6 of the cryptosuite spec):

1. proof options (everything of ``proof`` except ``proofValue``) with the document's ``@context``;
2. hash data = SHA-256(canonical proof options) || SHA-256(canonical document without ``proof``);
3. ``proofValue`` = multibase base58btc of the Ed25519 signature of the hash data.

A change of the data (a value, a name, a type, an added or removed property) changes the canonical form and
fails the signature; JSON formatting (spaces, key order) does not.
"""
from __future__ import annotations

import hashlib
import time

from ._errors import NotACredential, SignatureMismatch
from ._ld import canonical
from ._multibase import ED25519_PUB, decode, encode

CRYPTOSUITE = "eddsa-rdfc-2022"


def now_iso(t: float | None = None) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() if t is None else t))


def _hash_data(doc: dict, options: dict) -> bytes:
    unsigned = {k: v for k, v in doc.items() if k != "proof"}
    opts = {**{k: v for k, v in options.items() if k != "proofValue"}, "@context": doc["@context"]}
    return hashlib.sha256(canonical(opts).encode()).digest() + hashlib.sha256(canonical(unsigned).encode()).digest()


def sign(doc: dict, key, method_id: str, created: str | None = None) -> dict:
    """``doc`` with a ``DataIntegrityProof`` made with the Ed25519 private ``key``."""
    options = {"type": "DataIntegrityProof", "cryptosuite": CRYPTOSUITE, "created": created or now_iso(),
               "verificationMethod": method_id, "proofPurpose": "assertionMethod"}
    value = key.sign(_hash_data(doc, options))
    # a list of one proof: the Open Badges 3.0 schema wants ``proof`` as an array
    return {**doc, "proof": [{**options, "proofValue": encode(value, "z")}]}


def public_key_of(method: dict):
    """The Ed25519 public key of a Multikey verification method document."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    raw = decode(method.get("publicKeyMultibase", ""))
    if not raw.startswith(ED25519_PUB) or len(raw) != 34:
        raise NotACredential(f"{method.get('id')}: not an Ed25519 Multikey")
    return Ed25519PublicKey.from_public_bytes(raw[2:])


def check(doc: dict, public_key) -> None:
    """Raise :class:`SignatureMismatch` unless ``doc``'s proof verifies with ``public_key``."""
    from cryptography.exceptions import InvalidSignature
    proof = doc.get("proof")
    if isinstance(proof, list) and len(proof) == 1:
        proof = proof[0]
    if not isinstance(proof, dict) or proof.get("type") != "DataIntegrityProof" \
            or proof.get("cryptosuite") != CRYPTOSUITE:
        raise NotACredential(f"it has no {CRYPTOSUITE} DataIntegrityProof")
    if proof.get("proofPurpose") != "assertionMethod":
        raise SignatureMismatch("signature does not match: the proof is not for assertionMethod")
    try:
        sig = decode(proof.get("proofValue", ""))
    except ValueError:
        raise SignatureMismatch("signature does not match: the file was changed after it was issued") from None
    try:
        public_key.verify(sig, _hash_data(doc, proof))
    except InvalidSignature:
        raise SignatureMismatch("signature does not match: the file was changed after it was issued") from None

"""Offline verification, in this order: the signature against a known issuer key, the Open Badges 3.0 JSON
schema (the copy in ``_schema/``), validity dates and revocation by the issuer's status list.  Each failure is
one line."""
from __future__ import annotations

import json
import time
from calendar import timegm
from pathlib import Path

from ._errors import Expired, NotACredential, Revoked, SchemaInvalid, UnknownIssuer
from ._keys import PUBLIC_FILES, PUBLIC_KEY_FILE, STATUS_FILE

MAX_FILE = 2 * 1024 * 1024


def load_file(path: Path) -> dict:
    """The credential in a JSON file or baked in an SVG badge."""
    from ._badge import unbake
    path = Path(path)
    try:
        raw = path.read_bytes()[: MAX_FILE + 1]
    except OSError as e:
        raise NotACredential(f"{path}: cannot be read ({e.strerror})") from None
    if len(raw) > MAX_FILE:
        raise NotACredential("the file is larger than a credential can be (2 MB)")
    head = raw.lstrip()[:200].lower()
    if head.startswith(b"<"):
        return unbake(raw)
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise NotACredential("not a credential: the file is neither JSON nor an SVG badge") from None
    if not isinstance(doc, dict):
        raise NotACredential("not a credential: the JSON is not an object")
    return doc


def _known_files(folders: list[Path]) -> dict[str, dict]:
    """id -> document of every public issuer file (key, profile, status list) in ``folders`` (folders, or
    issuer files such as a downloaded ``key.json``)."""
    out: dict[str, dict] = {}
    for d in folders:
        d = Path(d)
        # a folder of issuer files, or one of them (then the given file first, its neighbours after it)
        files = [d, *(d.parent / n for n in PUBLIC_FILES)] if d.is_file() else [d / n for n in PUBLIC_FILES]
        for f in files:
            if f.is_file():
                try:
                    doc = json.loads(f.read_text(encoding="utf-8"))
                except ValueError:
                    continue
                if isinstance(doc, dict) and isinstance(doc.get("id"), str):
                    out.setdefault(doc["id"], doc)
    return out


def default_folders(book: Path | None = None) -> list[Path]:
    from ..records.store import data_dir
    folders = []
    if book is not None:
        folders.append(Path(book) / "credentials" if (Path(book) / "credentials").is_dir() else Path(book))
    folders += [Path.cwd() / "_build" / "html" / "credentials", data_dir() / "credentials"]
    return folders


def _time(value, field: str) -> float:
    try:
        return float(timegm(time.strptime(str(value)[:19], "%Y-%m-%dT%H:%M:%S")))
    except ValueError:
        raise SchemaInvalid(f"{field}: not a date-time ({value!r})") from None


def schema_problems(doc: dict) -> list[str]:
    import jsonschema
    from ._achievement import schema
    v = jsonschema.Draft201909Validator(schema())
    return [f"{'/'.join(str(p) for p in e.absolute_path) or '(top)'}: {e.message}"
            for e in sorted(v.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))]


def verify(doc: dict, folders: list[Path] | None = None, now: float | None = None) -> dict:
    """Check ``doc``; returns a summary ``{id, achievement, issuer, issued, status}`` or raises one error."""
    from ._proof import check, public_key_of
    from ._status import is_set
    if not isinstance(doc, dict) or "OpenBadgeCredential" not in (doc.get("type") or []) \
            and "AchievementCredential" not in (doc.get("type") or []):
        raise NotACredential("not a credential: no OpenBadgeCredential type")
    known = _known_files(folders if folders is not None else default_folders())
    proof = doc.get("proof")
    proof = proof[0] if isinstance(proof, list) and len(proof) == 1 else proof
    proof = proof if isinstance(proof, dict) else {}
    method = known.get(proof.get("verificationMethod"))
    if method is None or method.get("type") != "Multikey":
        raise UnknownIssuer(f"unknown issuer: the key {proof.get('verificationMethod')} is not among the issuer "
                            f"files here; give the issuer's published folder with --issuer (its {PUBLIC_KEY_FILE})")
    issuer = doc.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if method.get("controller") != issuer_id:
        raise UnknownIssuer(f"unknown issuer: the key belongs to {method.get('controller')}, not to {issuer_id}")
    check(doc, public_key_of(method))
    # after the signature: a changed file is reported as changed, whatever field the change broke
    problems = schema_problems(doc)
    if problems:
        raise SchemaInvalid(f"not an Open Badges 3.0 credential: {problems[0]}"
                            + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""))
    t = time.time() if now is None else now
    if _time(doc["validFrom"], "validFrom") > t + 300:
        raise Expired(f"not valid yet: valid from {doc['validFrom']}")
    if doc.get("validUntil") and _time(doc["validUntil"], "validUntil") < t:
        raise Expired(f"expired: valid until {doc['validUntil']}")
    status = doc.get("credentialStatus")
    state = "no status list"
    if status:
        entries = status if isinstance(status, list) else [status]
        for entry in entries:
            if entry.get("type") != "BitstringStatusListEntry":
                continue
            lst = known.get(entry.get("statusListCredential"))
            if lst is None:
                raise UnknownIssuer(f"cannot check revocation: the status list {entry.get('statusListCredential')}"
                                    f" is not here; give the issuer's published folder with --issuer (its "
                                    f"{STATUS_FILE})")
            check(lst, public_key_of(method))
            try:
                index = int(entry["statusListIndex"])
            except (KeyError, TypeError, ValueError):
                raise NotACredential("credentialStatus.statusListIndex is not a number") from None
            if is_set(lst, index):
                raise Revoked(f"revoked: the issuer revoked credential {doc.get('id')}")
            state = "not revoked"
    ach = doc["credentialSubject"]["achievement"]
    return {"id": doc.get("id"), "achievement": ach.get("name"), "issuer": (issuer or {}).get("name")
            if isinstance(issuer, dict) else issuer, "issued": doc["validFrom"], "status": state}

"""The installation's issuer: its Ed25519 key (private, in the data folder) and its public files.

Everything lives in ``<data folder>/credentials/`` (the folder of the records and of the pseudonym key:
``$H4S_DATA_DIR``, see :func:`h4s_kit.records.store.data_dir`), made 0700:

* ``issuer-key.pem``: the private key, PKCS#8 PEM, mode 0600 (never in the book; back it up like a password);
* ``issuer.json``: the issuer Profile (public; published with the book as ``credentials/issuer.json``);
* ``key.json``: the public key as a Multikey verification method (published as ``credentials/key.json``);
* ``status-list.json``: the signed Bitstring Status List credential (published as ``credentials/status-list.json``).

Their public addresses are under the book's public address (``--url`` of ``h4s credentials init``).
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from ._errors import CredentialError, NotInitialised
from ._ld import OB_V3, VC_V2
from ._multibase import ED25519_PUB, encode

KEY_FILE = "issuer-key.pem"
PROFILE_FILE = "issuer.json"
PUBLIC_KEY_FILE = "key.json"
STATUS_FILE = "status-list.json"
#: the public files ``h4s build`` copies into ``_build/html/credentials/``
PUBLIC_FILES = (PROFILE_FILE, PUBLIC_KEY_FILE, STATUS_FILE)
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"


def folder(data: Path | None = None) -> Path:
    from ..records.store import data_dir, private_dir
    d = Path(data) if data is not None else data_dir()
    private_dir(d)
    return private_dir(d / "credentials")


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def write_json(path: Path, doc: dict) -> None:
    """Write atomically (a reader sees the old or the new file, never half of one)."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


@dataclass
class Issuer:
    """The loaded issuer: private key, profile and the public key's verification method id."""
    key: object
    profile: dict
    method: dict
    folder: Path

    @property
    def base(self) -> str:
        """The public address of the credentials folder, ending in ``/``."""
        return self.profile["id"].rsplit("/", 1)[0] + "/"

    @property
    def status_url(self) -> str:
        return self.base + STATUS_FILE


def public_multibase(public_key) -> str:
    from cryptography.hazmat.primitives import serialization
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return encode(ED25519_PUB + raw, "z")


def init_issuer(name: str, url: str, country: str, email: str | None = None, description: str | None = None,
                data: Path | None = None, force: bool = False) -> Issuer:
    """Make the key (once; ``force`` keeps the key and rewrites the profile) and the issuer profile."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    if not url.startswith("https://") and not url.startswith("http://127.0.0.1") and \
            not url.startswith("http://localhost"):
        raise CredentialError(f"--url {url!r}: give the book's public https address, e.g. https://course.example.org/")
    if not (isinstance(country, str) and len(country) == 2 and country.isalpha() and country.isupper()):
        raise CredentialError(f"--country {country!r}: give the ISO 3166-1 alpha-2 code of the issuer's country, "
                              "e.g. DE, ES, PL")
    if not name.strip():
        raise CredentialError("--name: give the awarding body's name")
    d = folder(data)
    key_path = d / KEY_FILE
    profile_path = d / PROFILE_FILE
    if profile_path.exists() and not force:
        raise CredentialError(f"{profile_path}: this installation already has an issuer; use --force to rewrite "
                              "its profile (the key is kept)")
    if not key_path.exists():
        key = Ed25519PrivateKey.generate()
        _write_private(key_path, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                   serialization.NoEncryption()))
    key = _load_key(key_path)
    base = url.rstrip("/") + "/credentials/"
    profile = {
        "@context": [VC_V2, OB_V3],
        "id": base + PROFILE_FILE,
        "type": ["Profile"],
        "name": name.strip(),
        "url": url,
        "address": {"type": ["Address"], "addressCountry": country},
    }
    if email:
        profile["email"] = email
    if description:
        profile["description"] = description
    method = {
        "@context": [MULTIKEY_CONTEXT],
        "id": base + PUBLIC_KEY_FILE,
        "type": "Multikey",
        "controller": profile["id"],
        "publicKeyMultibase": public_multibase(key.public_key()),
    }
    write_json(profile_path, profile)
    write_json(d / PUBLIC_KEY_FILE, method)
    issuer = Issuer(key, profile, method, d)
    if not (d / STATUS_FILE).exists() or force:
        from ._status import write_status_list
        write_status_list(issuer, revoked=_revoked_now(d))
    return issuer


def _revoked_now(d: Path) -> set[int]:
    from ._status import read_bits
    try:
        return read_bits(json.loads((d / STATUS_FILE).read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return set()


def _load_key(path: Path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise CredentialError(f"{path}: not an Ed25519 key; run `h4s credentials init` on a clean data folder")
    return key


def load_issuer(data: Path | None = None) -> Issuer:
    d = folder(data)
    try:
        key = _load_key(d / KEY_FILE)
        profile = json.loads((d / PROFILE_FILE).read_text(encoding="utf-8"))
        method = json.loads((d / PUBLIC_KEY_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NotInitialised(f"no issuer in {d}: run `h4s credentials init --name ... --url ... --country ...` "
                             "first") from None
    except ValueError as e:
        raise NotInitialised(f"{d}: the issuer files cannot be read ({e}); restore them from the backup") from None
    if method.get("publicKeyMultibase") != public_multibase(key.public_key()):
        raise NotInitialised(f"{d}: {PUBLIC_KEY_FILE} does not belong to {KEY_FILE}; restore both from the backup")
    return Issuer(key, profile, method, d)


def publish(html_dir: Path, data: Path | None = None) -> list[Path]:
    """Copy the public issuer files into ``html_dir/credentials/`` (nothing when there is no issuer)."""
    import shutil
    from ..records.store import data_dir
    d = (Path(data) if data is not None else data_dir()) / "credentials"
    files = [d / f for f in PUBLIC_FILES if (d / f).is_file()]
    if not files:
        return []
    out = Path(html_dir) / "credentials"
    out.mkdir(parents=True, exist_ok=True)
    copied = []
    for f in files:
        shutil.copyfile(f, out / f.name)
        copied.append(out / f.name)
    return copied

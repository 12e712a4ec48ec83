"""Open Badges 3.0 credentials (issue 19, item 4): issuing from server-side results, the Data Integrity proof
(eddsa-rdfc-2022), the 1EdTech JSON schema, tampering, revocation by status list, baking, the CLI, GDPR."""
from __future__ import annotations

import json
import re
import os
import stat
import time
from pathlib import Path

import jsonschema
import pytest

from h4s_kit import credentials as C
from h4s_kit.cli import main
from h4s_kit.credentials import _multibase, _status
from h4s_kit.metadata import validate_metadata
from h4s_kit.oer import iso_duration
from h4s_kit.records.gdpr import delete_learner, export_learner
from h4s_kit.records.store import RecordStore
from h4s_kit.toc import read_meta

FIXTURES = Path(__file__).parent / "fixtures"
MOD = FIXTURES / "mini-modules" / "01-hello-oer"
SCHEMA = FIXTURES / "ob3" / "ob_v3p0_achievementcredential_schema.json"
URL = "https://course.example.org/"


@pytest.fixture
def env(tmp_path, monkeypatch):
    """An installation: data folder with an issuer, a SQLite store, learner s-a passed module 01."""
    data = tmp_path / "data"
    monkeypatch.setenv("H4S_DATA_DIR", str(data))
    monkeypatch.delenv("H4S_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    C.init_issuer("Example Issuer (placeholder)", URL, "DE")
    store = RecordStore(data / "records.sqlite")
    store.set_module_result("s-a", MOD.name, time.time(), True, 1.0)
    yield store, data / "credentials"
    store.close()


def test_the_schema_copy_is_the_shipped_one():
    shipped = Path(C.__file__).parent / "_schema" / SCHEMA.name
    assert shipped.read_bytes() == SCHEMA.read_bytes()
    assert "MicroCredential" in json.dumps(json.loads(SCHEMA.read_text())["$defs"]["Achievement"])


def test_credential_states_the_module_metadata_and_validates(env):
    store, folder = env
    doc = C.claim(store, "s-a", MOD, name="Ana Example")
    jsonschema.Draft201909Validator(json.loads(SCHEMA.read_text())).validate(doc)
    meta = validate_metadata(read_meta(MOD / "module.ipynb"), MOD / "module.ipynb", folder_name=MOD.name)
    ach = doc["credentialSubject"]["achievement"]
    assert doc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert doc["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert ach["achievementType"] == "MicroCredential" and ach["name"] == meta.title
    assert ach["version"] == meta.version and ach["inLanguage"] == meta.language
    assert [a["targetName"] for a in ach["alignment"]] == [f"EQF level {meta.eqf_level}", *meta.outcomes]
    narrative = ach["criteria"]["narrative"]
    assert f"{meta.duration_minutes} minutes" in narrative and iso_duration(meta.duration_minutes) in narrative
    assert "pass mark 50 %" in narrative and "online" in narrative   # the fixture bank's pass_mark: 0.5
    assert doc["issuer"]["address"]["addressCountry"] == "DE"
    ids = doc["credentialSubject"]["identifier"]
    assert ids[0] == {"type": "IdentityObject", "identityType": "name", "hashed": False, "identityHash": "Ana Example"}
    assert ids[1]["hashed"] and ids[1]["identityHash"] == C._achievement.learner_hash("s-a", ids[1]["salt"])
    # the name is in the credential only: not in the records, results, statements or stored credential
    assert "Ana Example" not in json.dumps([store.records(), store.module_results(), store.queue(),
                                            store.credentials()])


def test_only_a_passed_closing_quiz_gives_a_credential(env):
    store, _ = env
    with pytest.raises(C.NotEligible, match="pass the closing quiz first"):
        C.claim(store, "s-b", MOD)
    store.set_module_result("s-b", MOD.name, time.time(), False, 0.2)
    with pytest.raises(C.NotEligible):
        C.claim(store, "s-b", MOD)


def test_claiming_again_returns_the_same_credential_with_the_name_of_that_claim(env):
    store, folder = env
    first = C.claim(store, "s-a", MOD)                      # no name: the stored, nameless credential
    assert [c["credential"] for c in store.credentials()] == [first]
    assert [i["identityType"] for i in first["credentialSubject"]["identifier"]] == ["systemId"]
    ana = C.claim(store, "s-a", MOD, name="Ana Example")
    other = C.claim(store, "s-a", MOD, name="Someone Else")
    for named, name in ((ana, "Ana Example"), (other, "Someone Else")):
        # the same credential (id, dates, status entry, learner hash), with the name of this claim, signed now
        assert {k: v for k, v in named.items() if k not in ("proof", "credentialSubject")} == \
            {k: v for k, v in first.items() if k not in ("proof", "credentialSubject")}
        ids = named["credentialSubject"]["identifier"]
        assert ids == [{"type": "IdentityObject", "identityType": "name", "hashed": False, "identityHash": name},
                       *first["credentialSubject"]["identifier"]]
        assert named["proof"][0]["created"] == first["validFrom"] and named["proof"] != first["proof"]
        assert C.verify(named, [folder])["id"] == first["id"]
    assert C.verify(first, [folder])["status"] == "not revoked"
    assert C.claim(store, "s-a", MOD) == first               # and without a name, the stored one again
    assert C.claim(store, "s-a", MOD, name="Ana Example") == ana    # Ed25519 signatures are deterministic
    assert len(store.credentials()) == 1 and store.credentials()[0]["credential"] == first
    C.revoke(store, credential_id=first["id"])               # one status entry: revoking revokes every copy
    for doc in (first, ana, other):
        with pytest.raises(C.Revoked):
            C.verify(doc, [folder])
    store.set_module_result("s-c", MOD.name, time.time(), True, 1.0)
    third = C.claim(store, "s-c", MOD)
    assert third["id"] != first["id"]
    assert third["credentialStatus"]["statusListIndex"] != first["credentialStatus"]["statusListIndex"]


#: a name that occurs nowhere else (its UTF-8 bytes, and an ASCII part of it, are looked for in whole databases)
NAME = "Qzorvath \u0141\u00e9\u00f1a Wyxbrundel"
NAME_PARTS = (NAME.encode("utf-8"), b"Wyxbrundel", b"Qzorvath")


def _dump(store) -> bytes:
    """Every row of every table of the store's database (SQLite or PostgreSQL), as text."""
    def rows(sql):
        return [list(r.values()) if isinstance(r, dict) else list(r) for r in store.conn.execute(sql).fetchall()]
    if store.backend == "sqlite":
        tables = [r[0] for r in rows("SELECT name FROM sqlite_master WHERE type='table'")]
    else:
        tables = [r[0] for r in rows("SELECT table_name FROM information_schema.tables "
                                     "WHERE table_schema = current_schema()")]
    assert {"records", "xapi_queue", "module_results", "credentials", "credential_status"} <= set(tables)
    return json.dumps({t: rows(f'SELECT * FROM "{t}"') for t in tables}, ensure_ascii=False,
                      default=str).encode("utf-8")


def _claims_with_a_name(store, learner, folder):
    store.set_module_result(learner, MOD.name, time.time(), True, 1.0)
    named = C.claim(store, learner, MOD, name=NAME)
    again = C.claim(store, learner, MOD, name="  " + NAME.replace(" ", "   ") + " ")   # spaces folded: same name
    assert named["credentialSubject"]["identifier"][0]["identityHash"] == NAME and again == named
    C.verify(named, [folder])
    exported = json.dumps(export_learner(store, learner), ensure_ascii=False).encode("utf-8")
    dump = _dump(store)
    assert b"Wyxbrundel" not in exported
    assert all(p not in dump for p in NAME_PARTS), "the typed name reached the record store"
    assert named["id"].encode() in dump               # (the dump does hold the stored credential)
    return named


def test_the_typed_name_reaches_no_storage_sqlite(env, tmp_path):
    store, folder = env
    _claims_with_a_name(store, "s-a", folder)
    store.checkpoint()
    store.close()
    files = [f for f in (tmp_path / "data").rglob("*") if f.is_file()]
    assert any(f.name == "records.sqlite" for f in files)
    for f in files:                                    # the SQLite file, its journal, the issuer files
        raw = f.read_bytes()
        assert all(p not in raw for p in NAME_PARTS), f"the typed name is in {f.name}"


def test_verify_and_tampering(env):
    store, folder = env
    doc = C.claim(store, "s-a", MOD, name="Ana Example")
    assert C.verify(doc, [folder])["status"] == "not revoked"
    reordered = json.loads(json.dumps(doc, sort_keys=True))    # formatting and key order are not the data
    assert C.verify(reordered, [folder])["id"] == doc["id"]
    for change in (lambda d: d["credentialSubject"]["identifier"][0].update(identityHash="Ana Exampld"),
                   lambda d: d["credentialSubject"]["achievement"].update(name="Another module"),
                   lambda d: d.update(validFrom="2020-01-01T00:00:00Z"),
                   lambda d: d["credentialSubject"].update(narrative="added later")):
        bad = json.loads(json.dumps(doc))
        change(bad)
        with pytest.raises(C.SignatureMismatch, match="the file was changed after it was issued"):
            C.verify(bad, [folder])
    with pytest.raises(C.SignatureMismatch):      # a broken field of a signed file: reported as a change
        C.verify({**doc, "validFrom": "yesterday"}, [folder])
    issuer = C.load_issuer()
    unsigned = {k: v for k, v in doc.items() if k != "proof"}
    subject = {**doc["credentialSubject"], "achievement": {
        k: v for k, v in doc["credentialSubject"]["achievement"].items() if k != "criteria"}}
    from h4s_kit.credentials._proof import sign
    no_criteria = sign({**unsigned, "credentialSubject": subject}, issuer.key, issuer.method["id"])
    with pytest.raises(C.SchemaInvalid, match="not an Open Badges 3.0 credential: .*criteria"):
        C.verify(no_criteria, [folder])           # signed by the issuer, but not what the schema asks for
    with pytest.raises(C.NotACredential):
        C.verify({"type": ["VerifiableCredential"]}, [folder])
    with pytest.raises(C.UnknownIssuer, match="unknown issuer"):
        C.verify(doc, [folder.parent / "elsewhere"])
    assert C.verify(doc, [folder / "key.json"])["id"] == doc["id"]     # a given key file (status list beside it)


def test_dates_are_checked(env):
    store, folder = env
    doc = C.claim(store, "s-a", MOD)
    with pytest.raises(C.Expired, match="not valid yet"):
        C.verify(doc, [folder], now=time.time() - 86400)
    issuer = C.load_issuer()
    from h4s_kit.credentials._proof import sign
    unsigned = {k: v for k, v in doc.items() if k != "proof"}
    expired = sign({**unsigned, "validFrom": "2025-01-01T00:00:00Z", "validUntil": "2026-01-01T00:00:00Z"}, issuer.key, issuer.method["id"])
    with pytest.raises(C.Expired, match="expired: valid until 2026-01-01"):
        C.verify(expired, [folder], now=time.mktime((2026, 6, 1, 0, 0, 0, 0, 0, 0)))


def test_another_key_with_the_same_address_is_refused(env, tmp_path):
    store, folder = env
    doc = C.claim(store, "s-a", MOD)
    other = tmp_path / "other"
    C.init_issuer("Example Issuer (placeholder)", URL, "DE", data=other)   # same URLs, a new key
    with pytest.raises(C.SignatureMismatch):
        C.verify(doc, [other / "credentials"])


def test_revocation_persists_and_is_published(env, tmp_path):
    store, folder = env
    doc = C.claim(store, "s-a", MOD)
    book = tmp_path / "html"
    book.mkdir()
    assert {p.name for p in C.publish(book)} == {"issuer.json", "key.json", "status-list.json"}
    out = C.revoke(store, credential_id=doc["id"], book=book)
    assert out == {"id": doc["id"], "status_index": 0, "already": False}
    for where in (folder, book / "credentials"):
        with pytest.raises(C.Revoked, match="revoked"):
            C.verify(doc, [where])
    shutil_book = tmp_path / "rebuilt"
    shutil_book.mkdir()
    C.publish(shutil_book)          # a rebuild copies the list from the data folder: still revoked
    with pytest.raises(C.Revoked):
        C.verify(doc, [shutil_book / "credentials"])
    assert C.revoke(store, credential_id=doc["id"])["already"] is True
    assert store.credentials()[0]["revoked"] is not None


def test_erasure_keeps_the_credential_valid_and_revocable_from_its_file(env):
    store, folder = env
    named = C.claim(store, "s-a", MOD, name="Ana Example")
    doc = C.claim(store, "s-a", MOD)
    exported = export_learner(store, "s-a")
    assert [c["credential"] for c in exported["credentials"]] == [doc]   # the nameless one: the store has no name
    assert named["id"] == doc["id"] and "Ana Example" not in json.dumps(exported)
    r = delete_learner(store, "s-a")
    assert r["credentials"] == 1 and store.credentials() == []
    assert C.verify(doc, [folder])["status"] == "not revoked"   # erasure does not revoke (see gdpr.py)
    with pytest.raises(C.NotACredential, match="no credential"):
        C.revoke(store, credential_id=doc["id"])
    C.revoke(store, credential=doc)
    with pytest.raises(C.Revoked):
        C.verify(doc, [folder])
    # a new credential never reuses the erased one's status slot
    store.set_module_result("s-d", MOD.name, time.time(), True, 1.0)
    assert C.claim(store, "s-d", MOD)["credentialStatus"]["statusListIndex"] == "1"


def test_bake_and_unbake(env):
    store, folder = env
    doc = C.claim(store, "s-a", MOD, name="Ana ]]> <Example> & Co")
    svg = C.baked_svg(doc)
    assert svg.count("<openbadges:credential>") == 1 and 'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"' in svg
    assert "<title id=\"badge-title\">Hello, open educational resources</title>" in svg
    assert C.unbake(svg) == doc
    assert C.verify(C.unbake(svg.encode()), [folder])["id"] == doc["id"]
    for hostile, why in (('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "y">]><svg/>', "DTD"),
                         ("<svg xmlns='http://www.w3.org/2000/svg'/>", "no baked credential"),
                         ("<svg", "well-formed")):
        with pytest.raises(C.NotACredential, match=why):
            C.unbake(hostile)


def test_status_list_bits_and_multibase():
    assert _status.read_bits({"credentialSubject": {"encodedList": _status.encode_bits({0, 7, 131071})}}) \
        == {0, 7, 131071}
    lst = {"credentialSubject": {"encodedList": _status.encode_bits({0})}}
    raw = __import__("gzip").decompress(_multibase.decode(lst["credentialSubject"]["encodedList"]))
    assert len(raw) == 16384 and raw[0] == 0x80          # index 0 is the left-most bit
    for data in (b"", b"\0\0\x01", os.urandom(34)):
        assert _multibase.decode(_multibase.encode(data, "z")) == data
        assert _multibase.decode(_multibase.encode(data, "u")) == data


def test_cli_init_verify_revoke(tmp_path, monkeypatch, capsys):
    data = tmp_path / "data"
    monkeypatch.setenv("H4S_DATA_DIR", str(data))
    monkeypatch.delenv("H4S_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit):        # name, url and country have no made-up defaults
        main(["credentials", "init", "--name", "X"])
    assert main(["credentials", "init", "--name", "Example Issuer (placeholder)", "--url", URL,
                 "--country", "de"]) == 1
    assert "ISO 3166-1 alpha-2" in capsys.readouterr().err
    assert main(["credentials", "init", "--name", "Example Issuer (placeholder)", "--url", URL,
                 "--country", "DE"]) == 0
    key = data / "credentials" / "issuer-key.pem"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and stat.S_IMODE(key.parent.stat().st_mode) == 0o700
    assert main(["credentials", "init", "--name", "Y", "--url", URL, "--country", "DE"]) == 1   # not twice
    store = RecordStore()
    store.set_module_result("s-a", MOD.name, time.time(), True, 1.0)
    doc = C.claim(store, "s-a", MOD)
    store.close()
    f = tmp_path / "cred.json"
    f.write_text(json.dumps(doc, indent=2))
    svg = tmp_path / "badge.svg"
    svg.write_text(C.baked_svg(doc))
    capsys.readouterr()
    assert main(["credentials", "verify", str(f)]) == 0 and "valid: Hello" in capsys.readouterr().out
    assert main(["credentials", "verify", str(svg)]) == 0
    text = f.read_text()
    i = text.index("Hello, open")
    f.write_text(text[:i] + "J" + text[i + 1:])          # one byte changed
    assert main(["credentials", "verify", str(f)]) == 1
    err = capsys.readouterr().err.strip()
    assert err == "h4s credentials: error: signature does not match: the file was changed after it was issued"
    (tmp_path / "junk.json").write_text("[1, 2]")
    assert main(["credentials", "verify", str(tmp_path / "junk.json")]) == 1
    assert "not a credential" in capsys.readouterr().err
    assert main(["credentials", "revoke", doc["id"]]) == 0
    assert main(["credentials", "verify", str(svg)]) == 1
    assert "revoked" in capsys.readouterr().err


def test_store_on_postgresql(postgres_url, tmp_path, monkeypatch):
    monkeypatch.setenv("H4S_DATA_DIR", str(tmp_path))
    C.init_issuer("Example Issuer (placeholder)", URL, "DE")
    store = RecordStore(postgres_url)
    try:
        store.set_module_result("s-pg", MOD.name, time.time(), True, 1.0)
        doc = C.claim(store, "s-pg", MOD)
        assert C.claim(store, "s-pg", MOD) == doc
        named = _claims_with_a_name(store, "s-pg", tmp_path / "credentials")
        assert named["id"] == doc["id"]
        C.revoke(store, credential_id=doc["id"])
        with pytest.raises(C.Revoked):
            C.verify(doc, [tmp_path / "credentials"])
        assert delete_learner(store, "s-pg")["credentials"] == 1
    finally:
        store.close()


def test_the_open_badges_linked_data_proof_test_vector():
    """1EdTech's eddsa-rdfc-2022 test vector (tests/fixtures/ob3/README.md): same canonical forms, hashes,
    signature and proofValue, and the signed credential verifies; so h4s's proofs are the standard ones."""
    import hashlib

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from h4s_kit.credentials._keys import public_multibase
    from h4s_kit.credentials._ld import canonical
    from h4s_kit.credentials._proof import check, public_key_of, sign
    tv = FIXTURES / "ob3" / "test-vector"
    vec = json.loads((tv / "vector.json").read_text())
    signed = json.loads((tv / "signed-credential.json").read_text())
    proof = signed["proof"]
    unsigned = {k: v for k, v in signed.items() if k != "proof"}
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    assert canonical(unsigned) == (tv / "document-canon.txt").read_text()
    assert canonical({**options, "@context": signed["@context"]}) == (tv / "proof-canon.txt").read_text()
    assert hashlib.sha256(canonical(unsigned).encode()).hexdigest() == vec["document_hash_hex"]
    key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(vec["private_key_hex"])[:32])
    assert public_multibase(key.public_key()) == vec["public_key_multibase"]
    mine = sign(unsigned, key, proof["verificationMethod"], created=proof["created"])["proof"][0]
    assert mine["proofValue"] == proof["proofValue"]
    assert _multibase.decode(mine["proofValue"]).hex() == vec["signature_hex"]
    method = {"type": "Multikey", "publicKeyMultibase": vec["public_key_multibase"]}
    check(signed, public_key_of(method))            # their proof, as published (a single object), verifies
    with pytest.raises(C.SignatureMismatch):
        check({**signed, "name": "Teamwork Badge!"}, public_key_of(method))


def test_the_offer_script_has_the_words_of_the_page_language(tmp_path):
    """The served pages' credential offer translates with T() from the catalogues (h4s.po): every T("...") of
    its script is a credential message, the server gives a page that language's words (its language book, else
    its <html lang>, else English), and quiz payloads do not carry them."""
    from h4s_kit.server.book_files import KeylessPages
    from h4s_kit.server.credential_claim import claim_script
    from h4s_widgets import _catalogs
    from h4s_widgets._i18n import CREDENTIAL_MESSAGES, catalog, quiz_strings
    folder = Path(C.__file__).parents[1] / "server" / "_static"
    assert set(_catalogs.js_msgids((folder / "credential-claim.js").read_text(encoding="utf-8"))) \
        == set(CREDENTIAL_MESSAGES)
    assert _catalogs.js_missing(folder) == []
    script = claim_script("/api/credentials/")

    def words_in(html: str) -> dict:
        m = re.search(r"var S = (\{.*?\});\n", html)
        return json.loads(m.group(1).replace("<\\/", "</"))
    for lang in ("de", "el", "fr", "mt"):
        assert words_in(script(lang)) == {m: catalog(lang)[m] for m in CREDENTIAL_MESSAGES}
        assert all(catalog(lang)[m] != m for m in CREDENTIAL_MESSAGES)
    assert words_in(script("xx")) == words_in(script("en")) == {m: m for m in CREDENTIAL_MESSAGES}
    assert words_in(script("../../etc")) == words_in(script("en"))
    assert not set(CREDENTIAL_MESSAGES) & set(quiz_strings("de"))
    # a page's language: its language book, else <html lang>
    (tmp_path / "de").mkdir()
    pages = KeylessPages("/api/quiz/", extra_html=script, language_apis={"de": (str(tmp_path / "de"), "/de/api/")})
    assert pages.language_of(str(tmp_path / "de" / "p.html"), '<html lang="en">') == "de"
    assert pages.language_of(str(tmp_path / "p.html"), '<html class="x" lang="pt-PT">') == "pt"
    assert pages.language_of(str(tmp_path / "p.html"), "<html>") == "en"

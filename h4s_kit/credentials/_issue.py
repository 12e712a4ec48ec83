"""Issuing (only on the server's word) and revoking."""
from __future__ import annotations

import time
from pathlib import Path

from ._errors import CredentialError, NotACredential


class NotEligible(CredentialError):
    """The learner's server-side records do not show the closing quiz passed."""


def _module_meta(module_dir: Path):
    from ..metadata import validate_metadata
    from ..toc import read_meta
    nb = module_dir / "module.ipynb"
    return validate_metadata(read_meta(nb), nb, folder_name=module_dir.name)


def _closing_bank(module_dir: Path, meta):
    from h4s_widgets._schema import load_bank
    rel = meta.closing_quiz or "questions/closing-quiz.yml"
    path = (module_dir / rel).resolve()
    if not path.is_file() or module_dir.resolve() not in path.parents:
        raise NotEligible(f"module {meta.id} has no closing quiz, so it gives no credential")
    return load_bank(path)


def closing_quiz_passed(store, learner: str, module: str) -> bool:
    """True when the record store says the learner passed the module's closing quiz.  That result
    (``module_results.passed``) is written by the grader on the server (:class:`h4s_kit.records.live.LiveSink`,
    from the stored answers to the closing quiz's questions, or the learner's current draw of its pool,
    against the bank's pass mark); nothing the browser says enters it."""
    r = store.module_result(learner, module)
    return bool(r and r.get("passed"))


def claim(store, learner: str, module_dir: Path, name: str | None = None, data: Path | None = None) -> dict:
    """The learner's credential for the module's current version.  :class:`NotEligible` unless the closing
    quiz is passed on the server.

    The record store keeps the credential without a name (made and signed at the first claim: id, status entry,
    ``validFrom``).  A claim without a name returns that one; a claim with a name returns a copy with the name
    added (:func:`._achievement.with_name`) and signed now with the same id, dates and status entry (the
    proof's ``created`` is the issue time): the name is in the learner's file only, never in the store or a log."""
    from ._achievement import assessment, clean_name, credential, with_name
    from ._keys import load_issuer
    from ._proof import now_iso, sign
    from ._status import status_entry
    module_dir = Path(module_dir)
    meta = _module_meta(module_dir)
    name = clean_name(name)
    if not closing_quiz_passed(store, learner, meta.id):
        raise NotEligible(f"module {meta.id}: pass the closing quiz first; the credential is given for a "
                          "passed closing quiz")
    have = store.credential_for(learner, meta.id, meta.version)
    issuer = None
    if have is not None:
        stored = have["credential"]
    else:
        issuer = load_issuer(data)
        bank = _closing_bank(module_dir, meta)
        graded = [q for q in bank.questions if q.graded]
        quiz = assessment(bank.pass_mark, bank.draw or len(graded), len(graded) if bank.draw else None)
        issued = time.time()
        index = store.new_status_index()
        doc = credential(meta, issuer, learner, status_entry(issuer, index), quiz, now_iso(issued))
        stored = sign(doc, issuer.key, issuer.method["id"], created=doc["validFrom"])
        if not store.add_credential({"id": stored["id"], "learner": learner, "module": meta.id,
                                     "version": meta.version, "status_index": index, "issued": issued,
                                     "credential": stored}):
            # claimed at the same moment by another request: that one is the learner's credential
            stored = store.credential_for(learner, meta.id, meta.version)["credential"]
    if not name:
        return stored
    issuer = issuer or load_issuer(data)
    return sign(with_name(stored, name), issuer.key, issuer.method["id"], created=stored["validFrom"])


def revoke(store, credential_id: str | None = None, credential: dict | None = None, data: Path | None = None,
           book: Path | None = None) -> dict:
    """Revoke by id (looked up in the record store) or by a credential document of this issuer (whose proof
    must verify: an erased learner's credential is revoked from the file they hold).  Writes the signed status
    list to the data folder and, when given, the built book's ``credentials/`` folder.  Returns
    ``{id, status_index, already}``."""
    from ._keys import STATUS_FILE, load_issuer, write_json
    from ._proof import check, public_key_of
    from ._status import write_status_list
    issuer = load_issuer(data)
    if credential is not None:
        check(credential, public_key_of(issuer.method))
        status = credential.get("credentialStatus") or {}
        if status.get("statusListCredential") != issuer.status_url:
            raise NotACredential("it was not issued with this installation's status list")
        cid, index = credential.get("id"), int(status["statusListIndex"])
    else:
        row = store.credential(credential_id)
        if row is None:
            raise NotACredential(f"no credential {credential_id} in the record store; give the credential file "
                                 "instead (h4s credentials revoke FILE)")
        cid, index = row["id"], int(row["status_index"])
    revoked = store.revoked_indexes()
    already = index in revoked
    if not already:
        store.set_revoked(index, time.time())
        revoked.add(index)
    signed = write_status_list(issuer, revoked)
    if book is not None and Path(book).is_dir():
        out = Path(book) / "credentials"
        out.mkdir(exist_ok=True)
        write_json(out / STATUS_FILE, signed)
    return {"id": cid, "status_index": index, "already": already}

"""``POST <book>/api/credentials/status`` and ``.../claim``: a learner's Open Badges credential of a module.

Body ``{"module": "04-open-educational-resources"}`` (``claim`` also takes an optional ``"name"`` to print on
the credential).  The learner is the server's (``current_user``); eligibility is the record store's
``module_results.passed``, which the server's grader writes (:func:`h4s_kit.credentials.closing_quiz_passed`):
nothing in the body can make a learner eligible.  ``status`` answers ``{"issuer": bool, "eligible": bool,
"claimed": bool}``; ``claim`` answers ``{"credential": {...}, "svg": "...", "files": [json name, svg name]}``: the
same credential (id, dates, status entry) on every claim of the same module version, with the name of that
claim if it has one (the name is never stored or logged: :func:`h4s_kit.credentials.claim`).  Requests are checked as the quiz API's
(JSON only, same site only, size limit); errors are one line of JSON, never a path or a traceback."""
from __future__ import annotations

import functools
import json
import logging
import re
from pathlib import Path
from typing import Callable

from tornado import web

from ..identity import learner_of
from .errors import JsonErrors

log = logging.getLogger("h4s.serve")
_MODULE = re.compile(r"^[0-9]{2}-[a-z0-9]+(-[a-z0-9]+)*$")
MAX_BODY = 4096


class CredentialDesk:
    """What the credential handlers share: the modules folder and one record store (the server's loop thread)."""

    def __init__(self, modules_dir: Path):
        self.modules_dir = Path(modules_dir)
        self._store = None

    def store(self):
        if self._store is None:
            from ..records.store import RecordStore
            self._store = RecordStore()
        return self._store

    def module_dir(self, module) -> Path:
        if not isinstance(module, str) or not _MODULE.match(module):
            raise LookupError("module: expected a module id such as 04-open-educational-resources")
        d = self.modules_dir / module
        if not (d / "module.ipynb").is_file():
            raise LookupError(f"there is no module {module!r} on this server")
        return d

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


class CredentialHandler(JsonErrors):
    def initialize(self, desk: CredentialDesk, action: str):
        self.desk = desk
        self.action = action

    @web.authenticated
    def post(self):
        from h4s_widgets._errors import RecordsError

        from ..credentials import (BadName, CredentialError, NotEligible, NotInitialised, baked_svg, claim,
                                   closing_quiz_passed, load_issuer)
        from ..quiz_api import QuizApiError

        body = self.json_body(MAX_BODY, "the request is too long", "credentials are given to this course's own pages only")
        if body is None:
            return
        try:
            learner = _learner(learner_of(self.current_user))
            folder = self.desk.module_dir(body.get("module"))
        except QuizApiError as e:
            return self._fail(e.status, str(e))
        except LookupError as e:
            return self._fail(404 if "there is no" in str(e) else 400, str(e))
        try:
            store = self.desk.store()
            if self.action == "status":
                try:
                    load_issuer()
                    issuer = True
                except NotInitialised:
                    issuer = False
                eligible = closing_quiz_passed(store, learner, folder.name)
                claimed = any(c["module"] == folder.name for c in store.credentials(learner=learner))
                return self.finish(json.dumps({"issuer": issuer, "eligible": eligible, "claimed": claimed}))
            doc = claim(store, learner, folder, name=body.get("name"))
        except BadName as e:
            return self._fail(400, str(e))
        except NotEligible as e:
            return self._fail(403, str(e))
        except NotInitialised:
            log.error("h4s serve: a credential was claimed but this installation has no issuer "
                      "(run h4s credentials init)")
            return self._fail(503, "this course does not issue credentials yet; tell your trainer")
        except (RecordsError, CredentialError) as e:
            log.error("h4s serve: credential of %s: %s", folder.name, e)
            return self._fail(503, "your credential cannot be made just now; try again in a minute, and tell "
                                   "your trainer if it goes on")
        except Exception as e:   # never a path or a traceback to the learner; the details go to the log
            log.exception("h4s serve: credential of %s failed", folder.name)
            return self._fail(500, f"the server could not make your credential; tell your trainer "
                                   f"({type(e).__name__})")
        stem = f"{folder.name}-credential"
        self.finish(json.dumps({"credential": doc, "svg": baked_svg(doc),
                                "files": [f"{stem}.json", f"{stem}.svg"]}, ensure_ascii=False))



def _learner(learner) -> str:
    """The id the server issued (as the quiz API accepts it), else a 400."""
    from ..quiz_api import QuizApiError
    from ..records.store import LEARNER_RE, looks_personal
    if not isinstance(learner, str) or not LEARNER_RE.match(learner) or looks_personal(learner):
        raise QuizApiError(400, "no learner id: open the quiz from the book so that the server can issue one")
    return learner


def claim_script(api: str) -> Callable[[str], str]:
    """The inline script that the served book's quiz pages get (the static book never has it), as a function of
    the page's language (:meth:`h4s_kit.server.book_files.KeylessPages.language_of`): after the closing quiz is
    passed it offers the credential (see ``_static/credential-claim.js``) in the words of that language's
    catalogue (``h4s_widgets/locales/LL/LC_MESSAGES/h4s.po``, English where there is none)."""
    src = (Path(__file__).parent / "_static" / "credential-claim.js").read_text(encoding="utf-8")

    @functools.lru_cache(maxsize=64)
    def for_language(lang: str) -> str:
        from h4s_widgets._i18n import CREDENTIAL_MESSAGES, catalog
        words = catalog(lang if re.fullmatch(r"[a-z]{2,3}", lang or "") else "en")
        strings = {m: words[m] for m in CREDENTIAL_MESSAGES}
        js = (src.replace("__H4S_CREDENTIALS_API__", json.dumps(api))
              .replace("__H4S_CREDENTIALS_STRINGS__", json.dumps(strings, ensure_ascii=False)))
        return '<script>' + js.replace("</", "<\\/").replace("<!--", "<\\!--") + '</script>'
    return for_language

"""Open Badges 3.0 credentials for passed modules (issue 19, item 4).

* :func:`init_issuer` (``h4s credentials init``): the installation's Ed25519 key and issuer profile;
* :func:`claim`: the credential of a learner whose server-side records show the module's closing quiz
  passed (one per learner x module version, kept in the record store without a name; a claim with a name gets
  a copy with the name, signed then and never stored);
* :func:`verify` (``h4s credentials verify``): signature, Open Badges 3.0 schema, dates and revocation,
  offline;
* :func:`revoke` (``h4s credentials revoke``): sets the credential's bit in the signed status list;
* :func:`baked_svg` / :func:`unbake`: the badge image with the credential baked in.

Signing is :mod:`._proof` (Data Integrity, ``eddsa-rdfc-2022``; its docstring says why); what a credential
states is :mod:`._achievement`; key and public files :mod:`._keys`; revocation :mod:`._status`.
"""
from __future__ import annotations

from ._achievement import BadName, clean_name
from ._badge import baked_svg, unbake
from ._errors import (CredentialError, Expired, NotACredential, NotInitialised, Revoked, SchemaInvalid,
                      SignatureMismatch, UnknownIssuer)
from ._issue import NotEligible, claim, closing_quiz_passed, revoke
from ._keys import init_issuer, load_issuer, publish
from ._verify import load_file, verify

__all__ = ["BadName", "CredentialError", "Expired", "NotACredential", "NotEligible", "NotInitialised", "Revoked",
           "SchemaInvalid", "SignatureMismatch", "UnknownIssuer", "baked_svg", "claim", "clean_name",
           "closing_quiz_passed", "init_issuer", "load_file", "load_issuer", "publish", "revoke", "unbake",
           "verify"]

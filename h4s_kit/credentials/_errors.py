"""The one-line errors of credentials (subclasses of :class:`~h4s_widgets._errors.H4SError`)."""
from __future__ import annotations

from h4s_widgets._errors import H4SError


class CredentialError(H4SError, ValueError):
    """Base of every credential error."""


class NotInitialised(CredentialError):
    """No issuer key or profile on this installation."""


class NotACredential(CredentialError):
    """The file holds no Open Badges credential."""


class SignatureMismatch(CredentialError):
    """The proof does not verify against the issuer's key."""


class UnknownIssuer(CredentialError):
    """The key that signed the credential is not one we know."""


class Revoked(CredentialError):
    """The issuer revoked the credential."""


class Expired(CredentialError):
    """The credential is past its validUntil (or before its validFrom)."""


class SchemaInvalid(CredentialError):
    """The credential does not follow the Open Badges 3.0 JSON schema."""

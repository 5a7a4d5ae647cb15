"""Failures the service layer reports, in the app's terms.

They carry no HTTP knowledge; the app maps each to one status in one place (`catsite.web.errors`).
This module imports nothing heavy, so the app can register handlers without loading botocore.
"""


class StorageUnavailable(Exception):
    """S3 did not answer in time, or answered with a server error: try again later (503)."""


class SecretUnavailable(StorageUnavailable):
    """A secret catsite keeps outside its configuration (the admin token in Parameter Store)
    could not be read: the store did not answer, refused, or has no such parameter (503)."""


class ObjectMissing(Exception):
    """An object catsite expected was not there (another request moved or deleted it)."""


class StorageConflict(Exception):
    """A conditional write lost to concurrent writers more times than we retry (409)."""


class Refusal(Exception):
    """A request the service cannot honour as asked; `field` names the input at fault."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class InvalidReference(Refusal):
    """The request refers to something in a form catsite never hands out (400)."""


class NotFound(Refusal):
    """The thing referred to does not exist (404)."""


class Conflict(Refusal):
    """The request clashes with what already exists (409)."""


class Unacceptable(Refusal):
    """The referred object exists but is not acceptable: too big, wrong type, not an image (422)."""


class Forbidden(Refusal):
    """Nobody may do this (403)."""


class Unauthorized(Refusal):
    """The request needs credentials it did not carry (401, with WWW-Authenticate)."""


class QuotaExceeded(Refusal):
    """Storing this would take the site past its configured quota (507)."""


class TryLater(Refusal):
    """The site cannot take this now and will be able to soon (429, with Retry-After)."""

    def __init__(self, message: str, retry_after: int, field: str | None = None):
        super().__init__(message, field)
        self.retry_after = max(1, int(retry_after))


class PreconditionLost(StorageConflict):
    """One conditional write found the object changed (or created) under it: S3's 412 or 409.

    The stores catch it and read again (or take the winner's object); one that escapes them is
    answered as a StorageConflict (409).
    """

"""Who may moderate: the admin token that `DELETE /cat/pics/<id>` requires.

The site is public, so anyone may read and add; removing needs a secret sent as
`Authorization: Bearer <token>`. It is compared in constant time, so the answer's timing does
not reveal how much of a guess was right. A stage with no token configured refuses every delete
rather than allowing them all.

Where the token lives: a deployed stage keeps it in SSM Parameter Store, a SecureString named by
`CATSITE_ADMIN_TOKEN_PARAMETER`, never in its configuration. It is read on first use, never at
start-up (so never before a SnapStart snapshot, and the after-restore hook forgets any copy), and
kept for `CATSITE_ADMIN_TOKEN_TTL_SECONDS`: a rotated token is honoured within that time without
a redeploy. A token that does not match a copy older than `MISMATCH_REREAD_SECONDS` is checked
against a fresh read once, so the new token works at once after a rotation, while guessing
cannot make the site read the store more than once per that interval. Parameter Store that
cannot be read is a 503 (`SecretUnavailable`), and nothing is deleted. Locally the token is
`CATSITE_ADMIN_TOKEN`.

Statuses as RFC 6750 (section 3.1) and RFC 9110 (15.5.2, 15.5.4) give them: no bearer token, or
a wrong one (an old token after a rotation is a wrong one), is 401 with a `Bearer` challenge (a
wrong one names `error="invalid_token"`), since the right credentials would succeed; 403 is for
what no credentials could allow (a stage without a token configured, deleting the tutorial's
kitty).
"""

from __future__ import annotations

import hmac
import threading
import time

from flask import current_app, request

from catsite.errors import Forbidden, Unauthorized
from catsite.web.context import current_settings

#: The WWW-Authenticate challenge of a 401 (RFC 6750 section 3).
CHALLENGE = 'Bearer realm="catsite moderation"'
#: `app.extensions` key of the token read from Parameter Store, and when it was read.
CACHE = "catsite.admin_token"
MISMATCH_REREAD_SECONDS = 10.0

_lock = threading.Lock()


def forget_admin_token(app) -> None:
    """Drop the kept copy (SnapStart's after-restore hook; a test's rotation)."""
    app.extensions.pop(CACHE, None)


def _stored_token(max_age: float) -> str:
    """The token from Parameter Store, read again when the kept copy is older than `max_age`."""
    from catsite.s3.parameters import read_secure_parameter

    settings = current_settings()
    app = current_app._get_current_object()
    with _lock:
        kept = app.extensions.get(CACHE)
        if kept is not None and time.monotonic() - kept[1] < max_age:
            return kept[0]
        value = read_secure_parameter(settings.admin_token_parameter, settings.region).strip()
        app.extensions[CACHE] = (value, time.monotonic())
        return value


def _matches(token: str, configured: str) -> bool:
    return hmac.compare_digest(token.encode("utf-8"), configured.encode("utf-8"))


def require_admin() -> None:
    """Return when the request carries the admin token; otherwise raise 401 or 403 (or
    SecretUnavailable when the token's store cannot be read)."""
    settings = current_settings()
    stored = bool(settings.admin_token_parameter)
    if not stored and not settings.admin_token:
        raise Forbidden("Deleting is switched off on this site: no admin token (CATSITE_ADMIN_TOKEN) is set.")
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("Deleting a picture needs the admin token: send Authorization: Bearer <token>.")
    if stored:
        configured = _stored_token(settings.admin_token_ttl)
        if not _matches(token, configured):
            configured = _stored_token(MISMATCH_REREAD_SECONDS)  # a rotation since the last read?
        if not configured:
            raise Forbidden("Deleting is switched off on this site: the admin token's parameter is empty.")
    else:
        configured = settings.admin_token
    if not _matches(token, configured):
        wrong = Unauthorized("The admin token is not right.")
        wrong.challenge = f'{CHALLENGE}, error="invalid_token"'
        raise wrong

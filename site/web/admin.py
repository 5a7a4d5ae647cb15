"""Who may moderate: the admin token that `DELETE /cat/pics/<id>` requires.

The site is public, so anyone may read and add; removing needs a secret, `CATSITE_ADMIN_TOKEN`,
set per stage outside the repository and sent as `Authorization: Bearer <token>`. It is compared
in constant time, so the answer's timing does not reveal how much of a guess was right. A stage
with no token configured refuses every delete rather than allowing them all.

Statuses as RFC 6750 (section 3.1) and RFC 9110 (15.5.2, 15.5.4) give them: no bearer token, or
a wrong one, is 401 with a `Bearer` challenge (a wrong one names `error="invalid_token"`), since
the right credentials would succeed; 403 is for what no credentials could allow (a stage without
a token configured, deleting the tutorial's kitty).
"""

from __future__ import annotations

import hmac

from flask import request

from catsite.errors import Forbidden, Unauthorized
from catsite.web.context import current_settings

#: The WWW-Authenticate challenge of a 401 (RFC 6750 section 3).
CHALLENGE = 'Bearer realm="catsite moderation"'


def require_admin() -> None:
    """Return when the request carries the admin token; otherwise raise 401 or 403."""
    configured = current_settings().admin_token
    if not configured:
        raise Forbidden("Deleting is switched off on this site: no admin token (CATSITE_ADMIN_TOKEN) is set.")
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("Deleting a picture needs the admin token: send Authorization: Bearer <token>.")
    if not hmac.compare_digest(token.encode("utf-8"), configured.encode("utf-8")):
        wrong = Unauthorized("The admin token is not right.")
        wrong.challenge = f'{CHALLENGE}, error="invalid_token"'
        raise wrong

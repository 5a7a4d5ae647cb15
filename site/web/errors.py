"""Error rendering for the whole app: JSON for the API, HTML pages for people.

One place decides the shape of every error (`error_response`). An API request (the API blueprint,
or a path under one of the API's prefixes, or a client that asks for JSON and not HTML) gets
`{"message", "code"}`; a page request gets a template from `templates/errors/`. No traceback ever
reaches a client.

The API's prefixes (the first path segment of every route of the `api` blueprint) are read from
the app's URL map once, when the app is built, and kept in `app.extensions[API_PREFIXES]`; CORS
(`catsite.web.security`) uses the same set. A new API route needs no list edited.
"""

from __future__ import annotations

import sys

from flask import Flask, current_app, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from catsite.errors import (
    Conflict,
    Forbidden,
    InvalidReference,
    NotFound,
    QuotaExceeded,
    Refusal,
    SecretUnavailable,
    StorageConflict,
    StorageUnavailable,
    TryLater,
    Unacceptable,
    Unauthorized,
)
from catsite.web.admin import CHALLENGE

REFUSAL_STATUS = {
    InvalidReference: 400,
    Unauthorized: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    Unacceptable: 422,
    TryLater: 429,
    QuotaExceeded: 507,
}

API_BLUEPRINT = "api"
#: `app.extensions` key of the API's first path segments.
API_PREFIXES = "catsite.api_prefixes"

#: Friendlier words than Werkzeug's defaults, which speak of "the server" and "the URL".
API_MESSAGES = {
    404: "There is no API resource at {method} {path}.",
    405: "{method} is not allowed on {path}.",
    413: "The request body is larger than this site accepts ({limit} bytes). "
    "Upload large files to S3 with POST /uploads and send their location instead.",
}


#: An error document names at most this many fields, each with at most MAX_FIELD_MESSAGES of its
#: messages, names and messages cut to MAX_TEXT characters; `omitted` counts the fields left out.
#: A body of 85,000 unknown keys made a 3.4 MB error document: an answer a refusal must not cost.
MAX_FIELD_ERRORS = 20
MAX_FIELD_MESSAGES = 5
MAX_TEXT = 200


def _cut(text: object) -> str:
    text = str(text)
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def _messages(value) -> list[str]:
    """A field's messages as a list of strings (marshmallow nests dicts for nested fields)."""
    if isinstance(value, dict):
        return [f"{_cut(k)}: {m}" for k, v in value.items() for m in _messages(v)]
    if isinstance(value, list | tuple):
        return [m for item in value for m in _messages(item)]
    return [_cut(value)]


def bounded_errors(errors: dict) -> tuple[dict[str, list[str]], int]:
    """The first MAX_FIELD_ERRORS fields of `errors` (in sorted order) and how many were left out."""
    names = sorted(errors, key=str)
    shown = {_cut(name): _messages(errors[name])[:MAX_FIELD_MESSAGES] for name in names[:MAX_FIELD_ERRORS]}
    return shown, max(0, len(names) - MAX_FIELD_ERRORS)


def error_response(status: int, message: str, errors: dict | None = None):
    """The API's one error shape: `{"message", "code"}`, plus `errors` per field (bounded: see
    MAX_FIELD_ERRORS) and `omitted`, the number of fields with errors not listed."""
    body: dict = {"message": message, "code": status}
    if errors:
        body["errors"], omitted = bounded_errors(errors)
        if omitted:
            body["omitted"] = omitted
    response = jsonify(body)
    response.status_code = status
    return response


def validation_message(error) -> str:
    """The message of a marshmallow ValidationError: which fields to check (the first few)."""
    fields = error.messages if isinstance(error.messages, dict) else {}
    names = sorted(fields, key=str)
    listed = ", ".join(_cut(n) for n in names[:MAX_FIELD_MESSAGES]) or "the body"
    more = f" and {len(names) - MAX_FIELD_MESSAGES:,} more" if len(names) > MAX_FIELD_MESSAGES else ""
    return f"Invalid request: check {listed}{more}."


def api_prefixes(app: Flask) -> frozenset[str]:
    """The first path segments of the API blueprint's routes (`cat`, `jobs`, `healthz` ...)."""
    prefixes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(f"{API_BLUEPRINT}."):
            first = rule.rule.lstrip("/").split("/", 1)[0]
            if not first or "<" in first:
                raise ValueError(f"API route {rule.rule} has no fixed first segment to tell it from pages")
            prefixes.add(first)
    return frozenset(prefixes)


def is_api_request() -> bool:
    if request.blueprint == API_BLUEPRINT:
        return True
    first = request.path.lstrip("/").split("/", 1)[0]
    if first in current_app.extensions[API_PREFIXES]:
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def _api_message(error: HTTPException) -> str:
    template = API_MESSAGES.get(error.code or 500)
    if template and not _has_own_description(error):
        limit = request.max_content_length or 0
        return template.format(method=request.method, path=request.path, limit=limit)
    return error.description or error.name


def _page_message(error: HTTPException) -> str:
    if error.code == 413 and not _has_own_description(error):
        return f"What you sent is larger than this site accepts ({request.max_content_length or 0:,} bytes)."
    return error.description or error.name


def _has_own_description(error: HTTPException) -> bool:
    return error.description != type(error).description


def render_error(status: int, message: str, errors: dict | None = None):
    if is_api_request():
        return error_response(status, message, errors)
    page = f"errors/{status}.html" if status in (404, 500) else "errors/error.html"
    return make_response(render_template(page, status=status, message=message), status)


def register(app: Flask) -> None:
    """Error handlers; call after the blueprints are registered (the API's prefixes come from them)."""
    app.extensions[API_PREFIXES] = api_prefixes(app)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        if status >= 500:
            return render_error(status, "Something went wrong on our side. Please try again.")
        message = _api_message(error) if is_api_request() else _page_message(error)
        response = render_error(status, message)
        if status == 405 and getattr(error, "valid_methods", None):
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    def invalid_body(error):
        """marshmallow's ValidationError: 400 with the errors per field."""
        errors = error.messages if isinstance(error.messages, dict) else {"_schema": error.messages}
        return render_error(400, validation_message(error), errors)

    def unavailable(what: str, message: str):
        def answer(error: StorageUnavailable):
            app.logger.warning("%s unavailable: %s", what, error)
            response = render_error(503, message)
            response.headers["Retry-After"] = "5"
            return response

        return answer

    # the more specific first: Flask picks the handler of the nearest class in the error's MRO
    app.register_error_handler(
        SecretUnavailable,
        unavailable("secret", "The admin token cannot be checked right now. Try again in a moment."),
    )
    app.register_error_handler(
        StorageUnavailable,
        unavailable("storage", "Storage is unavailable right now. Please try again in a moment."),
    )

    @app.errorhandler(Refusal)
    def refused(error: Refusal):
        status = next((code for cls, code in REFUSAL_STATUS.items() if isinstance(error, cls)), 400)
        response = render_error(status, str(error), {error.field: [str(error)]} if error.field else None)
        if isinstance(error, Unauthorized):
            challenge = getattr(error, "challenge", CHALLENGE)
            response.headers["WWW-Authenticate"] = challenge
        if isinstance(error, TryLater):
            response.headers["Retry-After"] = str(error.retry_after)
        return response

    @app.errorhandler(StorageConflict)
    def storage_conflict(error: StorageConflict):
        return render_error(409, str(error))

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        # marshmallow is imported with the first schema (catsite.lazy), not at start-up, so its
        # ValidationError cannot be registered by class here; until it is loaded none can occur.
        marshmallow = sys.modules.get("marshmallow")
        if marshmallow is not None and isinstance(error, marshmallow.ValidationError):
            return invalid_body(error)
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return http_error(InternalServerError())

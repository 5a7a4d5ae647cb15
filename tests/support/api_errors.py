"""The API's error answer as its contract states it, not as its sentences read today.

The OpenAPI document (`/openapi.json`, `catsite.api.openapi`) states the shape: every error is an
`Error` object, `{"message": str, "code": int}` with `code` "the HTTP status, repeated", plus
`errors` per field where the status's description says "errors says which". It states which
statuses each operation answers, and no message text; so a test asserts the status, the code,
the field named in `errors`, and a message that is for people: non-empty, and no internals.
"""

from __future__ import annotations

import json
import re

#: What must never reach a client: a traceback, a Python repr, an exception's class name.
LEAKS = re.compile(
    r"Traceback \(most recent call last\)|File \"|<[\w.]+ object at 0x|\{'|\['"
    r"|\b[A-Z]\w*(?:Error|Exception)\b|\b(?:StorageUnavailable|ObjectMissing|PreconditionLost)\b"
)


def assert_error_shape(body: dict, status: int) -> dict:
    """`body` is the document's Error object for `status`; returns it."""
    assert set(body) <= {"message", "code", "errors", "omitted"}, body
    assert body["code"] == status, body
    message = body["message"]
    assert isinstance(message, str) and message.strip(), body
    assert not LEAKS.search(message), message
    return body


def documented_statuses(document: dict, method: str, path: str) -> set[int]:
    """The statuses the OpenAPI `document` says `method` on `path` (OpenAPI style) may answer."""
    return {int(status) for status in document["paths"][path][method.lower()]["responses"]}


def assert_gateway_error(body) -> None:
    """An answer the front door gives itself, before any function runs: API Gateway's gateway
    responses (their default template is `{"message":$context.error.messageString}`, API Gateway
    guide "Gateway responses"), which the local doors copy. A JSON object whose one member is a
    non-empty string `message`: not the app's Error (no `code`), and no words held to today's."""
    if isinstance(body, bytes | str):
        body = json.loads(body)
    assert set(body) == {"message"}, body
    assert isinstance(body["message"], str) and body["message"].strip(), body

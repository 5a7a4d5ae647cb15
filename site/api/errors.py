"""The API's one error shape, and reading a request body into a schema.

Every API error is `{"message": str, "code": int}`, plus `"errors"` per field for a validation
failure. Errors are raised as exceptions anywhere and rendered here, once.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from flask import jsonify, request
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

if TYPE_CHECKING:  # marshmallow loads with the first schema, not with the app (cold start)
    from marshmallow import Schema, ValidationError


def error_response(status: int, message: str, errors: dict | None = None):
    body: dict = {"message": message, "code": status}
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    return response


def _reject_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def load_json_body(schema: Schema) -> dict:
    """The request's JSON object, validated by `schema`.

    415 unless the body is declared JSON; 400 when it does not parse (including nesting deep
    enough to exhaust the parser, and NaN/Infinity, which JSON does not have) or is not an
    object; marshmallow's ValidationError (400 with per-field errors) when a field is wrong.
    """
    if not request.is_json:
        raise UnsupportedMediaType("Send the body as JSON, with Content-Type: application/json.")
    raw = request.get_data(cache=True)
    try:
        data = json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        raise BadRequest("The body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise BadRequest('The body must be a JSON object, like {"says": "purr"}.')
    return schema.load(data)


def validation_message(error: ValidationError) -> str:
    fields = error.messages if isinstance(error.messages, dict) else {}
    names = ", ".join(sorted(fields)) or "the body"
    return f"Invalid request: check {names}."

"""Reading a request body into a schema: JSON only, an object, then the schema's rules.

Each refusal is raised as an exception and rendered once, in the API's one error shape
(`catsite.web.errors`).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from flask import request
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

if TYPE_CHECKING:  # marshmallow loads with the first schema, not with the app (cold start)
    from marshmallow import Schema


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

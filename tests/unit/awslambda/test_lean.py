"""The lean handler on its own (no S3, no Zappa): an exception escaping the app is a 500 JSON
`{"message", "code"}` in the door's own shape."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from catsite.awslambda.lean import LeanHttpHandler
from catsite_tools.local.events import LambdaContext, alb_event, function_url_event, http_event, rest_event
from tests.support.api_errors import assert_error_shape

SETTINGS = SimpleNamespace(API_STAGE="dev", BINARY_SUPPORT=True)


def raising_app(environ, start_response):
    raise RuntimeError("boom {'secret': 1}")


def raising_iterable(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])

    def chunks():
        yield b"half"
        raise RuntimeError("mid-body")

    return chunks()


EVENTS = {
    "rest": lambda: rest_event("GET", "/cat"),
    "http": lambda: http_event("GET", "/cat", stage="dev"),
    "url": lambda: function_url_event("GET", "/cat"),
    "alb": lambda: alb_event("GET", "/cat"),
    "alb-multi": lambda: alb_event("GET", "/cat", multi_value=True),
}


@pytest.mark.parametrize("app", [raising_app, raising_iterable], ids=["raises", "raises-mid-body"])
@pytest.mark.parametrize("door", list(EVENTS))
def test_an_escape_is_a_500_json_in_the_doors_shape(door, app):
    raw = LeanHttpHandler(SETTINGS, wsgi_app=app)(EVENTS[door](), LambdaContext())
    assert raw["statusCode"] == 500 and raw["isBase64Encoded"] is False
    # The document's Error object for a 500 ("the answer carries no details"): the shape and the
    # status, not today's sentence; nothing of the exception reaches the client.
    assert_error_shape(json.loads(raw["body"]), 500)
    for internal in ("secret", "boom", "mid-body", "RuntimeError", "{'"):
        assert internal not in raw["body"]
    headers = raw.get("headers") or {k: v[0] for k, v in raw["multiValueHeaders"].items()}
    assert headers["Content-Type"] == "application/json"
    if door.startswith("alb"):
        # ELB guide: statusDescription is the status code and its reason phrase (RFC 9110 15.6.1).
        assert raw["statusDescription"] == "500 Internal Server Error"
        assert ("multiValueHeaders" if door == "alb-multi" else "headers") in raw

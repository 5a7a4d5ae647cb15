"""Which answers travel base64: the translation encodes a body exactly when the size limits count
it at base64's size, for every media type, and both decide as Zappa's handler does.

The oracle is Zappa's handler (the path the lean one must answer like): with binary support on, a
body goes base64 when the answer has a Content-Encoding or its media type does not start with one
of `zappa.utilities.DEFAULT_TEXT_MIMETYPES`. Media types are case-insensitive and their parameters
are not part of the type (RFC 9110 section 8.3.1).
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from flask import Response
from zappa.utilities import DEFAULT_TEXT_MIMETYPES

from catsite.awslambda.lean import LeanHttpHandler
from catsite.doors.media import TEXT_MIMETYPES
from catsite.doors.table import ALB, REST
from catsite.web.limits import wire_bytes
from catsite_tools.local.events import LambdaContext, rest_event

BODY = b"x" * 300
AS_BASE64 = 400  # 4 * ceil(300 / 3) (RFC 4648 section 4)

# (Content-Type, Content-Encoding, travels base64)
TABLE = [
    ("application/xml", None, False),
    ("image/svg+xml", None, False),
    ("application/javascript", None, False),
    ("application/problem+json", None, True),  # RFC 9457's type: not on Zappa's list
    ("text/html; charset=utf-8", None, False),
    ("Text/HTML; charset=UTF-8", None, False),
    ("application/json", None, False),
    ("application/manifest+json", None, True),
    ("image/png", None, True),
    ("application/octet-stream", None, True),
    ("text/html; charset=utf-8", "gzip", True),  # gzip output is bytes, whatever its type
]


def translated(content_type: str, encoding: str | None) -> dict:
    def app(environ, start_response):
        headers = [("Content-Type", content_type)] + ([("Content-Encoding", encoding)] if encoding else [])
        start_response("200 OK", headers)
        return [BODY]

    handler = LeanHttpHandler(SimpleNamespace(API_STAGE="dev", BINARY_SUPPORT=True), wsgi_app=app)
    return handler(rest_event("GET", "/x"), LambdaContext())


def test_the_text_types_are_zappas():
    assert TEXT_MIMETYPES == DEFAULT_TEXT_MIMETYPES


@pytest.mark.parametrize(("content_type", "encoding", "base64"), TABLE, ids=[f"{t} {e}" for t, e, _ in TABLE])
def test_the_translation_and_the_size_limit_decide_base64_alike(content_type, encoding, base64):
    assert translated(content_type, encoding)["isBase64Encoded"] is base64
    response = Response(BODY, content_type=content_type)
    if encoding:
        response.headers["Content-Encoding"] = encoding
    for door in (REST, ALB):
        assert wire_bytes(response, door) == (AS_BASE64 if base64 else len(BODY))

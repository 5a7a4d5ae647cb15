"""WSGI strings, as PEP 3333 defines them ("Unicode issues": native strings holding bytes, one
latin-1 character per byte), made from an event's text and read back as Werkzeug reads them."""

from __future__ import annotations

import pytest

from catsite.awslambda.answers import error_answer, status_description
from catsite.awslambda.reading import read_request
from catsite.doors import table as doors
from catsite.doors.formats import event_format
from catsite.doors.wsgi_text import from_wsgi_string, wsgi_string
from catsite_tools.local.events import alb_event, function_url_event, http_event, rest_event

# (text, its UTF-8 bytes: RFC 3629 section 3's encoding of each code point)
UTF8 = [
    ("/cat", b"/cat"),
    ("café", b"caf\xc3\xa9"),
    ("猫", b"\xe7\x8c\xab"),
    ("🐈", b"\xf0\x9f\x90\x88"),
    # A lone surrogate is no Unicode text, but JSON can carry one: RFC 3629's bit pattern for
    # U+D800 (1110xxxx 10xxxxxx 10xxxxxx), bytes that are not UTF-8 (RFC 3629 forbids them).
    ("\ud800", b"\xed\xa0\x80"),
    ("\udcff", b"\xed\xb3\xbf"),
]


@pytest.mark.parametrize(("text", "encoded"), UTF8, ids=[repr(t) for t, _ in UTF8])
def test_a_wsgi_string_is_the_texts_utf8_bytes_as_latin1(text, encoded):
    assert wsgi_string(text) == encoded.decode("latin-1")
    assert all(ord(c) < 256 for c in wsgi_string(text))


def test_read_back_a_wsgi_string_is_the_text_or_u_fffd_where_it_was_not_unicode():
    assert from_wsgi_string(wsgi_string("café 猫")) == "café 猫"
    # Unicode Standard 3.9, "U+FFFD substitution of maximal subparts": ED A0 80 is three of them
    # (A0 cannot follow ED), so three replacement characters and never a surrogate.
    assert from_wsgi_string(wsgi_string("a\ud800b")) == "a\ufffd\ufffd\ufffdb"


@pytest.mark.parametrize(
    "event",
    [
        rest_event("GET", "/cat", headers={"X-Note": "caf\u00e9 \ud800"}, stage="d\ud800v"),
        dict(rest_event("GET", "/cat"), path="/cat/\ud800"),
        dict(alb_event("GET", "/cat"), path="/cat/\udc80"),
    ],
    ids=["rest header and stage", "rest path", "alb path"],
)
def test_every_field_of_the_environ_is_a_wsgi_string_even_with_lone_surrogates(event):
    request = read_request(event)
    for value in (request.script_name, request.path):
        assert all(ord(c) < 256 for c in value), value


@pytest.mark.parametrize(
    ("status", "line", "description"),
    [
        # RFC 9110 section 15: each code's reason phrase, in its own case.
        (200, "200 OK", "200 OK"),
        (404, "404 NOT FOUND", "404 Not Found"),
        (413, "413 REQUEST ENTITY TOO LARGE", "413 Content Too Large"),
        (503, "503 SERVICE UNAVAILABLE", "503 Service Unavailable"),
        # No registered phrase: the app's own status line stands.
        (299, "299 CUSTOM", "299 CUSTOM"),
    ],
)
def test_an_alb_status_description_is_the_code_and_its_registered_phrase(status, line, description):
    assert status_description(status, line) == description


def _with_elb(event: dict) -> dict:
    return dict(event, requestContext=dict(event["requestContext"], elb={"targetGroupArn": "arn"}))


# Each door's event as AWS documents it, the format it declares and the door it came through.
FORMATS = {
    "rest": (rest_event("GET", "/cat"), "rest", doors.REST),
    "http": (http_event("GET", "/cat"), "v2", doors.HTTP),
    "function url": (function_url_event("GET", "/cat"), "v2", doors.FUNCTION_URL),
    "alb": (alb_event("GET", "/cat"), "alb", doors.ALB),
    # Claims two formats (no door sends this; a direct Invoke can): payload 2.0's version wins.
    "v2 with an elb context": (
        _with_elb(http_event("GET", "/cat")),
        "v2",
        doors.HTTP,
    ),
}


@pytest.mark.parametrize(("event", "kind", "door"), FORMATS.values(), ids=FORMATS.keys())
def test_the_reading_the_error_shape_and_the_limits_take_an_event_as_one_format(event, kind, door):
    assert event_format(event) == kind
    assert read_request(event).format == kind
    assert doors.door_for({"lambda.event": event}) is door
    error = error_answer(event, 400, "bad")
    assert ("statusDescription" in error) is (kind == "alb")
    assert ("cookies" in error) is (kind == "v2")


@pytest.mark.parametrize("context", ["elb", 7, None, []], ids=repr)
def test_a_request_context_that_is_no_object_is_payload_1_0_and_raises_nothing(context):
    event = dict(rest_event("GET", "/cat"), requestContext=context)
    assert event_format(event) == "rest"
    assert doors.door_for({"lambda.event": event}) is doors.REST
    assert error_answer(event, 400, "bad")["statusCode"] == 400


def test_no_event_is_the_local_server():
    assert event_format(None) is None
    assert doors.door_for({}) is doors.LOCAL

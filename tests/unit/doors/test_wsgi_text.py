"""WSGI strings, as PEP 3333 defines them ("Unicode issues": native strings holding bytes, one
latin-1 character per byte), made from an event's text and read back as Werkzeug reads them."""

from __future__ import annotations

import pytest

from catsite.awslambda.reading import read_request
from catsite.doors.wsgi_text import from_wsgi_string, wsgi_string
from catsite_tools.local.events import alb_event, rest_event

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

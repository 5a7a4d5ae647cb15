"""Content coding, checked against the specifications rather than against today's bytes.

RFC 9110 section 8.4 (Content-Encoding) and 12.5.3 (Accept-Encoding), RFC 9112 section 6.3
(Content-Length is the length of the body as sent) and RFC 1952 (the gzip format, read back with
Python's own `gzip`). What the site promises on top (catsite.web.compression's contract): text
answers are gzipped when the client accepts gzip, answers under `MIN_BYTES` are left as they are,
and nothing already encoded (a picture) is encoded again.
"""

import gzip
import json

import pytest

from catsite.web.compression import MIN_BYTES

#: A page and a large JSON answer, both text the site may compress.
COMPRESSIBLE = ["/docs", "/openapi.json"]


def vary(answer) -> set[str]:
    """The field names in Vary, compared case-insensitively (RFC 9110 section 12.5.5)."""
    return {name.strip().lower() for name in answer.headers.get("Vary", "").split(",") if name.strip()}


def assert_length_is_what_was_sent(answer):
    # RFC 9112 section 6.3 / RFC 9110 section 8.6: Content-Length counts the body's bytes as sent,
    # that is after the content coding.
    assert int(answer.headers["Content-Length"]) == len(answer.data)


@pytest.mark.parametrize("path", COMPRESSIBLE)
def test_a_gzipped_answer_is_the_identity_answer_gzipped(client, path):
    plain = client.get(path)  # no Accept-Encoding: only identity is acceptable (RFC 9110 12.5.3)
    packed = client.get(path, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert packed.data[:2] == b"\x1f\x8b"  # RFC 1952 section 2.3.1: ID1, ID2
    assert gzip.decompress(packed.data) == plain.data
    assert packed.mimetype == plain.mimetype  # the coding changes the bytes, not the media type
    assert "accept-encoding" in vary(packed)
    assert_length_is_what_was_sent(packed)
    assert_length_is_what_was_sent(plain)


def test_a_large_json_answer_is_smaller_on_the_wire(client):
    plain = client.get("/openapi.json")
    packed = client.get("/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert len(plain.data) >= MIN_BYTES  # large enough for the site to compress
    assert json.loads(gzip.decompress(packed.data)) == plain.get_json()
    assert len(packed.data) < len(plain.data)  # what compression is for


def test_an_answer_under_the_threshold_is_sent_as_it_is(client):
    plain = client.get("/cat")
    answer = client.get("/cat", headers={"Accept-Encoding": "gzip"})
    assert len(plain.data) < MIN_BYTES
    assert "Content-Encoding" not in answer.headers
    assert answer.data == plain.data
    # The tutorial's contract, as JSON (DESIGN: GET /cat on a fresh store).
    assert answer.get_json() == {"says": "meow", "code": 200}
    assert_length_is_what_was_sent(answer)


def test_pictures_are_not_recompressed(client):
    answer = client.get("/static/kitty.png", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in answer.headers
    assert answer.data.startswith(b"\x89PNG\r\n\x1a\n")  # the PNG signature (PNG spec, 5.2)


# RFC 9110 section 12.5.3: its examples of Accept-Encoding, and what each allows for gzip.
@pytest.mark.parametrize(
    ("accept_encoding", "gzipped"),
    [
        ("compress, gzip", True),
        ("*", True),
        ("compress;q=0.5, gzip;q=1.0", True),
        ("gzip;q=1.0, identity; q=0.5, *;q=0", True),
        ("", False),  # the empty value: only identity is acceptable
        ("gzip;q=0", False),  # q=0 means "not acceptable" (section 12.4.2)
        ("identity", False),
        ("*;q=0", False),
        ("gzip;q=0, *", False),  # a named coding's quality beats the wildcard's
        ("*;q=0, gzip;q=0.001", True),
        ("gzip;q=0.5", True),
        ("GZIP", True),  # codings are case-insensitive (section 8.4.1)
        ("x-gzip", True),  # section 8.4.1.3: x-gzip is gzip
    ],
)
def test_accept_encoding_is_negotiated_as_rfc_9110_says(client, accept_encoding, gzipped):
    plain = client.get("/docs")
    answer = client.get("/docs", headers={"Accept-Encoding": accept_encoding})
    assert answer.status_code == 200
    assert (answer.headers.get("Content-Encoding") == "gzip") is gzipped
    assert (gzip.decompress(answer.data) if gzipped else answer.data) == plain.data
    assert "accept-encoding" in vary(answer)  # a cache must key on it either way
    assert_length_is_what_was_sent(answer)


def test_a_compressible_answer_varies_on_accept_encoding_without_one(client):
    answer = client.get("/docs")
    assert "Content-Encoding" not in answer.headers
    assert "accept-encoding" in vary(answer)

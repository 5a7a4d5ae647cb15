"""Text answers are gzipped for clients that accept it; nothing else changes."""

import gzip

import pytest


def test_pages_are_gzipped_for_clients_that_accept_it(client):
    plain = client.get("/docs")
    packed = client.get("/docs", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert gzip.decompress(packed.data) == plain.data
    assert len(packed.data) < len(plain.data) / 3


def test_small_answers_and_the_tutorials_json_are_left_alone(client):
    answer = client.get("/cat", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in answer.headers
    assert answer.data == b'{"code":200,"says":"meow"}\n'


def test_pictures_are_not_recompressed(client):
    answer = client.get("/static/kitty.png", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in answer.headers
    assert answer.data.startswith(b"\x89PNG")


# RFC 9110 section 12.5.3: its examples of Accept-Encoding, and what each allows for gzip.
@pytest.mark.parametrize(
    ("accept_encoding", "gzipped"),
    [
        ("compress, gzip", True),
        ("*", True),
        ("compress;q=0.5, gzip;q=1.0", True),
        ("gzip;q=1.0, identity; q=0.5, *;q=0", True),
        ("", False),  # the empty value: only identity is acceptable
        ("gzip;q=0", False),
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
    answer = client.get("/docs", headers={"Accept-Encoding": accept_encoding})
    assert answer.status_code == 200
    assert (answer.headers.get("Content-Encoding") == "gzip") is gzipped
    assert "Accept-Encoding" in answer.headers.get("Vary", "")  # a cache must key on it either way


def test_a_compressible_answer_varies_on_accept_encoding_without_one(client):
    answer = client.get("/docs")
    assert "Content-Encoding" not in answer.headers
    assert "Accept-Encoding" in answer.headers["Vary"]

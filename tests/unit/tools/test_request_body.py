"""Reading a request body to its end (RFC 9112 sections 6 and 7.1), within a bound."""

from __future__ import annotations

import io
from email.message import Message

import pytest

from catsite_tools.local.request_body import BadRequest, read_body


def headers(**fields) -> Message:
    message = Message()
    for name, value in fields.items():
        message[name.replace("_", "-")] = value
    return message


def test_a_body_by_content_length_leaves_the_next_request_unread():
    stream = io.BytesIO(b"hello" + b"GET / HTTP/1.1\r\n")
    assert read_body(stream, headers(content_length="5"), limit=10) == (b"hello", True)
    assert stream.read() == b"GET / HTTP/1.1\r\n"


def test_header_names_in_lower_case_count_the_same():
    stream = io.BytesIO(b"abc")
    assert read_body(stream, headers(**{"content-length": "3"}), limit=10) == (b"abc", True)


def test_a_chunked_body_is_joined_and_its_trailers_are_read():
    stream = io.BytesIO(b"3;ext=1\r\nabc\r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\nNEXT")
    assert read_body(stream, headers(transfer_encoding="chunked"), limit=100) == (b"abc0123456789", True)
    assert stream.read() == b"NEXT"


def test_chunked_wins_over_content_length():
    stream = io.BytesIO(b"2\r\nok\r\n0\r\n\r\n")
    both = headers(content_length="1", transfer_encoding="chunked")
    assert read_body(stream, both, limit=10) == (b"ok", True)


@pytest.mark.parametrize("encoding", ["length", "chunked"])
def test_a_body_over_the_limit_is_read_to_its_end_and_dropped(encoding):
    body = b"x" * 25
    if encoding == "length":
        stream, fields = io.BytesIO(body + b"NEXT"), headers(content_length="25")
    else:
        stream = io.BytesIO(b"19\r\n" + body + b"\r\n0\r\n\r\nNEXT")
        fields = headers(transfer_encoding="chunked")
    assert read_body(stream, fields, limit=10, cap=100) == (None, True)
    assert stream.read() == b"NEXT"


def test_past_the_cap_the_reader_stops_and_says_the_connection_must_close():
    assert read_body(io.BytesIO(b""), headers(content_length="1000"), limit=10, cap=100) == (None, False)
    chunked = io.BytesIO((b"64\r\n" + b"x" * 100 + b"\r\n") * 2)
    assert read_body(chunked, headers(transfer_encoding="chunked"), limit=10, cap=150) == (None, False)


@pytest.mark.parametrize(
    ("fields", "data"),
    [
        ({"content_length": "-1"}, b""),
        ({"content_length": "12, 12"}, b""),
        ({"content_length": "5"}, b"abc"),  # the client stopped early
        ({"transfer_encoding": "chunked"}, b"zz\r\n"),
        ({"transfer_encoding": "chunked"}, b"-1\r\n"),
        ({"transfer_encoding": "chunked"}, b"3\r\nabcXY"),
        ({"transfer_encoding": "chunked"}, b""),
    ],
)
def test_a_body_that_cannot_be_framed_is_a_bad_request(fields, data):
    with pytest.raises(BadRequest):
        read_body(io.BytesIO(data), headers(**fields), limit=100)

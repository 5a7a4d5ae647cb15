"""A body sent chunked (Transfer-Encoding: chunked, no Content-Length) is held to the same size
limit as one that declares its length: 413, through a real server (the test client does not chunk)."""

from __future__ import annotations

import json

import requests


def chunks(total: int, size: int = 64 * 1024):
    sent = 0
    yield b'{"says": "'
    while sent < total:
        yield b"m" * min(size, total - sent)
        sent += size
    yield b'"}'


def test_a_chunked_body_over_the_limit_is_413_like_a_declared_one(live_server):
    limit = 6 * 1024 * 1024 + 1
    declared = requests.post(
        f"{live_server}/cat",
        data=b"".join(chunks(limit)),
        headers={"Content-Type": "application/json"},
        timeout=60,
    )
    chunked = requests.post(
        f"{live_server}/cat", data=chunks(limit), headers={"Content-Type": "application/json"}, timeout=60
    )
    assert chunked.request.headers.get("Transfer-Encoding") == "chunked"
    assert "Content-Length" not in chunked.request.headers
    assert declared.status_code == 413
    assert chunked.status_code == 413, chunked.text[:300]
    assert chunked.json()["code"] == 413
    assert requests.get(f"{live_server}/cat", timeout=10).json()["says"] == "meow"


def test_a_small_chunked_body_is_read_whole(live_server):
    body = json.dumps({"says": "purr"}).encode()
    answer = requests.post(
        f"{live_server}/cat",
        data=iter([body[:5], body[5:]]),
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text[:300]
    assert answer.json()["says"] == "purr"

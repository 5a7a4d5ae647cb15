"""Real image files made with Pillow, the two HTTP steps of a direct upload, and registering it.

The helpers that speak to the site take a Flask test client, or a `LiveSite` for a site running
in another process (the same two calls, over HTTP)."""

from __future__ import annotations

import io
import os

import requests
from PIL import Image


def image_bytes(fmt: str, size=(640, 480), color=(200, 120, 60)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, fmt)
    return out.getvalue()


def noisy_png(megabytes: float) -> bytes:
    """A PNG of random pixels: incompressible, so about `megabytes` MB on disk."""
    side = int((megabytes * 1_000_000 / 3) ** 0.5)
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, "PNG", compress_level=1)
    return out.getvalue()


def decompression_bomb() -> bytes:
    """A small PNG (a few KB) that declares 100 million pixels."""
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, "PNG", optimize=True)
    return out.getvalue()


FORMATS = {
    "image/png": ("PNG", "png"),
    "image/jpeg": ("JPEG", "jpg"),
    "image/gif": ("GIF", "gif"),
    "image/webp": ("WEBP", "webp"),
}


def presign(client, filename: str, content_type: str, size: int):
    return client.post("/uploads", json={"filename": filename, "content_type": content_type, "bytes": size})


def post_to_s3(presigned: dict, data: bytes, filename: str = "cat.bin") -> requests.Response:
    """Send the file to S3 as a browser form would: the policy's fields, then the file."""
    files = {**{k: (None, v) for k, v in presigned["fields"].items()}, "file": (filename, data)}
    return requests.post(presigned["url"], files=files, timeout=30)


def upload(client, data: bytes, content_type: str = "image/png", filename: str = "cat.png") -> dict:
    """Presign and send a file; returns the presigned answer (with its `location`)."""
    answer = presign(client, filename, content_type, len(data))
    assert answer.status_code == 201, answer.get_json()
    presigned = answer.get_json()
    sent = post_to_s3(presigned, data, filename)
    assert sent.status_code in (200, 201, 204), sent.text
    return presigned


def upload_token(presigned: dict) -> str:
    """The random part of an upload's key, `uploads/<token>/<name>`: the id its picture will get."""
    return presigned["fields"]["key"].split("/")[1]


def register(client, location: str, caption: str = ""):
    """POST /cat/pics for the upload at `location`; the answer as it came, for the test to judge."""
    return client.post("/cat/pics", json={"location": location, "caption": caption})


def upload_and_register(
    client, data: bytes, caption: str = "", content_type: str = "image/png", filename: str = "cat.png"
) -> dict:
    """Upload `data` and register it, as the gallery's form does; the new picture's record."""
    presigned = upload(client, data, content_type, filename)
    answer = register(client, presigned["location"], caption)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


class LiveSite:
    """A site running at `url`, with the test client's `post` the helpers above use."""

    def __init__(self, url: str):
        self.url = url

    def post(self, path: str, json: dict) -> _LiveAnswer:
        return _LiveAnswer(requests.post(f"{self.url}{path}", json=json, timeout=60))


class _LiveAnswer:
    """A `requests` answer read as a test client's is: `status_code` and `get_json()`."""

    def __init__(self, answer: requests.Response):
        self.status_code = answer.status_code
        self._answer = answer

    def get_json(self):
        return self._answer.json()


def refused_registration(client, data: bytes, content_type: str = "image/png", filename: str = "cat.png"):
    """Upload `data` and try to register it; the site's Error for the refusal (a 4xx), so a test can
    hold a page or a tool to the site's own words rather than to a copy of today's."""
    answer = register(client, upload(client, data, content_type, filename)["location"])
    assert 400 <= answer.status_code < 500, answer.get_json()
    return answer.get_json()


def error_texts(error: dict) -> list[str]:
    """What an Error says to people: its per-field texts, or its message when it has none."""
    return [text for texts in (error.get("errors") or {}).values() for text in texts] or [error["message"]]


def one_row_picture(fmt: str, side: int, mode: str = "RGBA") -> bytes:
    """A `side`×`side` picture of one repeated row: small on the wire (a PNG of 6320² is about
    170 KB), as large as any when decoded."""
    row = Image.new(mode, (side, 1), (200, 100, 50, 255)[: len(mode)])
    out = io.BytesIO()
    row.resize((side, side)).save(out, fmt)
    return out.getvalue()

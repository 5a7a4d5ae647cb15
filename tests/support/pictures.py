"""Real image files made with Pillow, and the two HTTP steps of a direct upload."""

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

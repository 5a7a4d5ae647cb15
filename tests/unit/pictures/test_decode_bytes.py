"""What a decode holds, reckoned from an image's header before it is decoded, and the share of
a stage's memory one decode may take."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from catsite.pictures.images import RUNTIME_MIB, decode_budget, decode_bytes

MIB = 1024 * 1024


def opened(fmt: str, mode: str, size=(100, 50)):
    out = io.BytesIO()
    Image.new(mode, size).save(out, fmt)
    out.seek(0)
    return Image.open(out)


@pytest.mark.parametrize(
    ("fmt", "mode", "per_pixel"),
    [
        ("PNG", "RGB", 4),  # Pillow keeps RGB four bytes wide
        ("PNG", "RGBA", 8),  # and premultiplies a copy before it scales
        ("PNG", "L", 5),  # one byte a pixel, then an RGB copy
        ("PNG", "P", 5),
        ("GIF", "P", 5),
        ("WEBP", "RGB", 16),  # libwebp's own canvases too
    ],
)
def test_what_a_decode_holds_per_pixel(fmt, mode, per_pixel):
    with opened(fmt, mode) as image:
        assert decode_bytes(image) == 100 * 50 * per_pixel


def test_a_jpeg_is_reckoned_at_the_size_its_draft_decodes():
    out = io.BytesIO()
    Image.new("RGB", (4000, 2000)).save(out, "JPEG")
    with Image.open(io.BytesIO(out.getvalue())) as image:
        image.draft("RGB", (1000, 500))
        assert image.size == (1000, 500)
        assert decode_bytes(image) == 1000 * 500 * 4


def test_a_decode_may_take_half_the_function_less_the_runtime():
    assert decode_budget(512) == (256 - RUNTIME_MIB) * MIB
    assert decode_budget(1024) == (512 - RUNTIME_MIB) * MIB
    assert decode_budget(128) == 0  # too small a function decodes nothing large

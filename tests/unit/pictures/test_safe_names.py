"""The file names a picture is stored under, reduced to a safe form (catsite.pictures.registration)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("filename", "content_type", "expected"),
    [
        ("../../etc/passwd", "image/png", "passwd.png"),
        ("C:\\Users\\me\\Cat Pic.JPG", "image/jpeg", "cat-pic.jpg"),
        ("chat\u00e9 noir.webp", "image/webp", "chate-noir.webp"),
        ("\u202egnp.exe", "image/gif", "gnp.gif"),
        ("\u732b\u732b.png", "image/png", "cat.png"),
        ("x" * 250 + ".png", "image/png", "x" * 96 + ".png"),
        ("....png", "image/png", "cat.png"),
    ],
)
def test_file_names_are_reduced_to_a_safe_form(filename, content_type, expected):
    from catsite.pictures.uploads import safe_name

    assert safe_name(filename, content_type) == expected

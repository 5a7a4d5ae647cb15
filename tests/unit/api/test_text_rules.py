"""The text rule the API validates with and the OpenAPI document states: its table is Unicode's."""

from __future__ import annotations

import sys
import unicodedata

import jsonschema_rs
import pytest
from marshmallow import ValidationError

from catsite.api.text import FORBIDDEN_RANGES, PRINTABLE, SPACE_RANGES, PrintableText, anchored

ALL = range(sys.maxunicode + 1)


def in_ranges(code: int, ranges) -> bool:
    return any(a <= code <= b for a, b in ranges)


def test_every_control_and_format_character_of_the_bmp_is_forbidden():
    missing = [hex(c) for c in range(0x10000) if unicodedata.category(chr(c)) in ("Cc", "Cf")]
    missing = [c for c in missing if not in_ranges(int(c, 16), FORBIDDEN_RANGES)]
    assert missing == []


def test_only_control_format_or_unassigned_characters_are_forbidden():
    # Unassigned (Cn) code points may be format characters of a later Unicode version.
    wrong = [
        hex(c)
        for a, b in FORBIDDEN_RANGES
        for c in range(a, b + 1)
        if unicodedata.category(chr(c)) not in ("Cc", "Cf", "Cn")
    ]
    assert wrong == []


def test_the_spaces_are_unicodes_white_space_outside_the_controls():
    spaces = [c for c in ALL if chr(c).isspace() and unicodedata.category(chr(c)) != "Cc"]
    assert [c for c in spaces if not in_ranges(c, SPACE_RANGES)] == []
    assert all(chr(c).isspace() for a, b in SPACE_RANGES for c in range(a, b + 1))


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("purr", True),
        ("  purr  ", True),
        ("\U0001f63a meow", True),  # astral characters are text
        ("\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f", True),  # a flag
        ("", False),
        ("   ", False),
        ("\u3000\u00a0", False),  # only white space
        ("purr\n", False),  # a trailing newline is a control character ($ must not let it by)
        ("pu\x00rr", False),
        ("\u202eevil", False),  # a bidirectional override
        ("\u200b", False),
        ("a\ud800b", False),  # a lone surrogate is not Unicode text
    ],
)
def test_the_validator_and_the_documents_pattern_agree(text, ok):
    accepted = True
    try:
        PrintableText()(text)
    except ValidationError:
        accepted = False
    assert accepted is ok
    if "\ud800" not in text:  # no pattern dialect can name a lone surrogate
        # As a JSON Schema validator reads the document's pattern (ECMA-262: `$` is the very end).
        schema = {"type": "string", "minLength": 1, "pattern": anchored(PRINTABLE)}
        assert jsonschema_rs.validator_for(schema).is_valid(text) is ok

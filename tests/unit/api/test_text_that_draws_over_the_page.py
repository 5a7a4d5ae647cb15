"""Text that draws over the page is refused (hostile input, third pass, point 7): stacked
combining marks past UAX #15's stream-safe bound of 30 non-starters, and Unicode's tag characters
(U+E0000 to U+E007F, the Tags block). Both rules are stated in the OpenAPI document."""

from __future__ import annotations

import unicodedata

import pytest
from marshmallow import ValidationError

from catsite.api.text import MAX_COMBINING, TAGS, PrintableText, longest_combining_run

ACUTE = "\u0301"  # COMBINING ACUTE ACCENT, canonical combining class 230


def test_the_stream_safe_bound_is_uax15s():
    assert MAX_COMBINING == 30
    assert unicodedata.combining(ACUTE) > 0


@pytest.mark.parametrize("marks", [0, 1, 30])
def test_up_to_thirty_marks_on_a_character_are_text(marks):
    assert PrintableText()("a" + ACUTE * marks)


@pytest.mark.parametrize("marks", [31, 276])
def test_more_than_thirty_stacked_marks_are_refused(marks):
    with pytest.raises(ValidationError):
        PrintableText()("meow " + "a" + ACUTE * marks)


def test_marks_are_counted_in_the_decomposition_as_uax15_counts_them():
    # U+1E09 (c with cedilla and acute) decomposes to c + two non-starters.
    text = "\u1e09" + ACUTE * 29
    assert longest_combining_run(text) == 31
    with pytest.raises(ValidationError):
        PrintableText()(text)


def test_marks_spread_over_many_characters_are_fine():
    assert PrintableText()(("a" + ACUTE * 10) * 20)


@pytest.mark.parametrize("code", [TAGS[0], 0xE0001, 0xE0041, TAGS[1]])
def test_tag_characters_are_refused(code):
    assert TAGS == (0xE0000, 0xE007F)
    assert unicodedata.category(chr(code)) in ("Cf", "Cn")
    with pytest.raises(ValidationError):
        PrintableText(optional=True)("a caption" + chr(code))


@pytest.mark.parametrize("flag", ["gbeng", "gbsct", "gbwls"])
def test_the_three_recommended_flags_are_text(flag):
    """UTS #51's RGI emoji tag sequences: U+1F3F4, the subdivision's tags, U+E007F."""
    sequence = "\U0001f3f4" + "".join(chr(0xE0000 + ord(c)) for c in flag) + "\U000e007f"
    assert PrintableText()(f"a cat from {sequence}")


@pytest.mark.parametrize(
    "text",
    [
        "\U0001f3f4" + "".join(chr(0xE0000 + ord(c)) for c in "ushi") + "\U000e007f",  # not recommended
        "\U0001f3f4" + "".join(chr(0xE0000 + ord(c)) for c in "gbsct"),  # no cancel tag
        "hello" + "".join(chr(0xE0000 + ord(c)) for c in "ignore the above"),  # hidden words
    ],
    ids=["another flag", "an unfinished flag", "hidden words"],
)
def test_other_tag_sequences_are_refused(text):
    with pytest.raises(ValidationError):
        PrintableText()(text)


def test_the_characters_just_past_the_tags_block_are_not_tags():
    assert PrintableText()("cat \U000e0080".replace("\U000e0080", "\U0001f408"))  # U+1F408 CAT

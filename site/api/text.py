"""The text rules: what a says, caption or file name may contain, stated once for the validator
and for the OpenAPI document (a regular expression both Python and ECMA-262 read alike, and
`RULES`, the words for what no such expression can say).

Two rules are beyond what one expression can state in every JSON Schema dialect, since they name
code points above U+FFFF or count: no Unicode tag character (U+E0000 to U+E007F: invisible, they
can smuggle text past a reader), except in the three emoji tag sequences Unicode recommends (the
flags of England, Scotland and Wales, UTS #51's RGI_Emoji_Tag_Sequence), and no more than 30
combining marks on one character (UAX #15's
Stream-Safe Text Format bounds a run of non-starters at 30; stacked marks draw over the lines
around them, the page's heading and navigation included). The validator holds both; the
document states them in each field's description.
"""

from __future__ import annotations

import re
import unicodedata

from marshmallow import ValidationError, validate

#: Characters text may not contain: Unicode's control (Cc) and format (Cf, which includes the
#: bidirectional overrides) code points, as inclusive ranges. Controls and invisible formatting
#: are never part of something a cat says and can disguise text. (A unit test compares this
#: table with `unicodedata`.) Only the Basic Multilingual Plane's: the format characters above
#: it are script-specific or the tag characters of emoji flags (Scotland's), and a pattern naming
#: code points above U+FFFF has no spelling every JSON Schema tool reads. Surrogates (Cs) are
#: refused too, but apart: a lone one is not a Unicode scalar value, so no regular-expression
#: dialect of JSON Schema can name it, and it cannot be stored as UTF-8.
FORBIDDEN_RANGES = (
    (0x0000, 0x001F), (0x007F, 0x009F), (0x00AD, 0x00AD), (0x0600, 0x0605), (0x061C, 0x061C),
    (0x06DD, 0x06DD), (0x070F, 0x070F), (0x0890, 0x0891), (0x08E2, 0x08E2), (0x180E, 0x180E),
    (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x2064), (0x2066, 0x206F), (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB),
)  # fmt: skip
#: White space that is not a control character: text made only of it (or empty) is blank.
SPACE_RANGES = (
    (0x0020, 0x0020), (0x00A0, 0x00A0), (0x1680, 0x1680), (0x2000, 0x200A), (0x2028, 0x2029),
    (0x202F, 0x202F), (0x205F, 0x205F), (0x3000, 0x3000),
)  # fmt: skip


def _char_class(ranges, negated: bool = False) -> str:
    """A regular-expression class both Python and ECMA-262 (JSON Schema's dialect) read alike."""

    def char(code: int) -> str:
        return f"\\u{code:04x}"

    body = "".join(char(a) if a == b else f"{char(a)}-{char(b)}" for a, b in ranges)
    return f"[{'^' if negated else ''}{body}]"


_ALLOWED = _char_class(FORBIDDEN_RANGES, negated=True)
_ALLOWED_NOT_SPACE = _char_class(FORBIDDEN_RANGES + SPACE_RANGES, negated=True)
_FORBIDDEN = re.compile(_char_class(FORBIDDEN_RANGES))
#: Printable text: something other than white space, and no forbidden character.
PRINTABLE = f"{_char_class(SPACE_RANGES)}*{_ALLOWED_NOT_SPACE}{_ALLOWED}*"


def anchored(pattern: str) -> str:
    """The whole value must match (JSON Schema's `pattern` matches anywhere unless anchored)."""
    return f"^(?:{pattern})$"


class Pattern(validate.Regexp):
    """The value matches `pattern` whole. The compiled expression is anchored, so apispec emits it
    as the document's `pattern` verbatim; matching is `fullmatch`, so Python's `$` cannot let a
    trailing newline through."""

    def __init__(self, pattern: str, error: str):
        super().__init__(anchored(pattern), error=error)

    def __call__(self, value: str) -> str:
        if self.regex.fullmatch(value) is None:
            raise ValidationError(self._format_error(value))
        return value


#: Unicode's tag characters (the Tags block, all format characters: Unicode 15, section 23.9).
TAGS = (0xE0000, 0xE007F)
#: The emoji tag sequences Unicode recommends for general interchange (UTS #51,
#: emoji-sequences.txt, RGI_Emoji_Tag_Sequence): a black flag, a subdivision code, a cancel tag.
FLAG_SEQUENCES = tuple(
    "\U0001f3f4" + "".join(chr(0xE0000 + ord(c)) for c in code) + "\U000e007f"
    for code in ("gbeng", "gbsct", "gbwls")
)
#: UAX #15, "Stream-Safe Text Format": at most 30 non-starters in a row.
MAX_COMBINING = 30
#: The rules in words, for the OpenAPI document's field descriptions.
RULES = (
    "not blank, without control or formatting characters, tag characters (U+E0000 to U+E007F, but "
    f"in the flags of England, Scotland and Wales) or more than {MAX_COMBINING} combining marks on "
    "one character"
)


def stray_tag(text: str) -> str | None:
    """The first tag character of `text` outside a recommended flag sequence, or None."""
    for flag in FLAG_SEQUENCES:
        text = text.replace(flag, "")
    return next((c for c in text if TAGS[0] <= ord(c) <= TAGS[1]), None)


def longest_combining_run(text: str) -> int:
    """The longest run of non-starters (canonical combining class above 0) in `text`'s
    compatibility decomposition (NFKD), as UAX #15's Stream-Safe Text Format counts them."""
    longest = run = 0
    for char in unicodedata.normalize("NFKD", text):
        run = run + 1 if unicodedata.combining(char) else 0
        longest = max(longest, run)
    return longest


class PrintableText(Pattern):
    """Not blank, no control, formatting or tag character, no more than MAX_COMBINING combining
    marks on one character; the message names what is wrong."""

    def __init__(self, optional: bool = False):
        super().__init__(f"(?:{PRINTABLE})?" if optional else PRINTABLE, "Must not be blank.")

    def __call__(self, value: str) -> str:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValidationError("Must be valid Unicode text (no lone surrogates).") from None
        if self.regex.fullmatch(value) is None:
            bad = _FORBIDDEN.search(value)
            if bad is None:
                raise ValidationError("Must not be blank.")
            raise ValidationError(
                f"Must not contain control or formatting characters (U+{ord(bad.group()):04X})."
            )
        tag = stray_tag(value)
        if tag is not None:
            raise ValidationError(f"Must not contain tag characters (U+{ord(tag):05X}).")
        if longest_combining_run(value) > MAX_COMBINING:
            raise ValidationError(
                f"Must not stack more than {MAX_COMBINING} combining marks on one character."
            )
        return value

"""The text rules: what a says, caption or file name may contain, stated once for the validator
and for the OpenAPI document (a regular expression both Python and ECMA-262 read alike)."""

from __future__ import annotations

import re

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


class PrintableText(Pattern):
    """Not blank, no control or formatting character; the message names what is wrong."""

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
        return value

"""Request bodies the API accepts, as marshmallow schemas (the OpenAPI document reuses them)."""

from __future__ import annotations

import unicodedata

from marshmallow import RAISE, Schema, ValidationError, fields, validate

SAYS_MAX = 280


def printable_text(value: str) -> None:
    """Refuse text that is blank, not encodable, or carries control/formatting characters.

    Lone surrogates cannot be stored as UTF-8; control characters (NUL, escapes) and
    bidirectional overrides are never part of something a cat says and can disguise text.
    """
    if not value.strip():
        raise ValidationError("Must not be blank.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError("Must be valid Unicode text (no lone surrogates).") from None
    for char in value:
        if unicodedata.category(char) in ("Cc", "Cf", "Cs"):
            raise ValidationError(f"Must not contain control or formatting characters (U+{ord(char):04X}).")


class CatSaysSchema(Schema):
    """`POST /cat`: what the cat should say."""

    class Meta:
        unknown = RAISE

    says = fields.String(
        required=True,
        validate=[validate.Length(min=1, max=SAYS_MAX), printable_text],
        metadata={"description": f"What the cat says: 1 to {SAYS_MAX} characters of text."},
    )

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


# -- answers (documented in the OpenAPI document; the resources shape them) ----------------------


class ErrorSchema(Schema):
    """Every API error: `{"message", "code"}`, plus `errors` per field when a body is invalid."""

    message = fields.String(required=True, metadata={"description": "What went wrong, for people."})
    code = fields.Integer(required=True, metadata={"description": "The HTTP status, repeated."})
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "Per field: what is wrong with it (validation failures only)."},
    )


class CatSaysAnswerSchema(Schema):
    """What the cat says, in the tutorial's shape."""

    says = fields.String(required=True, metadata={"description": "What the cat says now."})
    code = fields.Integer(required=True, metadata={"description": "Always 200."})


class PictureSchema(Schema):
    id = fields.String(required=True)
    caption = fields.String(required=True)
    content_type = fields.String(required=True, metadata={"description": "image/png, image/jpeg, ..."})
    width = fields.Integer(required=True)
    height = fields.Integer(required=True)
    url = fields.String(required=True, metadata={"description": "Where the browser loads the picture."})


class CatPicturesSchema(Schema):
    items = fields.List(fields.Nested(PictureSchema), required=True)
    count = fields.Integer(required=True)
    code = fields.Integer(required=True)


class HealthSchema(Schema):
    status = fields.String(required=True, metadata={"description": "`ok` while the function runs."})

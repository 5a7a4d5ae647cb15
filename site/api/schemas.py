"""Request bodies the API accepts, as marshmallow schemas (the OpenAPI document reuses them)."""

from __future__ import annotations

import unicodedata

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate

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


CAPTION_MAX = 140
FILENAME_MAX = 255
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")


def optional_printable_text(value: str) -> None:
    if value:
        printable_text(value)


class WholeNumber(fields.Integer):
    """An integer that is really a JSON integer: no strings, floats or booleans."""

    def __init__(self, **kwargs):
        super().__init__(strict=True, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class UploadRequestSchema(Schema):
    """`POST /uploads`: the file the client is about to send straight to S3."""

    class Meta:
        unknown = RAISE

    filename = fields.String(
        required=True,
        validate=[validate.Length(min=1, max=FILENAME_MAX), printable_text],
        metadata={"description": "The file's name; stored in a safe, shortened form."},
    )
    content_type = fields.String(
        required=True,
        validate=validate.OneOf(IMAGE_TYPES, error="Must be one of: {choices}."),
        metadata={"description": "The file's type: PNG, JPEG, GIF or WebP."},
    )
    bytes = WholeNumber(
        required=True,
        validate=validate.Range(min=1, error="Must be at least {min}."),
        metadata={"description": "The file's size in bytes."},
    )


class RegisterPictureSchema(Schema):
    """`POST /cat/pics`: register an uploaded file as a cat picture."""

    class Meta:
        unknown = RAISE

    location = fields.String(
        required=True,
        validate=validate.Length(min=1, max=1024),
        metadata={"description": "The `location` POST /uploads returned: s3://<bucket>/uploads/<id>/<name>."},
    )
    caption = fields.String(
        load_default="",
        validate=[validate.Length(max=CAPTION_MAX), optional_printable_text],
        metadata={"description": f"Up to {CAPTION_MAX} characters."},
    )


class PictureListQuerySchema(Schema):
    """Query of `GET /cat/pics`. Unknown parameters (cache busters) are ignored."""

    class Meta:
        unknown = EXCLUDE

    limit = fields.Integer(load_default=24, validate=validate.Range(min=1, max=100))
    cursor = fields.String(load_default=None, validate=validate.Length(max=200))

"""Request bodies the API accepts, as marshmallow schemas (the OpenAPI document reuses them).

Every rule is stated once, here, in a form both the validator and the document use: lengths and
ranges as marshmallow validators (apispec turns them into minLength/maxLength, minimum/maximum),
shapes as `Pattern` validators (their regular expression is the document's `pattern`), choices as
OneOf (`enum`). Limits that depend on the stage (its bucket, its upload size) are given to the
schema when it is made, so the document of a stage states that stage's limits.
"""

from __future__ import annotations

from marshmallow import (
    EXCLUDE,
    RAISE,
    Schema,
    ValidationError,  # noqa: F401 - callers catch it as schemas.ValidationError
    fields,
    validate,
)

from catsite.api.text import RULES, Pattern, PrintableText
from catsite.pictures.gallery import CURSOR
from catsite.pictures.images import CONTENT_TYPES, TYPE_NAMES
from catsite.pictures.uploads import location_pattern, location_problem
from catsite.stores.jobs import JobStatus

SAYS_MAX = 280


class CatSaysSchema(Schema):
    """`POST /cat`: what the cat should say."""

    class Meta:
        unknown = RAISE

    says = fields.String(
        required=True,
        validate=[validate.Length(min=1, max=SAYS_MAX), PrintableText()],
        metadata={"description": f"What the cat says: 1 to {SAYS_MAX} characters of text, {RULES}."},
    )


CAPTION_MAX = 140
FILENAME_MAX = 255


def _add_rule(field: fields.Field, rule) -> None:
    """Add a validator to one schema instance's field. Its fields are shallow copies of the
    class's, so the list is replaced, never appended to (that would change every instance)."""
    field.validators = [*field.validators, rule]


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
        validate=[validate.Length(min=1, max=FILENAME_MAX), PrintableText()],
        metadata={"description": f"The file's name: text, {RULES}; stored in a safe, shortened form."},
    )
    content_type = fields.String(
        required=True,
        validate=validate.OneOf(CONTENT_TYPES, error="Must be one of: {choices}."),
        metadata={"description": f"The file's type: {TYPE_NAMES}."},
    )
    bytes = WholeNumber(
        required=True,
        validate=validate.Range(min=1, error="Must be at least {min}."),
        metadata={"description": "The file's size in bytes, at most the stage's upload limit."},
    )

    def __init__(self, *, max_bytes: int, **kwargs):
        super().__init__(**kwargs)
        too_big = "The file is too big: at most {max:,} bytes are accepted."
        _add_rule(self.fields["bytes"], validate.Range(max=max_bytes, error=too_big))

    @classmethod
    def for_stage(cls, settings) -> UploadRequestSchema:
        return cls(max_bytes=settings.max_upload_bytes)


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
        validate=[validate.Length(max=CAPTION_MAX), PrintableText(optional=True)],
        metadata={"description": f"Up to {CAPTION_MAX} characters of text, {RULES}; or none."},
    )

    def __init__(self, *, bucket: str, **kwargs):
        super().__init__(**kwargs)
        _add_rule(self.fields["location"], LocationPattern(bucket))

    @classmethod
    def for_stage(cls, settings) -> RegisterPictureSchema:
        return cls(bucket=settings.bucket)


class LocationPattern(Pattern):
    """An upload location of this stage; the message says which part is wrong."""

    def __init__(self, bucket: str):
        super().__init__(location_pattern(bucket), "")
        self.bucket = bucket

    def _format_error(self, value: str) -> str:
        return location_problem(value, self.bucket) or "The location is not one POST /uploads returned."


class PictureListQuerySchema(Schema):
    """Query of `GET /cat/pics`. Unknown parameters (cache busters) are ignored."""

    class Meta:
        unknown = EXCLUDE

    limit = fields.Integer(load_default=24, validate=validate.Range(min=1, max=100))
    cursor = fields.String(
        load_default=None,
        validate=Pattern(CURSOR.pattern, "The cursor is not one this API handed out."),
        metadata={"description": "The `next_cursor` of the page before."},
    )


# -- answers (documented in the OpenAPI document; the resources shape them) ----------------------


class ErrorSchema(Schema):
    """Every API error: `{"message", "code"}`, plus `errors` per field when a body is invalid."""

    message = fields.String(required=True, metadata={"description": "What went wrong, for people."})
    code = fields.Integer(required=True, metadata={"description": "The HTTP status, repeated."})
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={
            "description": "Per field: what is wrong with it (validation failures only): at most 20 "
            "fields, 5 messages each, names and messages at most 200 characters."
        },
    )
    omitted = fields.Integer(
        metadata={"description": "How many more fields were wrong than `errors` lists (when any)."}
    )


class ThrottledSchema(Schema):
    """API Gateway's own answer when the stage throttle refuses a request, before the function
    runs (API Gateway developer guide, "Gateway response types": THROTTLED)."""

    message = fields.String(required=True, metadata={"description": "`Too Many Requests`."})


class CatSaysAnswerSchema(Schema):
    """What the cat says, in the tutorial's shape."""

    says = fields.String(required=True, metadata={"description": "What the cat says now."})
    code = fields.Integer(required=True, metadata={"description": "Always 200."})


class PictureSchema(Schema):
    """One cat picture. `url` (the original) is a short-lived presigned GET; `thumb_url` and
    `display_url` are permanent public addresses of immutable WebPs (the kitty's are static)."""

    id = fields.String(required=True, metadata={"description": "32 hex digits, or `kitty`."})
    caption = fields.String(required=True)
    content_type = fields.String(
        required=True, metadata={"description": f"One of: {', '.join(CONTENT_TYPES)}."}
    )
    bytes = fields.Integer(required=True, metadata={"description": "Size of the original."})
    width = fields.Integer(required=True)
    height = fields.Integer(required=True)
    thumb_width = fields.Integer(required=True)
    thumb_height = fields.Integer(required=True)
    url = fields.String(required=True, metadata={"description": "Where the browser loads the picture."})
    thumb_url = fields.String(required=True, metadata={"description": "A WebP at most 480 px wide."})
    display_url = fields.String(
        required=True, metadata={"description": "A WebP at most 1600 px wide, for the picture's page."}
    )
    display_width = fields.Integer(required=True)
    display_height = fields.Integer(required=True)
    created_at = fields.String(required=True, metadata={"description": "ISO 8601, UTC."})


class PictureAnswerSchema(PictureSchema):
    code = fields.Integer(required=True, metadata={"description": "The HTTP status, repeated."})


class CatPicturesSchema(Schema):
    items = fields.List(fields.Nested(PictureSchema), required=True)
    count = fields.Integer(required=True, metadata={"description": "Pictures on this page."})
    next_cursor = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "Pass as `cursor` for the next page; null at the end."},
    )
    code = fields.Integer(required=True)


class UploadAnswerSchema(Schema):
    """A presigned POST: send `fields` and then the file (last) as multipart/form-data to `url`."""

    url = fields.String(required=True, metadata={"description": "The S3 endpoint to POST the file to."})
    fields_ = fields.Dict(
        data_key="fields",
        keys=fields.String(),
        values=fields.String(),
        required=True,
        metadata={"description": "Form fields to send before the file (key, policy, signature, ...)."},
    )
    location = fields.String(
        required=True, metadata={"description": "s3:// URI to register with POST /cat/pics."}
    )
    expires_at = fields.String(
        required=True, metadata={"description": "When the presigned POST stops working."}
    )
    max_bytes = fields.Integer(required=True, metadata={"description": "The most the upload may carry."})
    code = fields.Integer(required=True)


class DeletedSchema(Schema):
    message = fields.String(required=True)
    id = fields.String(required=True)
    code = fields.Integer(required=True)


class HealthSchema(Schema):
    status = fields.String(required=True, metadata={"description": "`ok` while the function runs."})


class ArchiveSchema(Schema):
    """An archive of every picture, in S3."""

    location = fields.String(required=True, metadata={"description": "s3:// URI of the ZIP."})
    url = fields.String(required=True, metadata={"description": "A presigned download URL (15 minutes)."})
    count = fields.Integer(required=True, metadata={"description": "Pictures in it, the kitty included."})
    bytes = fields.Integer(required=True, metadata={"description": "Size of the ZIP."})


class ArchiveAnswerSchema(ArchiveSchema):
    code = fields.Integer(required=True)


class JobAcceptedSchema(Schema):
    """The work continues as a job: watch it at `status_url`."""

    job = fields.String(required=True, metadata={"description": "The job's id."})
    status = fields.String(required=True)
    status_url = fields.String(required=True, metadata={"description": "GET it for status and progress."})
    code = fields.Integer(required=True)


class JobSchema(Schema):
    """A long job: `queued`, `running` (with progress), `done` (with its result) or `failed`."""

    id = fields.String(required=True)
    kind = fields.String(required=True, metadata={"description": "What the job does: `archive`."})
    status = fields.String(required=True, validate=validate.OneOf([status.value for status in JobStatus]))
    progress = fields.Float(required=True, metadata={"description": "0 to 1."})
    message = fields.String(required=True, metadata={"description": "What it is doing, for people."})
    created_at = fields.String(required=True)
    updated_at = fields.String(required=True)
    result = fields.Nested(ArchiveSchema, metadata={"description": "When done: what it made."})
    reason = fields.String(metadata={"description": "When failed: why, for people."})
    status_url = fields.String(required=True)
    code = fields.Integer(required=True)

"""Cat pictures: direct uploads to S3, and registering an upload as a picture.

The client is never trusted. A location must name this stage's bucket and an upload key of the
exact shape catsite hands out; the object must exist, be no larger than allowed, carry an allowed
type, and its first bytes must prove that type; Pillow must read its dimensions and they must be
within MAX_PIXELS. Only then is anything written. Apart from the renditions (one decode through
ranged reads makes the display size and the thumbnail), no more than the first SNIFF_RANGE bytes are read.
"""

from __future__ import annotations

import re
import time
import unicodedata
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from catsite.errors import Conflict, InvalidReference, ObjectMissing, QuotaExceeded, Unacceptable
from catsite.pictures.images import (
    ALLOWED_TYPES,
    TYPE_NAMES,
    NotAnImage,
    TooManyPixels,
    inspect,
    renditions,
)
from catsite.s3.keys import UPLOADS_PREFIX, new_token, rendition_key

if TYPE_CHECKING:
    from catsite.pictures.store import Pictures

#: Presigned uploads expire after this many seconds (the issue allows at most ten minutes).
UPLOAD_SECONDS = 10 * 60
#: Bytes read in the first request: enough for every allowed format's header in almost all files.
SNIFF_RANGE = 64 * 1024
NAME_MAX = 100
#: uploads/<32 hex>/<safe name>: exactly what `new_upload` hands out, nothing else.
UPLOAD_KEY = re.compile(r"uploads/(?P<token>[0-9a-f]{32})/(?P<name>[A-Za-z0-9][A-Za-z0-9._-]{0,99})")
NO_UPLOAD = "There is no uploaded file at this location (it expired, or was never sent)."
PICTURE_ID = re.compile(r"[0-9a-f]{32}")


def safe_name(filename: str, content_type: str) -> str:
    """A file name safe in an S3 key and a URL: ASCII letters, digits, dot, dash, underscore;
    no path, no control characters, at most NAME_MAX characters, ending in the type's extension."""
    base = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    base = base.replace("\\", "/").rsplit("/", 1)[-1]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-_.").lower()
    extension = ALLOWED_TYPES[content_type]
    stem = stem[: NAME_MAX - len(extension) - 1] or "cat"
    return f"{stem}.{extension}"


def new_upload(pictures: Pictures, filename: str, content_type: str, max_bytes: int) -> dict:
    """A presigned POST for one direct upload of at most `max_bytes`."""
    key = f"{UPLOADS_PREFIX}{new_token()}/{safe_name(filename, content_type)}"
    post = pictures.upload_form(key, content_type, max_bytes, UPLOAD_SECONDS)
    expires_at = datetime.now(UTC) + timedelta(seconds=UPLOAD_SECONDS)
    return {
        "url": post["url"],
        "fields": post["fields"],
        "location": pictures.bucket.location(key),
        "expires_at": expires_at.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "max_bytes": max_bytes,
    }


def check_quota(pictures: Pictures, adding_bytes: int, max_pictures: int, max_bytes: int) -> None:
    """Refuse (507) when one more picture of `adding_bytes` would pass the site's quota.

    Checked when an upload is presigned and again when it is registered, before anything is
    written. Concurrent registrations can each pass the check, so the quota may be passed by at
    most the number of registrations in flight at once: a bound on anonymous writes, not a ledger.
    """
    count, stored = pictures.usage()
    if count + 1 > max_pictures:
        raise QuotaExceeded(
            f"The site holds its limit of {max_pictures:,} pictures; "
            "no more can be added until some are removed."
        )
    if stored + adding_bytes > max_bytes:
        raise QuotaExceeded(
            f"The site's picture storage is full ({stored:,} of {max_bytes:,} bytes used); "
            f"a file of {adding_bytes:,} bytes does not fit."
        )


def parse_location(pictures: Pictures, location: str) -> re.Match:
    from catsite.s3.bucket import parse_location as split_location

    if not location.startswith("s3://"):
        raise InvalidReference("The location must be an s3:// URI returned by POST /uploads.", "location")
    parts = split_location(location)
    if parts is None or parts[0] != pictures.bucket.name:
        raise InvalidReference("The location must be in this site's bucket.", "location")
    match = UPLOAD_KEY.fullmatch(parts[1])
    if not match:
        raise InvalidReference(
            "The location must be an upload key returned by POST /uploads (uploads/<id>/<name>).", "location"
        )
    return match


def register_upload(
    pictures: Pictures, location: str, caption: str, max_bytes: int, quota: tuple[int, int] | None = None
) -> tuple[dict, bool]:
    """Turn an upload into a picture; returns (record, created). Registering the same upload
    again returns the existing picture instead of creating another. `quota` is (pictures, bytes):
    a new picture that would pass it is refused before anything is written."""
    match = parse_location(pictures, location)
    picture_id, key = match["token"], match.group(0)
    existing = pictures.get(picture_id)
    if existing is not None:
        return _registered_already(pictures, existing, key)
    try:
        return _register_new(pictures, picture_id, key, caption, max_bytes, quota)
    except ObjectMissing:
        # The upload vanished while we worked: a concurrent registration of it won and moved it.
        existing = pictures.get(picture_id)
        if existing is None:
            raise Unacceptable(NO_UPLOAD, "location") from None
        return _registered_already(pictures, existing, key)


def _registered_already(pictures: Pictures, existing: dict, key: str) -> tuple[dict, bool]:
    if existing["source"] != key:
        raise Conflict("Another file was already registered from this upload.", "location")
    pictures.finish(existing)  # completes a registration that stopped half-way
    return existing, False


def _register_new(pictures, picture_id, key, caption, max_bytes, quota) -> tuple[dict, bool]:
    info = pictures.upload_info(key)
    if info is None:
        raise Unacceptable(NO_UPLOAD, "location")
    if info.size > max_bytes:
        raise Unacceptable(
            f"The file is {info.size:,} bytes; at most {max_bytes:,} are accepted.", "location"
        )
    if info.content_type not in ALLOWED_TYPES:
        raise Unacceptable(f"The file must be a {TYPE_NAMES} image.", "location")
    if quota is not None:
        check_quota(pictures, info.size, *quota)

    reader = pictures.open_upload(info, SNIFF_RANGE)
    try:
        inspection = inspect(reader, info.content_type)
        display, thumb = renditions(reader, inspection)
    except TooManyPixels as error:
        raise Unacceptable(
            f"{_sentence(error)} (a decompression bomb?), so it was refused.", "location"
        ) from None
    except NotAnImage as error:
        raise Unacceptable(f"{_sentence(error)}.", "location") from None

    now = time.time()
    record = {
        "id": picture_id,
        "caption": caption,
        "content_type": inspection.content_type,
        "extension": ALLOWED_TYPES[inspection.content_type],
        "bytes": info.size,
        "width": inspection.width,
        "height": inspection.height,
        "thumb_width": thumb.width,
        "thumb_height": thumb.height,
        "thumb_key": rendition_key(picture_id, thumb.data),
        "display_width": display.width,
        "display_height": display.height,
        "display_key": rendition_key(picture_id, display.data),
        "created_at": datetime.fromtimestamp(now, UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z"),
        "created_ms": int(now * 1000),
        "source": key,
    }
    files = {record["thumb_key"]: thumb.data, record["display_key"]: display.data}
    return pictures.save(record, info, files)


def _sentence(error: Exception) -> str:
    text = str(error)
    return text[:1].upper() + text[1:]


def is_picture_id(value: str) -> bool:
    return bool(PICTURE_ID.fullmatch(value))

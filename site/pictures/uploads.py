"""Direct uploads: a presigned POST for one file sent straight to S3, and the location it lands at.

A grant pins one key (`uploads/<random>/<safe name>`), the declared type and a size range, and
expires after UPLOAD_SECONDS. Its location is what `POST /cat/pics` later names; anything that is
not a location of exactly this shape, in this stage's bucket, is refused with the one message
`location_problem` gives (the request schema and the registration say the same).
"""

from __future__ import annotations

import re
import time
import unicodedata
from typing import TYPE_CHECKING

from catsite import timestamps
from catsite.pictures.images import ALLOWED_TYPES
from catsite.s3.keys import UPLOADS_PREFIX, new_token, parse_location

if TYPE_CHECKING:
    from catsite.stores.pictures import PictureStore

#: Presigned uploads expire after this many seconds (ten minutes).
UPLOAD_SECONDS = 10 * 60
NAME_MAX = 100
#: uploads/<32 hex>/<safe name>: exactly what `grant_upload` hands out, nothing else.
UPLOAD_KEY = re.compile(r"uploads/(?P<token>[0-9a-f]{32})/(?P<name>[A-Za-z0-9][A-Za-z0-9._-]{0,99})")


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


def grant_upload(store: PictureStore, filename: str, content_type: str, max_bytes: int, reserve=None) -> dict:
    """A presigned POST for one direct upload of at most `max_bytes`, and where it will land.
    `reserve(token, expires_at)` is called first (the quota's grant: it may refuse, and then
    nothing is signed)."""
    token, expires_at = new_token(), time.time() + UPLOAD_SECONDS
    if reserve is not None:
        reserve(token, expires_at)
    key = f"{UPLOADS_PREFIX}{token}/{safe_name(filename, content_type)}"
    post = store.upload_form(key, content_type, max_bytes, UPLOAD_SECONDS)
    return {
        "url": post["url"],
        "fields": post["fields"],
        "location": store.bucket.location(key),
        "expires_at": timestamps.iso(expires_at, timespec="seconds"),
        "max_bytes": max_bytes,
    }


def location_problem(location: str, bucket: str) -> str | None:
    """What is wrong with an upload location, for people; None when it is one catsite hands out."""
    if not location.startswith("s3://"):
        return "The location must be an s3:// URI returned by POST /uploads."
    parts = parse_location(location)
    if parts is None or parts[0] != bucket:
        return "The location must be in this site's bucket."
    if not UPLOAD_KEY.fullmatch(parts[1]):
        return "The location must be an upload key returned by POST /uploads (uploads/<id>/<name>)."
    return None


def location_pattern(bucket: str) -> str:
    """s3://<this stage's bucket>/<an upload key of the shape catsite hands out>, as a regular
    expression both Python and JSON Schema read (the request schema's rule, the document's pattern)."""
    key = re.sub(r"\(\?P<\w+>", "(", UPLOAD_KEY.pattern)  # named groups are Python's syntax only
    return "s3://" + bucket.replace(".", r"\.") + "/" + key  # bucket names: a-z, 0-9, '-', '.'

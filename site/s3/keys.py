"""The bucket's key layout: where each thing catsite keeps lives in its S3 bucket.

Plain names and functions, importing nothing heavy: routes may use them without loading botocore
(cold start of `/healthz` and pages that never reach S3).
"""

from __future__ import annotations

import hashlib
import secrets

STATE_KEY = "state/cat.json"
#: The quota ledger (`catsite.stores.quota`).
QUOTA_KEY = "state/quota.json"
STATIC_PREFIX = "static/"
#: Hashed names never change content, so browsers and CDNs may keep them for a year.
IMMUTABLE = "public, max-age=31536000, immutable"

# The bucket's layout. Everything a picture owns lives under pics/<id>/; pics/index/ holds one
# empty marker per picture whose key sorts newest first, so a listing is one LIST request.
UPLOADS_PREFIX = "uploads/"
PICS_PREFIX = "pics/"
INDEX_PREFIX = "pics/index/"
#: The one prefix browsers may read without a signature (a bucket policy on `pics/public/*`):
#: picture renditions, immutable under names derived from their content.
PUBLIC_PICS_PREFIX = "pics/public/"
RESULTS_PREFIX = "results/"
JOBS_PREFIX = "jobs/"
#: Index keys sort newest first: the timestamp is subtracted from this (milliseconds).
_NEWEST_FIRST = 10**13


def record_key(picture_id: str) -> str:
    return f"{PICS_PREFIX}{picture_id}/record.json"


def original_key(picture_id: str, extension: str) -> str:
    return f"{PICS_PREFIX}{picture_id}/original.{extension}"


def rendition_key(picture_id: str, data: bytes) -> str:
    """Where a WebP rendition of a picture lives: `pics/public/<id>/<sha256>.webp`.

    Named by a hash of its bytes (and of its picture's id, so two uploads of one image never
    share a file that deleting one of them would remove): the name changes whenever the content
    does, so the object may be cached for a year, and the name is unguessable without the bytes.
    The picture's id is the folder, so whose a rendition is can be read from its key alone (the
    janitor removes renditions whose picture has no record without reading any record).
    """
    digest = hashlib.sha256(picture_id.encode("ascii") + b"\0" + data).hexdigest()
    return f"{PUBLIC_PICS_PREFIX}{picture_id}/{digest}.webp"


def rendition_owner(key: str) -> str:
    """The picture id a `pics/public/<id>/...` key belongs to."""
    return key[len(PUBLIC_PICS_PREFIX) :].split("/", 1)[0]


def index_key(picture_id: str, created_ms: int) -> str:
    return f"{INDEX_PREFIX}{_NEWEST_FIRST - created_ms:013d}-{picture_id}"


def new_token() -> str:
    """A random name part no client can guess (128 bits)."""
    return secrets.token_hex(16)


def job_key(job_id: str) -> str:
    return f"{JOBS_PREFIX}{job_id}.json"


def format_location(bucket: str, key: str) -> str:
    """The `s3://bucket/key` form of an object's location."""
    return f"s3://{bucket}/{key}"


def parse_location(location: str) -> tuple[str, str] | None:
    """(bucket, key) of an `s3://bucket/key` location; None for anything else."""
    if not location.startswith("s3://"):
        return None
    bucket, slash, key = location[len("s3://") :].partition("/")
    return (bucket, key) if bucket and slash else None

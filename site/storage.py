"""Storage: everything catsite keeps in its S3 bucket, spoken of in the app's terms.

One small class over a boto3 S3 client and a bucket. Views never touch boto3; this file is the
only one that speaks S3 (its conditional-write headers and error codes); the key layout is in
`catsite.keys`, which imports nothing heavy.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from catsite.errors import StorageConflict, StorageUnavailable
from catsite.keys import (  # noqa: F401 - the layout, re-exported for Storage's callers
    IMMUTABLE,
    INDEX_PREFIX,
    RESULTS_PREFIX,
    STATE_KEY,
    STATIC_PREFIX,
    UPLOADS_PREFIX,
    index_key,
    new_token,
    picture_keys,
    record_key,
)

DEFAULT_SAYS = "meow"
#: How long a presigned GET for a picture or result stays valid.
URL_SECONDS = 15 * 60


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int
    content_type: str


#: Bounded on purpose: API Gateway cuts a request at 29 s, and an S3 outage must become a 503
#: answer in seconds, not a request that hangs until the Lambda timeout. Two attempts with
#: 2 s to connect and 5 s to read keep the worst case for one S3 call near 14 s.
S3_CLIENT_CONFIG = Config(
    connect_timeout=2,
    read_timeout=5,
    retries={"max_attempts": 2, "mode": "standard"},
    signature_version="s3v4",
    s3={"addressing_style": "path"},
)

#: Codes S3 uses when a conditional write finds the object changed (or created) under it.
_CONFLICT_CODES = {"PreconditionFailed", "ConditionalRequestConflict", "412", "409"}
_MISSING_CODES = {"NoSuchKey", "404", "NotFound"}


def make_s3_client(region: str, endpoint_url: str | None = None):
    """An S3 client with catsite's timeouts; `endpoint_url` points at a local S3.

    Made by botocore directly: the same S3 operations `boto3.client("s3")` offers (credentials,
    endpoint and `AWS_ENDPOINT_URL*` resolution and presigning are all botocore's), without
    importing boto3 and s3transfer for managed transfers catsite never uses: about 12 ms less of
    a cold start that reaches S3, measured on the unzipped artifact.
    """
    from botocore.session import get_session  # deferred: only requests that reach S3 pay for it

    return get_session().create_client(
        "s3", region_name=region, endpoint_url=endpoint_url, config=S3_CLIENT_CONFIG
    )


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _status(error: ClientError) -> int:
    return int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)


class Storage:
    """catsite's bucket. `write_attempts` bounds retries of a conditional write."""

    def __init__(self, s3_client: Any, bucket: str, *, write_attempts: int = 5):
        self.s3 = s3_client
        self.bucket = bucket
        self.write_attempts = write_attempts

    # -- what the cat says ------------------------------------------------------------------

    def get_says(self) -> str:
        """What the cat says now; "meow" while nothing has been stored."""
        return self._read_state()[0]

    def set_says(self, text: str) -> str:
        """Store what the cat says.

        Conditional write: a concurrent writer on another Lambda instance must not be overwritten
        silently. Create with `If-None-Match: *`, replace with `If-Match: <etag we read>`, and on
        412 read again and retry, at most `write_attempts` times (then StorageConflict).
        """
        body = json.dumps({"says": text}, ensure_ascii=False).encode("utf-8")
        for _ in range(self.write_attempts):
            _, etag = self._read_state()
            condition = {"IfMatch": etag} if etag else {"IfNoneMatch": "*"}
            try:
                self._call(
                    "put_object",
                    Key=STATE_KEY,
                    Body=body,
                    ContentType="application/json",
                    **condition,
                )
                return text
            except ClientError as error:
                if _code(error) in _CONFLICT_CODES or _status(error) in (409, 412):
                    continue
                raise StorageUnavailable(f"S3 refused the write: {_code(error)}") from error
        raise StorageConflict("what the cat says changed under us too many times; try again")

    def _read_state(self) -> tuple[str, str | None]:
        obj = self._call_unless_missing("get_object", Key=STATE_KEY)
        if obj is None:
            return DEFAULT_SAYS, None
        try:
            says = json.loads(obj["Body"].read())["says"]
            if not isinstance(says, str) or not says:
                raise ValueError("says is not a non-empty string")
        except (ValueError, KeyError, TypeError, BotoCoreError):
            # A damaged state object is answered as the default; the next write replaces it.
            says = DEFAULT_SAYS
        return says, obj.get("ETag")

    # -- direct uploads -----------------------------------------------------------------------

    def presign_upload(self, key: str, content_type: str, max_bytes: int, expires_in: int) -> dict:
        """A presigned POST (SigV4) for exactly one object: this key, this Content-Type, and a
        body of 1..max_bytes. S3 enforces the policy; catsite re-checks the object anyway."""
        return self.s3.generate_presigned_post(
            Bucket=self.bucket,
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[
                {"Content-Type": content_type},
                ["content-length-range", 1, max_bytes],
            ],
            ExpiresIn=expires_in,
        )

    def location(self, key: str) -> str:
        return f"s3://{self.bucket}/{key}"

    def head(self, key: str) -> ObjectInfo | None:
        """Size and type of an object, or None when it does not exist."""
        meta = self._call_unless_missing("head_object", Key=key)
        if meta is None:
            return None
        return ObjectInfo(key, int(meta["ContentLength"]), meta.get("ContentType", ""))

    def read_range(self, key: str, start: int, end: int) -> bytes:
        """Bytes start..end (inclusive) of an object."""
        try:
            return self._call("get_object", Key=key, Range=f"bytes={start}-{end}")["Body"].read()
        except ClientError as error:
            raise StorageUnavailable(f"S3 refused a ranged read: {_code(error)}") from error

    def open(self, info: ObjectInfo, first_bytes: bytes = b""):
        """A seekable reader over the object that fetches only the ranges read."""
        from catsite.s3_reader import S3RangeReader

        return S3RangeReader(
            lambda start, end: self.read_range(info.key, start, end), info.size, head=first_bytes
        )

    # -- pictures ------------------------------------------------------------------------------

    def get_picture(self, picture_id: str) -> dict | None:
        return self._get_json(record_key(picture_id))

    def save_picture(self, record: dict, source: ObjectInfo, thumb: bytes) -> tuple[dict, bool]:
        """Store a picture from an upload; returns (record, created).

        Ordered so a crash between steps never leaves anything visible half-made: the original
        and thumbnail are written first (invisible without a record); the record is created with
        `If-None-Match: *` (the commit point: of concurrent registrations of one upload exactly
        one creates it, the others get the winner's record); then the index marker makes it
        listable, and only then is the upload removed. Repeating a registration repairs a
        missing marker.
        """
        keys = picture_keys(record["id"], record["extension"])
        self._call(
            "copy_object",
            Key=keys["original"],
            CopySource={"Bucket": self.bucket, "Key": source.key},
            ContentType=record["content_type"],
            MetadataDirective="REPLACE",
        )
        self._call("put_object", Key=keys["thumb"], Body=thumb, ContentType="image/webp")
        created = self._create_json(keys["record"], record)
        if not created:
            existing = self.get_picture(record["id"])
            if existing is None:  # deleted in between: nothing to return
                raise StorageConflict("the picture changed while it was being registered; try again")
            record = existing
        self.finish_picture(record)
        return record, created

    def finish_picture(self, record: dict) -> None:
        """The last steps of a registration, safe to repeat: list the picture, drop its upload."""
        self._call("put_object", Key=index_key(record["id"], record["created_ms"]), Body=b"")
        self._call("delete_object", Key=record["source"])

    def list_pictures(self, after: str | None, limit: int) -> tuple[list[dict], str | None]:
        """Records newest first, `limit` at most, after the index key `after`; and the key to
        continue from (None at the end). Markers whose record is gone are skipped."""
        params: dict[str, Any] = {"Prefix": INDEX_PREFIX, "MaxKeys": limit}
        if after:
            params["StartAfter"] = after
        page = self._call("list_objects_v2", **params)
        markers = [obj["Key"] for obj in page.get("Contents", [])]
        ids = [key.rsplit("-", 1)[-1] for key in markers]
        with ThreadPoolExecutor(max_workers=min(8, len(ids) or 1)) as pool:
            records = list(pool.map(self.get_picture, ids))
        more = markers[-1] if page.get("IsTruncated") and markers else None
        return [r for r in records if r is not None], more

    def delete_picture(self, picture_id: str) -> bool:
        """Remove a picture: the index marker first (it leaves listings at once), then the
        record (it leaves GET), then its files. False when there was no such picture."""
        record = self.get_picture(picture_id)
        if record is None:
            return False
        keys = picture_keys(picture_id, record["extension"])
        self._call("delete_object", Key=index_key(picture_id, record["created_ms"]))
        self._call("delete_object", Key=keys["record"])
        self._call(
            "delete_objects",
            Delete={"Objects": [{"Key": keys["original"]}, {"Key": keys["thumb"]}], "Quiet": True},
        )
        return True

    def picture_urls(self, record: dict) -> tuple[str, str]:
        keys = picture_keys(record["id"], record["extension"])
        return self.presign_get(keys["original"]), self.presign_get(keys["thumb"])

    # -- results -------------------------------------------------------------------------------

    def put_result(self, body: bytes, content_type: str, extension: str) -> tuple[str, str]:
        """Store a result under results/ and return (its s3:// location, a presigned GET URL)."""
        key = f"{RESULTS_PREFIX}{new_token()}.{extension}"
        self._call("put_object", Key=key, Body=body, ContentType=content_type)
        return self.location(key), self.presign_get(key)

    def presign_get(self, key: str, expires_in: int = URL_SECONDS) -> str:
        return self.s3.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=expires_in
        )

    # -- published static assets ------------------------------------------------------------

    def published_static_names(self) -> set[str]:
        """Names (below `static/`) of every asset already published."""
        names: set[str] = set()
        token: dict[str, str] = {}
        while True:
            page = self._call("list_objects_v2", Prefix=STATIC_PREFIX, **token)
            names.update(obj["Key"][len(STATIC_PREFIX) :] for obj in page.get("Contents", []))
            if not page.get("IsTruncated"):
                return names
            token = {"ContinuationToken": page["NextContinuationToken"]}

    def publish_static_asset(self, name: str, body: bytes, content_type: str, *, immutable=True) -> None:
        """Store `static/<name>`; a content-hashed name is cached forever, anything else revalidated."""
        self._call(
            "put_object",
            Key=STATIC_PREFIX + name,
            Body=body,
            ContentType=content_type,
            CacheControl=IMMUTABLE if immutable else "no-cache",
        )

    def allow_public_static_reads(self) -> None:
        """Let any browser read `static/*` (and nothing else): the bucket set-up for published assets.

        First the public access block that still refuses public ACLs but admits a public policy,
        then the policy itself (`public_static_policy`).
        """
        self._call("put_public_access_block", PublicAccessBlockConfiguration=PUBLIC_ACCESS_BLOCK_FOR_STATIC)
        self._call("put_bucket_policy", Policy=json.dumps(public_static_policy(self.bucket)))

    def read_static_asset(self, name: str) -> bytes | None:
        """The published `static/<name>`, or None when it is not there."""
        try:
            return self._call("get_object", Key=STATIC_PREFIX + name)["Body"].read()
        except ClientError as error:
            if _code(error) in _MISSING_CODES or _status(error) == 404:
                return None
            raise StorageUnavailable(f"S3 refused the read: {_code(error)}") from error

    # -- plumbing ---------------------------------------------------------------------------

    def _get_json(self, key: str) -> dict | None:
        obj = self._call_unless_missing("get_object", Key=key)
        return None if obj is None else json.loads(obj["Body"].read())

    def _call_unless_missing(self, operation: str, **kwargs):
        """Like `_call`, but None when the object does not exist; other refusals are outages."""
        try:
            return self._call(operation, **kwargs)
        except ClientError as error:
            if _code(error) in _MISSING_CODES or _status(error) == 404:
                return None
            raise StorageUnavailable(f"S3 refused {operation}: {_code(error)}") from error

    def _create_json(self, key: str, value: dict) -> bool:
        """Create `key` unless it exists (If-None-Match: *); False when it already did."""
        try:
            self._call(
                "put_object",
                Key=key,
                Body=json.dumps(value, ensure_ascii=False).encode("utf-8"),
                ContentType="application/json",
                IfNoneMatch="*",
            )
            return True
        except ClientError as error:
            if _code(error) in _CONFLICT_CODES or _status(error) in (409, 412):
                return False
            raise StorageUnavailable(f"S3 refused the write: {_code(error)}") from error

    def _call(self, operation: str, **kwargs):
        """Call one S3 operation on our bucket; outages become StorageUnavailable.

        ClientErrors with a 4xx status are the caller's to interpret (missing key, 412); S3's own
        5xx errors and transport failures mean S3 is unavailable.
        """
        try:
            return getattr(self.s3, operation)(Bucket=self.bucket, **kwargs)
        except ClientError as error:
            if _status(error) >= 500 or _code(error) in {"NoSuchBucket", "SlowDown", "ServiceUnavailable"}:
                raise StorageUnavailable(f"S3 is unavailable: {_code(error)}") from error
            raise
        except BotoCoreError as error:
            raise StorageUnavailable(f"S3 is unavailable: {type(error).__name__}") from error


def public_static_policy(bucket: str) -> dict:
    """The bucket policy that lets any browser read published assets, and nothing else.

    The stage's bucket blocks public ACLs (`BlockPublicAcls`, `IgnorePublicAcls` on) but must allow
    this one public policy (`BlockPublicPolicy`, `RestrictPublicBuckets` off): it grants
    `s3:GetObject` on `static/*` only, so state, uploads, pictures and results stay private.
    """
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "PublicReadOfPublishedStaticAssets",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/{STATIC_PREFIX}*",
            }
        ],
    }


#: The public access block that goes with `public_static_policy`.
PUBLIC_ACCESS_BLOCK_FOR_STATIC = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": False,
    "RestrictPublicBuckets": False,
}

"""Storage: everything catsite keeps in its S3 bucket, spoken of in the app's terms.

One small class over a boto3 S3 client and a bucket. Views never touch boto3; this file is the
only one that knows S3's key layout, its conditional-write headers and its error codes.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from catsite.errors import StorageConflict, StorageUnavailable

DEFAULT_SAYS = "meow"
STATE_KEY = "state/cat.json"
STATIC_PREFIX = "static/"
#: Hashed names never change content, so browsers and CDNs may keep them for a year.
IMMUTABLE = "public, max-age=31536000, immutable"

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
    """A boto3 S3 client with catsite's timeouts; `endpoint_url` points at a local S3."""
    import boto3  # deferred: importing boto3 and building a client cost cold start

    return boto3.client("s3", region_name=region, endpoint_url=endpoint_url, config=S3_CLIENT_CONFIG)


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
        try:
            obj = self._call("get_object", Key=STATE_KEY)
        except ClientError as error:
            if _code(error) in _MISSING_CODES or _status(error) == 404:
                return DEFAULT_SAYS, None
            raise StorageUnavailable(f"S3 refused the read: {_code(error)}") from error
        try:
            says = json.loads(obj["Body"].read())["says"]
            if not isinstance(says, str) or not says:
                raise ValueError("says is not a non-empty string")
        except (ValueError, KeyError, TypeError, BotoCoreError):
            # A damaged state object is answered as the default; the next write replaces it.
            says = DEFAULT_SAYS
        return says, obj.get("ETag")

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

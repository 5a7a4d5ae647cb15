"""Storage: everything catsite keeps in its S3 bucket, spoken of in the app's terms.

One small class over a boto3 S3 client and a bucket. Views never touch boto3; this file is the
only one that speaks S3 (its conditional-write headers and error codes); the key layout is in
`catsite.s3.keys`, which imports nothing heavy.
"""

from __future__ import annotations

import io
import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from catsite.errors import ObjectMissing, StorageConflict, StorageUnavailable
from catsite.s3.keys import (  # noqa: F401 - the layout, re-exported for Storage's callers
    IMMUTABLE,
    INDEX_PREFIX,
    PICS_PREFIX,
    RESULTS_PREFIX,
    STATE_KEY,
    STATIC_PREFIX,
    UPLOADS_PREFIX,
    index_key,
    job_key,
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


#: For the few calls S3 may legitimately take minutes to answer: completing a multipart upload of
#: a large object (S3 keeps the connection alive while it assembles the parts).
PATIENT_READ_SECONDS = 300


def make_s3_client(region: str, endpoint_url: str | None = None, *, patient: bool = False):
    """An S3 client with catsite's timeouts (`patient`: a long read timeout); `endpoint_url`
    points at a local S3.

    Made by botocore directly: the same S3 operations `boto3.client("s3")` offers (credentials,
    endpoint and `AWS_ENDPOINT_URL*` resolution and presigning are all botocore's), without
    importing boto3 and s3transfer for managed transfers catsite never uses: about 12 ms less of
    a cold start that reaches S3, measured on the unzipped artifact.
    """
    from botocore.session import get_session  # deferred: only requests that reach S3 pay for it

    config = S3_CLIENT_CONFIG
    if patient:
        config = config.merge(Config(read_timeout=PATIENT_READ_SECONDS))
    return get_session().create_client("s3", region_name=region, endpoint_url=endpoint_url, config=config)


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _status(error: ClientError) -> int:
    return int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)


class Storage:
    """catsite's bucket. `write_attempts` bounds retries of a conditional write."""

    def __init__(self, s3_client: Any, bucket: str, *, write_attempts: int = 5, patient_client=None):
        """`patient_client` builds (on first need) a client with a long read timeout, for the
        calls S3 may take minutes to answer; without it those calls use `s3_client`."""
        self.s3 = s3_client
        self.bucket = bucket
        self.write_attempts = write_attempts
        self._patient_factory = patient_client
        self._patient = None

    def patient(self):
        if self._patient is None:
            self._patient = self._patient_factory() if self._patient_factory else self.s3
        return self._patient

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
        found = self._call_unless_missing("get_object", Key=key, Range=f"bytes={start}-{end}")
        if found is None:
            raise ObjectMissing(key)
        return found["Body"].read()

    def open(self, info: ObjectInfo, first_bytes: bytes = b""):
        """A seekable reader over the object that fetches only the ranges read."""
        from catsite.s3.reader import S3RangeReader

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
        copied = self._call_unless_missing(
            "copy_object",
            Key=keys["original"],
            CopySource={"Bucket": self.bucket, "Key": source.key},
            ContentType=record["content_type"],
            MetadataDirective="REPLACE",
        )
        if copied is None:  # a concurrent registration of this upload finished and removed it
            raise ObjectMissing(source.key)
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

    def picture_usage(self) -> tuple[int, int]:
        """(pictures, bytes) stored under pics/: records counted, every object's size summed.

        Counted by listing rather than kept in a usage object: a listing cannot drift when a
        write stops half-way, and under the quota it stays a few LIST requests (1,000 keys each,
        three keys per picture).
        """
        count = size = 0
        token: dict[str, str] = {}
        while True:
            page = self._call("list_objects_v2", Prefix=PICS_PREFIX, **token)
            for obj in page.get("Contents", []):
                size += int(obj.get("Size", 0))
                count += obj["Key"].endswith("/record.json")
            if not page.get("IsTruncated"):
                return count, size
            token = {"ContinuationToken": page["NextContinuationToken"]}

    def delete_picture(self, picture_id: str) -> bool:
        """Remove a picture: the index marker first (it leaves listings at once), then the
        record (it leaves GET), then its files. False when there was no such picture.

        A delete (or a registration) that stopped half-way can leave files without a record:
        invisible, but counted against the quota. Deleting such an id again removes them.
        """
        record = self.get_picture(picture_id)
        if record is None:
            self._delete_leftovers(f"{PICS_PREFIX}{picture_id}/")
            return False
        keys = picture_keys(picture_id, record["extension"])
        self._call("delete_object", Key=index_key(picture_id, record["created_ms"]))
        self._call("delete_object", Key=keys["record"])
        self._call(
            "delete_objects",
            Delete={"Objects": [{"Key": keys["original"]}, {"Key": keys["thumb"]}], "Quiet": True},
        )
        return True

    def _delete_leftovers(self, folder: str) -> None:
        page = self._call("list_objects_v2", Prefix=folder, MaxKeys=10)
        leftovers = [{"Key": obj["Key"]} for obj in page.get("Contents", [])]
        if leftovers:
            self._call("delete_objects", Delete={"Objects": leftovers, "Quiet": True})

    def picture_urls(self, record: dict) -> tuple[str, str]:
        keys = picture_keys(record["id"], record["extension"])
        return self.presign_get(keys["original"]), self.presign_get(keys["thumb"])

    def all_pictures(self):
        """Every picture record, newest first, a listing page at a time."""
        after = None
        while True:
            records, after = self.list_pictures(after, 1000)
            yield from records
            if after is None:
                return

    def picture_chunks(self, record: dict, chunk: int = 2 * 1024 * 1024):
        """The original's bytes, streamed from S3 a chunk at a time (never whole in memory)."""
        key = picture_keys(record["id"], record["extension"])["original"]
        found = self._call_unless_missing("get_object", Key=key)
        if found is None:
            raise StorageUnavailable(f"the original of picture {record['id']} is missing from S3")
        body = found["Body"]
        try:
            yield from body.iter_chunks(chunk)
        except BotoCoreError as error:
            raise StorageUnavailable(f"S3 broke off a read: {type(error).__name__}") from error
        finally:
            body.close()

    # -- jobs ----------------------------------------------------------------------------------

    def get_job(self, job_id: str) -> dict | None:
        return self._get_json(job_key(job_id))

    def put_job(self, job: dict) -> None:
        """Write a job's state; each job has one writer at a time (its runner)."""
        self._call(
            "put_object",
            Key=job_key(job["id"]),
            Body=json.dumps(job).encode("utf-8"),
            ContentType="application/json",
        )

    # -- results -------------------------------------------------------------------------------

    def new_result(self, extension: str, content_type: str) -> MultipartWriter:
        """A writable stream into results/<random>.<extension>, sent to S3 as a multipart upload.

        Nothing is visible until `complete()` (or leaving a `with` block normally); an error, or
        closing without completing, discards every part, so a result is never half-written.
        """
        key = f"{RESULTS_PREFIX}{new_token()}.{extension}"
        return MultipartWriter(self, key, content_type)

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

    def _call(self, operation: str, client=None, **kwargs):
        """Call one S3 operation on our bucket; outages become StorageUnavailable.

        ClientErrors with a 4xx status are the caller's to interpret (missing key, 412); S3's own
        5xx errors and transport failures mean S3 is unavailable.
        """
        try:
            return getattr(client or self.s3, operation)(Bucket=self.bucket, **kwargs)
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


class MultipartWriter(io.RawIOBase):
    """A write-only, unseekable stream that uploads itself to S3 in parts of PART_BYTES.

    Parts go up on UPLOADERS threads while the writer goes on producing the next one, so reading
    and sending overlap; memory stays near UPLOADERS + 1 parts whatever the size written. S3
    wants parts of at least 5 MiB (but the last) and at most 10,000 of them: 8 MiB parts allow
    results up to 78 GiB. Three uploaders keep S3 busy while the ZIP is written (two left the
    writer waiting on uploads a fifth of the time), in about 32 MiB of parts.
    """

    PART_BYTES = 8 * 1024 * 1024
    UPLOADERS = 3

    def __init__(self, storage: Storage, key: str, content_type: str):
        super().__init__()
        self.storage = storage
        self.key = key
        self.written = 0
        self._buffer: list[bytes] = []
        self._buffered = 0
        self._parts: list[dict] = []
        started = storage._call("create_multipart_upload", Key=key, ContentType=content_type)
        self._upload_id = started["UploadId"]
        self._finished = False
        self._uploaders = ThreadPoolExecutor(max_workers=self.UPLOADERS, thread_name_prefix="catsite-part")
        self._in_flight: list = []

    def writable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.written

    def write(self, data) -> int:
        self._buffer.append(bytes(data))
        self._buffered += len(data)
        self.written += len(data)
        if self._buffered >= self.PART_BYTES:
            self._send(b"".join(self._buffer))  # parts may exceed PART_BYTES by one write
            self._buffer.clear()
            self._buffered = 0
        return len(data)

    def _send(self, data: bytes) -> None:
        number = len(self._parts) + len(self._in_flight) + 1
        self._in_flight.append(self._uploaders.submit(self._upload_part, number, data))
        while len(self._in_flight) >= self.UPLOADERS:
            self._parts.append(self._in_flight.pop(0).result())  # an upload's error surfaces here

    def _upload_part(self, number: int, data: bytes) -> dict:
        answer = self.storage._call(
            "upload_part", Key=self.key, UploadId=self._upload_id, PartNumber=number, Body=data
        )
        return {"PartNumber": number, "ETag": answer["ETag"]}

    def _drain(self) -> None:
        while self._in_flight:
            self._parts.append(self._in_flight.pop(0).result())

    def complete(self) -> None:
        """Send what is left and complete the upload: only now does the object appear."""
        if self._finished:
            raise ValueError("this upload is already finished")
        if self._buffer or not (self._parts or self._in_flight):
            self._send(b"".join(self._buffer))
            self._buffer.clear()
        self._drain()
        self._uploaders.shutdown()
        self.storage._call(
            "complete_multipart_upload",
            client=self.storage.patient(),
            Key=self.key,
            UploadId=self._upload_id,
            MultipartUpload={"Parts": self._parts},
        )
        self._finished = True
        super().close()

    def close(self) -> None:
        """Closing without `complete()` (an error, or garbage collection) discards the upload."""
        self.abort()

    def abort(self) -> None:
        """Discard every part sent; no object appears."""
        if not self._finished:
            self._finished = True
            self._buffer.clear()
            self._uploaders.shutdown(wait=True, cancel_futures=True)
            try:
                self.storage._call("abort_multipart_upload", Key=self.key, UploadId=self._upload_id)
            finally:
                super().close()

    def __exit__(self, kind, error, trace):
        if kind is None:
            self.complete()
        else:
            self.abort()

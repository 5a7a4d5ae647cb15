"""The thin S3 adapter: one bucket's operations, in S3's terms but with catsite's errors.

`Bucket` wraps a botocore S3 client and a bucket name. Every call goes through `call`, which
turns botocore's errors into catsite's with the one table in `catsite.s3.errors`; the stores
(`catsite.stores`) speak the
app's terms over it and never see botocore. `open_bucket(settings)` builds the stage's.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from catsite.errors import ObjectMissing
from catsite.metrics import count
from catsite.s3.errors import service_error
from catsite.s3.keys import format_location

if TYPE_CHECKING:
    from catsite.settings import Settings

#: How long a presigned GET (a picture, a result) stays valid.
URL_SECONDS = 15 * 60


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int
    content_type: str


class Bucket:
    """One bucket over a client. `patient` builds (on first need) a client with a long read
    timeout, for the calls S3 may take minutes to answer; without it they use `client`."""

    def __init__(self, client: Any, name: str, *, patient: Callable[[], Any] | None = None):
        self.client = client
        self.name = name
        self._patient_factory = patient
        self._patient = None

    def location(self, key: str) -> str:
        return format_location(self.name, key)

    def call(self, operation: str, *, patient: bool = False, subject: str | None = None, **params):
        """One S3 operation on this bucket; botocore's errors become catsite's (`subject` names
        the key an error is about, by default `params["Key"]`)."""
        client = self.client
        if patient:
            if self._patient is None:
                self._patient = self._patient_factory() if self._patient_factory else self.client
            client = self._patient
        count("s3_calls")
        try:
            return getattr(client, operation)(Bucket=self.name, **params)
        except (ClientError, BotoCoreError) as error:
            raise service_error(error, operation, subject or params.get("Key")) from error

    # -- objects ----------------------------------------------------------------------------

    def get(self, key: str) -> tuple[bytes, str] | None:
        """(body, ETag) of an object; None when it does not exist."""
        try:
            found = self.call("get_object", Key=key)
        except ObjectMissing:
            return None
        return _read(found["Body"], key), found.get("ETag")

    def get_json(self, key: str) -> Any | None:
        """A JSON object's value; None when it does not exist (a body that is not JSON raises
        ValueError)."""
        found = self.get(key)
        return None if found is None else json.loads(found[0])

    def put(self, key: str, body: bytes, content_type: str | None = None, **conditions) -> None:
        """Store `body` at `key`. `conditions` are PutObject's own (`IfMatch`, `IfNoneMatch`,
        `CacheControl`); a lost condition raises PreconditionLost."""
        if content_type is not None:
            conditions["ContentType"] = content_type
        self.call("put_object", Key=key, Body=body, **conditions)

    def put_json(self, key: str, value: Any, *, if_match: str | None = None, create: bool = False) -> None:
        """Store `value` as JSON: `create` only if the key does not exist (If-None-Match: *),
        `if_match` only if it still has that ETag; either lost raises PreconditionLost."""
        conditions = {"IfMatch": if_match} if if_match else {"IfNoneMatch": "*"} if create else {}
        body = json.dumps(value, ensure_ascii=False).encode("utf-8")
        self.put(key, body, "application/json", **conditions)

    def head(self, key: str) -> ObjectInfo | None:
        """Size and type of an object, or None when it does not exist."""
        try:
            meta = self.call("head_object", Key=key)
        except ObjectMissing:
            return None
        return ObjectInfo(key, int(meta["ContentLength"]), meta.get("ContentType", ""))

    def read_range(self, key: str, start: int, end: int) -> bytes:
        """Bytes start..end (inclusive) of an object; ObjectMissing when it is not there."""
        found = self.call("get_object", Key=key, Range=f"bytes={start}-{end}")
        return _read(found["Body"], key)

    def stream(self, key: str, chunk: int) -> Iterator[bytes]:
        """An object's bytes a chunk at a time (never whole in memory); ObjectMissing when it is
        not there, StorageUnavailable when S3 breaks off the read."""
        body = self.call("get_object", Key=key)["Body"]
        try:
            yield from body.iter_chunks(chunk)
        except BotoCoreError as error:
            raise service_error(error, "get_object", key) from error
        finally:
            body.close()

    def copy(self, source: str, key: str, content_type: str) -> None:
        """Copy `source` to `key` in this bucket with a new Content-Type; ObjectMissing when the
        source is not there."""
        self.call(
            "copy_object",
            subject=source,
            Key=key,
            CopySource={"Bucket": self.name, "Key": source},
            ContentType=content_type,
            MetadataDirective="REPLACE",
        )

    def delete(self, *keys: str) -> None:
        """Delete these keys (one DeleteObject, or one DeleteObjects for several); a missing key
        is not an error."""
        if len(keys) == 1:
            self.call("delete_object", Key=keys[0])
        elif keys:
            self.call("delete_objects", Delete={"Objects": [{"Key": k} for k in keys], "Quiet": True})

    def objects(self, prefix: str, *, start_after: str | None = None, page_size: int | None = None):
        """Every object under `prefix` (S3's summaries: Key, Size, ETag ...) in key order, after
        `start_after`, fetched a page at a time by botocore's paginator as they are consumed."""
        params: dict[str, Any] = {"Bucket": self.name, "Prefix": prefix}
        if start_after:
            params["StartAfter"] = start_after
        if page_size:
            params["PaginationConfig"] = {"PageSize": page_size}
        pages = self.client.get_paginator("list_objects_v2").paginate(**params)
        try:
            for page in pages:
                count("s3_calls")
                yield from page.get("Contents", [])
        except (ClientError, BotoCoreError) as error:
            raise service_error(error, "list_objects_v2", prefix) from error

    # -- presigned requests -----------------------------------------------------------------

    def presign_get(
        self, key: str, expires_in: int = URL_SECONDS, *, download_name: str | None = None
    ) -> str:
        """A presigned GET; with `download_name`, S3 answers it with `Content-Disposition:
        attachment; filename="<download_name>"` (the signed `response-content-disposition`)."""
        params = {"Bucket": self.name, "Key": key}
        if download_name:
            params["ResponseContentDisposition"] = f'attachment; filename="{download_name}"'
        try:
            return self.client.generate_presigned_url("get_object", Params=params, ExpiresIn=expires_in)
        except (ClientError, BotoCoreError) as error:
            raise service_error(error, "presign get_object", key) from error

    def presign_post(self, key: str, content_type: str, max_bytes: int, expires_in: int) -> dict:
        """A presigned POST (SigV4) for exactly one object: this key, this Content-Type, and a
        body of 1..max_bytes. S3 enforces the policy; catsite re-checks the object anyway."""
        try:
            return self.client.generate_presigned_post(
                Bucket=self.name,
                Key=key,
                Fields={"Content-Type": content_type},
                Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, max_bytes]],
                ExpiresIn=expires_in,
            )
        except (ClientError, BotoCoreError) as error:
            raise service_error(error, "presign post_object", key) from error


def _read(body, key: str) -> bytes:
    try:
        return body.read()
    except BotoCoreError as error:
        raise service_error(error, "get_object", key) from error


def open_bucket(settings: Settings) -> Bucket:
    """The bucket `settings` name, with clients from the process's one botocore session."""
    from catsite.s3.client import make_s3_client

    region, endpoint = settings.region, settings.s3_endpoint_url
    return Bucket(
        make_s3_client(region, endpoint),
        settings.bucket,
        patient=lambda: make_s3_client(region, endpoint, patient=True),
    )

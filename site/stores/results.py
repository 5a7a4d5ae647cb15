"""Results: archives and oversize answers under `results/`, handed out by presigned URL.

A result may live in a folder of its own (`results/<folder>/<name>`, the name a browser saves it
under). An archive's folder is named after the pictures it holds, so a second request for the
same pictures finds it (`find`); the folder's `claim.json` names the one job making it, written
with a conditional PUT so that of concurrent requests exactly one makes it (`claim`). Everything
under `results/` expires with the bucket's lifecycle rule (a day), claims included.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from catsite.errors import PreconditionLost
from catsite.s3.keys import RESULTS_PREFIX, new_token, parse_location

if TYPE_CHECKING:
    from catsite.s3.bucket import Bucket
    from catsite.s3.multipart import MultipartWriter


CLAIM = "claim.json"


@dataclass(frozen=True)
class Found:
    """A finished result in a folder: its key, size and the metadata it was written with."""

    key: str
    size: int
    metadata: dict[str, str]


@dataclass(frozen=True)
class Claim:
    job_id: str
    etag: str


class Results:
    def __init__(self, bucket: Bucket):
        self.bucket = bucket

    def new(
        self,
        extension: str,
        content_type: str,
        name: str | None = None,
        *,
        folder: str | None = None,
        metadata: dict[str, str] | None = None,
    ) -> MultipartWriter:
        """A writable stream into results/<random>.<extension> (or results/<folder>/<name>: the
        name a browser saves it under; the folder is random unless given), sent to S3 as a
        multipart upload, with `metadata` (S3's user metadata) for `find` to read back.

        Nothing is visible until `complete()` (or leaving a `with` block normally); an error, or
        closing without completing, discards every part, so a result is never half-written.
        """
        from catsite.s3.multipart import MultipartWriter

        if name:
            key = f"{RESULTS_PREFIX}{folder or new_token()}/{name}"
        else:
            key = f"{RESULTS_PREFIX}{new_token()}.{extension}"
        return MultipartWriter(self.bucket, key, content_type, metadata=metadata)

    def find(self, folder: str) -> Found | None:
        """The finished result in `folder` (the newest, if ever more than one), or None."""
        prefix = f"{RESULTS_PREFIX}{folder}/"
        listed = [o for o in self.bucket.objects(prefix) if o["Key"] != prefix + CLAIM]
        if not listed:
            return None
        newest = max(listed, key=lambda o: o["LastModified"])
        head = self.bucket.call("head_object", Key=newest["Key"])
        return Found(newest["Key"], int(head["ContentLength"]), dict(head.get("Metadata") or {}))

    def claimant(self, folder: str) -> Claim | None:
        """Which job claimed making `folder`'s result, or None."""
        found = self.bucket.get(f"{RESULTS_PREFIX}{folder}/{CLAIM}")
        if found is None:
            return None
        try:
            job_id = json.loads(found[0])["job"]
        except (ValueError, KeyError, TypeError):
            job_id = ""  # not a claim this code wrote: anyone may replace it
        return Claim(str(job_id), found[1])

    def release(self, folder: str, job_id: str) -> None:
        """Drop `job_id`'s claim on `folder` (its work failed: nothing of it stays)."""
        claim = self.claimant(folder)
        if claim is not None and claim.job_id == job_id:
            self.bucket.delete(f"{RESULTS_PREFIX}{folder}/{CLAIM}")

    def claim(self, folder: str, job_id: str, replacing: Claim | None = None) -> bool:
        """Claim making `folder`'s result for `job_id`: first come, or in place of `replacing` (a
        claim whose job is over). False when another request claimed it first."""
        key = f"{RESULTS_PREFIX}{folder}/{CLAIM}"
        try:
            if replacing is None:
                self.bucket.put_json(key, {"job": job_id}, create=True)
            else:
                self.bucket.put_json(key, {"job": job_id}, if_match=replacing.etag)
        except PreconditionLost:
            return False
        return True

    def put(self, body: bytes, content_type: str, extension: str) -> tuple[str, str]:
        """Store a result under results/ and return (its s3:// location, a presigned GET URL)."""
        key = f"{RESULTS_PREFIX}{new_token()}.{extension}"
        self.bucket.put(key, body, content_type)
        return self.address(key)

    def address(self, key: str) -> tuple[str, str]:
        """(s3:// location, presigned GET URL) of the result at `key`."""
        return self.bucket.location(key), self._presign(key)

    def url(self, location: str) -> str:
        """A fresh presigned GET URL for a result this bucket holds, from its s3:// location."""
        parsed = parse_location(location)
        key = parsed[1] if parsed and parsed[0] == self.bucket.name else location
        return self._presign(key)

    def _presign(self, key: str) -> str:
        """A named result (results/<random>/<name>) downloads under its name, whenever signed."""
        folder, slash, name = key.removeprefix(RESULTS_PREFIX).rpartition("/")
        return self.bucket.presign_get(key, download_name=name if folder and slash else None)

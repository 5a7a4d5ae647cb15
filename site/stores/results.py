"""Results: archives and oversize answers under `results/`, handed out by presigned URL."""

from __future__ import annotations

from typing import TYPE_CHECKING

from catsite.s3.keys import RESULTS_PREFIX, new_token, parse_location

if TYPE_CHECKING:
    from catsite.s3.bucket import Bucket
    from catsite.s3.multipart import MultipartWriter


class Results:
    def __init__(self, bucket: Bucket):
        self.bucket = bucket

    def new(self, extension: str, content_type: str, name: str | None = None) -> MultipartWriter:
        """A writable stream into results/<random>.<extension> (or results/<random>/<name>: the
        name a browser saves it under), sent to S3 as a multipart upload.

        Nothing is visible until `complete()` (or leaving a `with` block normally); an error, or
        closing without completing, discards every part, so a result is never half-written.
        """
        from catsite.s3.multipart import MultipartWriter

        key = (
            f"{RESULTS_PREFIX}{new_token()}/{name}" if name else f"{RESULTS_PREFIX}{new_token()}.{extension}"
        )
        return MultipartWriter(self.bucket, key, content_type)

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

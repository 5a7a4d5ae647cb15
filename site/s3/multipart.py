"""A writable stream that becomes one S3 object by multipart upload, over `catsite.s3.bucket`."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from catsite.s3.bucket import Bucket


class MultipartWriter(io.RawIOBase):
    """A write-only, unseekable stream that uploads itself to S3 in parts of PART_BYTES.

    Parts go up on UPLOADERS threads while the writer goes on producing the next one, so reading
    and sending overlap; memory stays near UPLOADERS + 1 parts whatever the size written. S3
    wants parts of at least 5 MiB (but the last) and at most 10,000 of them: 8 MiB parts allow
    results up to 78 GiB. Three uploaders keep S3 busy while the ZIP is written (the measurement
    behind the number: docs/benchmarks.md), in about 32 MiB of parts.

    Nothing is visible until `complete()` (or leaving a `with` block normally); an error, or
    closing without completing, discards every part, so the object is never half-written.
    """

    PART_BYTES = 8 * 1024 * 1024
    UPLOADERS = 3

    def __init__(self, bucket: Bucket, key: str, content_type: str, metadata: dict[str, str] | None = None):
        super().__init__()
        self.bucket = bucket
        self.key = key
        self.written = 0
        self._buffer: list[bytes] = []
        self._buffered = 0
        self._parts: list[dict] = []
        extra = {"Metadata": metadata} if metadata else {}
        started = bucket.call("create_multipart_upload", Key=key, ContentType=content_type, **extra)
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
        answer = self.bucket.call(
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
        self.bucket.call(
            "complete_multipart_upload",
            patient=True,
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
                self.bucket.call("abort_multipart_upload", Key=self.key, UploadId=self._upload_id)
            finally:
                super().close()

    def __exit__(self, kind, error, trace):
        if kind is None:
            self.complete()
        else:
            self.abort()

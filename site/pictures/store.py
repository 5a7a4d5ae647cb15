"""Picture records and their files in the stage's bucket, in the gallery's terms.

A picture's record and original live under `pics/<id>/` (private: the original is handed out by
presigned URL); its WebP renditions (the 480 px thumbnail, the display size of its page) live
under `pics/public/`, named by their content and readable by any browser, so their URLs never
expire and browsers keep them for a year. Pictures registered before renditions existed keep a
private `pics/<id>/thumb.webp` and no display rendition (their page shows the original).
`pics/index/` holds one empty marker per picture whose key sorts newest first (`catsite.s3.keys`),
so a page of the gallery is one LIST request.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from itertools import islice
from typing import TYPE_CHECKING

from catsite.errors import ObjectMissing, PreconditionLost, StorageConflict, StorageUnavailable
from catsite.s3.keys import (
    IMMUTABLE,
    INDEX_PREFIX,
    PICS_PREFIX,
    PUBLIC_PICS_PREFIX,
    index_key,
    picture_keys,
    record_key,
)

if TYPE_CHECKING:
    from catsite.s3.bucket import Bucket, ObjectInfo


class Pictures:
    """The cat pictures: uploads waiting to be registered, records, originals and thumbnails."""

    def __init__(self, bucket: Bucket):
        self.bucket = bucket

    # -- uploads ----------------------------------------------------------------------------

    def upload_form(self, key: str, content_type: str, max_bytes: int, expires_in: int) -> dict:
        """A presigned POST for one direct upload to `key` (see `Bucket.presign_post`)."""
        return self.bucket.presign_post(key, content_type, max_bytes, expires_in)

    def upload_info(self, key: str) -> ObjectInfo | None:
        """Size and type of an upload, or None when there is none."""
        return self.bucket.head(key)

    def open_upload(self, info: ObjectInfo, first: int):
        """A seekable reader over an upload that fetches only the ranges read; its first `first`
        bytes are fetched at once (one request for the header every decoder needs)."""
        from catsite.s3.reader import S3RangeReader

        head = self.bucket.read_range(info.key, 0, min(info.size, first) - 1)
        return S3RangeReader(
            lambda start, end: self.bucket.read_range(info.key, start, end), info.size, head=head
        )

    # -- records ----------------------------------------------------------------------------

    def get(self, picture_id: str) -> dict | None:
        return self.bucket.get_json(record_key(picture_id))

    def save(self, record: dict, source: ObjectInfo, renditions: dict[str, bytes]) -> tuple[dict, bool]:
        """Store a picture from an upload and its WebP renditions (key -> bytes, under the public
        prefix, written immutable); returns (record, created).

        Ordered so a crash between steps never leaves anything visible half-made: the original
        and renditions are written first (unlisted without a record); the record is created with
        `If-None-Match: *` (the commit point: of concurrent registrations of one upload exactly
        one creates it, the others get the winner's record); then the index marker makes it
        listable, and only then is the upload removed. Repeating a registration repairs a
        missing marker.
        """
        keys = picture_keys(record["id"], record["extension"])
        # ObjectMissing when a concurrent registration of this upload finished and removed it.
        self.bucket.copy(source.key, keys["original"], record["content_type"])
        for key, data in renditions.items():
            self.bucket.put(key, data, "image/webp", CacheControl=IMMUTABLE)
        try:
            self.bucket.put_json(keys["record"], record, create=True)
            created = True
        except PreconditionLost:
            created = False
        if not created:
            existing = self.get(record["id"])
            if existing is None:  # deleted in between: nothing to return
                raise StorageConflict("the picture changed while it was being registered; try again")
            record = existing
        self.finish(record)
        return record, created

    def finish(self, record: dict) -> None:
        """The last steps of a registration, safe to repeat: list the picture, drop its upload."""
        self.bucket.put(index_key(record["id"], record["created_ms"]), b"")
        self.bucket.delete(record["source"])

    def page(self, after: str | None, limit: int) -> tuple[list[dict], str | None]:
        """Records newest first, `limit` at most, after the index key `after`; and the key to
        continue from (None at the end). Markers whose record is gone are skipped."""
        # One LIST request: a page of limit + 1 keys says whether there are more.
        listed = self.bucket.objects(INDEX_PREFIX, start_after=after, page_size=limit + 1)
        markers = [obj["Key"] for obj in islice(listed, limit + 1)]
        more = markers[limit - 1] if len(markers) > limit else None
        ids = [key.rsplit("-", 1)[-1] for key in markers[:limit]]
        with ThreadPoolExecutor(max_workers=min(8, len(ids) or 1)) as pool:
            records = list(pool.map(self.get, ids))
        return [r for r in records if r is not None], more

    def all(self):
        """Every picture record, newest first, a listing page at a time."""
        after = None
        while True:
            records, after = self.page(after, 999)  # 999 + 1: one LIST request of S3's 1,000 keys
            yield from records
            if after is None:
                return

    def usage(self) -> tuple[int, int]:
        """(pictures, bytes) stored under pics/: records counted, every object's size summed.

        Counted by listing rather than kept in a usage object: a listing cannot drift when a
        write stops half-way, and under the quota it stays a few LIST requests (1,000 keys each,
        five keys per picture: record, original, two renditions, listing marker).
        """
        count = size = 0
        for obj in self.bucket.objects(PICS_PREFIX):
            size += int(obj.get("Size", 0))
            count += obj["Key"].endswith("/record.json")
        return count, size

    def delete(self, picture_id: str) -> bool:
        """Remove a picture: the index marker first (it leaves listings at once), then the
        record (it leaves GET), then its files, public renditions included (browsers that kept
        a copy may still show it; S3 no longer serves it). False when there was no such picture.

        A delete (or a registration) that stopped half-way can leave files without a record:
        invisible, but counted against the quota. Deleting such an id again removes them.
        """
        record = self.get(picture_id)
        if record is None:
            self._delete_leftovers(f"{PICS_PREFIX}{picture_id}/")
            self._delete_leftovers(f"{PUBLIC_PICS_PREFIX}{picture_id}/")
            return False
        keys = picture_keys(picture_id, record["extension"])
        self.bucket.delete(index_key(picture_id, record["created_ms"]))
        self.bucket.delete(keys["record"])
        renditions = [record[k] for k in ("thumb_key", "display_key") if record.get(k)]
        self.bucket.delete(keys["original"], *(renditions or [keys["thumb"]]))
        return True

    def _delete_leftovers(self, folder: str) -> None:
        leftovers = [obj["Key"] for obj in islice(self.bucket.objects(folder, page_size=10), 10)]
        if leftovers:
            self.bucket.delete(*leftovers)

    # -- files ------------------------------------------------------------------------------

    def urls(self, record: dict, public_base: str) -> dict[str, str]:
        """The picture's URLs: `url` (the original: short-lived, presigned), `thumb_url` and
        `display_url` (public and immutable: `public_base` is the bucket's public address).

        A picture registered before renditions existed has a private thumbnail (presigned) and
        no display rendition: its original is shown instead.
        """
        keys = picture_keys(record["id"], record["extension"])
        original = self.bucket.presign_get(keys["original"])
        thumb = record.get("thumb_key")
        display = record.get("display_key")
        return {
            "url": original,
            "thumb_url": f"{public_base}/{thumb}" if thumb else self.bucket.presign_get(keys["thumb"]),
            "display_url": f"{public_base}/{display}" if display else original,
        }

    def chunks(self, record: dict, chunk: int = 2 * 1024 * 1024):
        """The original's bytes, streamed from S3 a chunk at a time (never whole in memory)."""
        key = picture_keys(record["id"], record["extension"])["original"]
        try:
            yield from self.bucket.stream(key, chunk)
        except ObjectMissing:
            raise StorageUnavailable(f"the original of picture {record['id']} is missing from S3") from None

"""Picture records and their files in the stage's bucket, in the gallery's terms.

A picture's record and original live under `pics/<id>/` (private: the original is handed out by
presigned URL); its WebP renditions (the 480 px thumbnail, the display size of its page) live
under `pics/public/`, named by their content and readable by any browser, so their URLs never
expire and browsers keep them for a year. `pics/index/` holds one empty marker per picture whose
key sorts newest first (`catsite.s3.keys`), so a page of the gallery is one LIST request.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, fields
from itertools import islice
from typing import TYPE_CHECKING, ClassVar

from catsite.errors import ObjectMissing, PreconditionLost, StorageConflict, StorageUnavailable
from catsite.s3.keys import (
    IMMUTABLE,
    INDEX_PREFIX,
    PICS_PREFIX,
    PUBLIC_PICS_PREFIX,
    index_key,
    original_key,
    record_key,
    rendition_owner,
)

if TYPE_CHECKING:
    from catsite.s3.bucket import Bucket, ObjectInfo


#: A stored picture's id: 32 hex digits (the token of the upload it was registered from).
PICTURE_ID = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True)
class PictureRecord:
    """A registered picture, as stored in `pics/<id>/record.json`."""

    id: str
    caption: str
    content_type: str
    #: The extension its original is stored under (`catsite.pictures.images.ALLOWED_TYPES`).
    extension: str
    bytes: int
    width: int
    height: int
    thumb_width: int
    thumb_height: int
    thumb_key: str
    display_width: int
    display_height: int
    display_key: str
    created_at: str
    #: Creation time in ms since the epoch: orders the listing (`catsite.s3.keys.index_key`).
    created_ms: int
    #: The upload it was registered from.
    source: str

    #: What the API, the pages and the archive's index show of a picture (its URLs aside).
    PUBLIC_FIELDS: ClassVar[tuple[str, ...]] = (
        "id",
        "caption",
        "content_type",
        "bytes",
        "width",
        "height",
        "thumb_width",
        "thumb_height",
        "display_width",
        "display_height",
        "created_at",
    )

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> PictureRecord:
        """A record from its JSON; KeyError or TypeError when a field is missing."""
        return cls(**{f.name: data[f.name] for f in fields(cls)})

    def shown(self) -> dict:
        """The public fields, by name."""
        return {name: getattr(self, name) for name in self.PUBLIC_FIELDS}

    @property
    def original_key(self) -> str:
        return original_key(self.id, self.extension)


class PictureStore:
    """The cat pictures: uploads waiting to be registered, records, originals and renditions."""

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

    def get(self, picture_id: str) -> PictureRecord | None:
        found = self.bucket.get_json(record_key(picture_id))
        return None if found is None else PictureRecord.from_json(found)

    def save(
        self, record: PictureRecord, source: ObjectInfo, renditions: dict[str, bytes]
    ) -> tuple[PictureRecord, bool]:
        """Store a picture from an upload and its WebP renditions (key -> bytes, under the public
        prefix, written immutable); returns (record, created).

        Ordered so a crash between steps never leaves anything visible half-made: the original
        and renditions are written first (unlisted without a record); the record is created with
        `If-None-Match: *` (the commit point: of concurrent registrations of one upload exactly
        one creates it, the others get the winner's record); then the index marker makes it
        listable, and only then is the upload removed. Repeating a registration repairs a
        missing marker.
        """
        # ObjectMissing when a concurrent registration of this upload finished and removed it.
        self.bucket.copy(source.key, record.original_key, record.content_type)
        for key, data in renditions.items():
            self.bucket.put(key, data, "image/webp", CacheControl=IMMUTABLE)
        try:
            self.bucket.put_json(record_key(record.id), record.to_json(), create=True)
            created = True
        except PreconditionLost:
            created = False
        if not created:
            existing = self.get(record.id)
            if existing is None:  # deleted in between: nothing to return
                raise StorageConflict("the picture changed while it was being registered; try again")
            record = existing
        self.finish(record)
        return record, created

    def finish(self, record: PictureRecord) -> None:
        """The last steps of a registration, safe to repeat: list the picture, drop its upload."""
        self.bucket.put(index_key(record.id, record.created_ms), b"")
        self.bucket.delete(record.source)

    def page(self, after: str | None, limit: int) -> tuple[list[PictureRecord], str | None]:
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

    def listing(self):
        """Every listing marker's key, in listing order (one LIST request per 1,000 pictures)."""
        for obj in self.bucket.objects(INDEX_PREFIX):
            yield obj["Key"]

    def all(self):
        """Every picture record, newest first, a listing page at a time."""
        after = None
        while True:
            records, after = self.page(after, 999)  # 999 + 1: one LIST request of S3's 1,000 keys
            yield from records
            if after is None:
                return

    def stored_sizes(self) -> dict[str, int]:
        """Bytes each picture with a record holds under pics/ (its record, original, renditions),
        by picture id: what the quota ledger starts from (`catsite.stores.quota`)."""
        sizes: dict[str, int] = {}
        recorded = set()
        for obj in self.bucket.objects(PICS_PREFIX):
            key = obj["Key"]
            if key.startswith(INDEX_PREFIX):
                continue
            owner = (
                rendition_owner(key)
                if key.startswith(PUBLIC_PICS_PREFIX)
                else key[len(PICS_PREFIX) :].split("/", 1)[0]
            )
            sizes[owner] = sizes.get(owner, 0) + int(obj.get("Size", 0))
            if key == record_key(owner):
                recorded.add(owner)
        return {pid: size for pid, size in sizes.items() if pid in recorded}

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
        self.bucket.delete(index_key(picture_id, record.created_ms))
        self.bucket.delete(record_key(picture_id))
        self.bucket.delete(record.original_key, record.thumb_key, record.display_key)
        return True

    def _delete_leftovers(self, folder: str) -> None:
        leftovers = [obj["Key"] for obj in islice(self.bucket.objects(folder, page_size=10), 10)]
        if leftovers:
            self.bucket.delete(*leftovers)

    # -- files ------------------------------------------------------------------------------

    def urls(self, record: PictureRecord, public_base: str) -> dict[str, str]:
        """The picture's URLs: `url` (the original: short-lived, presigned), `thumb_url` and
        `display_url` (public and immutable: `public_base` is where browsers read the public
        renditions)."""
        return {
            "url": self.bucket.presign_get(record.original_key),
            "thumb_url": f"{public_base}/{record.thumb_key}",
            "display_url": f"{public_base}/{record.display_key}",
        }

    def chunks(self, record: PictureRecord, chunk: int = 2 * 1024 * 1024):
        """The original's bytes, streamed from S3 a chunk at a time (never whole in memory)."""
        try:
            yield from self.bucket.stream(record.original_key, chunk)
        except ObjectMissing:
            raise StorageUnavailable(f"the original of picture {record.id} is missing from S3") from None
        except StorageUnavailable as error:
            # Said for people (a job's reason shows it): which picture, not botocore's class names.
            raise StorageUnavailable(f"S3 did not serve the original of picture {record.id}") from error

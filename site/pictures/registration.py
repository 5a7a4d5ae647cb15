"""Registering an upload as a cat picture.

The client is never trusted. A location must name this stage's bucket and an upload key of the
exact shape catsite hands out (`catsite.pictures.uploads`); the object must exist, be no larger
than allowed, carry an allowed type, and its first bytes must prove that type; Pillow must read
its dimensions and they must be within MAX_PIXELS. Only then is anything written. Apart from the
renditions (one decode through ranged reads makes the display size and the thumbnail), no more
than the first SNIFF_RANGE bytes are read.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from catsite import timestamps
from catsite.errors import Conflict, InvalidReference, ObjectMissing, Unacceptable
from catsite.pictures.images import (
    ALLOWED_TYPES,
    TYPE_NAMES,
    NotAnImage,
    TooBigToDecode,
    TooManyPixels,
    inspect,
    renditions,
)
from catsite.pictures.quota import RECORD_BYTES
from catsite.pictures.uploads import UPLOAD_KEY, location_problem
from catsite.s3.keys import parse_location, rendition_key
from catsite.stores.pictures import PictureRecord

if TYPE_CHECKING:
    from catsite.pictures.quota import Quota
    from catsite.stores.pictures import PictureStore
    from catsite.stores.quota import QuotaLedger

#: Bytes read in the first request: enough for every allowed format's header in almost all files.
SNIFF_RANGE = 64 * 1024
NO_UPLOAD = "There is no uploaded file at this location (it expired, or was never sent)."


def register_upload(
    store: PictureStore,
    location: str,
    caption: str,
    max_bytes: int,
    quota: tuple[Quota, QuotaLedger] | None = None,
    decode_budget: int = 1 << 62,
) -> tuple[PictureRecord, bool]:
    """Turn an upload into a picture; returns (record, created). Registering the same upload
    again returns the existing picture instead of creating another. A new picture that would pass
    `quota` (the quota and its ledger: the picture is reserved there before its first write), or
    that needs more than `decode_budget` bytes to decode
    (`catsite.pictures.images.decode_budget`), is refused before anything is written."""
    problem = location_problem(location, store.bucket.name)
    if problem:
        raise InvalidReference(problem, "location")
    key = parse_location(location)[1]
    picture_id = UPLOAD_KEY.fullmatch(key)["token"]
    existing = store.get(picture_id)
    if existing is not None:
        return _registered_already(store, existing, key)
    try:
        return _register_new(store, picture_id, key, caption, max_bytes, quota, decode_budget)
    except ObjectMissing:
        # The upload vanished while we worked: a concurrent registration of it won and moved it.
        existing = store.get(picture_id)
        if existing is None:
            raise Unacceptable(NO_UPLOAD, "location") from None
        return _registered_already(store, existing, key)


def _registered_already(store: PictureStore, existing: PictureRecord, key: str) -> tuple[PictureRecord, bool]:
    if existing.source != key:
        raise Conflict("Another file was already registered from this upload.", "location")
    store.finish(existing)  # completes a registration that stopped half-way
    return existing, False


def _register_new(store, picture_id, key, caption, max_bytes, quota, budget) -> tuple[PictureRecord, bool]:
    info = store.upload_info(key)
    if info is None:
        raise Unacceptable(NO_UPLOAD, "location")
    if info.size > max_bytes:
        raise Unacceptable(
            f"The file is {info.size:,} bytes; at most {max_bytes:,} are accepted.", "location"
        )
    if info.content_type not in ALLOWED_TYPES:
        raise Unacceptable(f"The file must be a {TYPE_NAMES} image.", "location")
    reader = store.open_upload(info, SNIFF_RANGE)
    try:
        inspection = inspect(reader, info.content_type)
        display, thumb = renditions(reader, inspection, budget)
    except TooBigToDecode as error:
        raise Unacceptable(f"{_sentence(error)}, so it was refused.", "location") from None
    except TooManyPixels as error:
        raise Unacceptable(
            f"{_sentence(error)} (a decompression bomb?), so it was refused.", "location"
        ) from None
    except NotAnImage as error:
        raise Unacceptable(f"{_sentence(error)}.", "location") from None

    now = time.time()
    record = PictureRecord(
        id=picture_id,
        caption=caption,
        content_type=inspection.content_type,
        extension=ALLOWED_TYPES[inspection.content_type],
        bytes=info.size,
        width=inspection.width,
        height=inspection.height,
        thumb_width=thumb.width,
        thumb_height=thumb.height,
        thumb_key=rendition_key(picture_id, thumb.data),
        display_width=display.width,
        display_height=display.height,
        display_key=rendition_key(picture_id, display.data),
        created_at=timestamps.iso(now),
        created_ms=int(now * 1000),
        source=key,
    )
    files = {record.thumb_key: thumb.data, record.display_key: display.data}
    if quota is None:
        return store.save(record, info, files)
    limits, ledger = quota
    limits.reserve(ledger, picture_id, info.size + len(thumb.data) + len(display.data) + RECORD_BYTES)
    try:
        saved, created = store.save(record, info, files)
    except BaseException:
        if store.get(picture_id) is None:  # nothing stored under this id: the reservation goes
            limits.release(ledger, picture_id)
        raise
    return saved, created


def _sentence(error: Exception) -> str:
    text = str(error)
    return text[:1].upper() + text[1:]

"""The gallery: the pictures as visitors see them, for the API and the pages alike.

Newest first, a page at a time through an opaque cursor, with the tutorial's kitty always last;
one picture by id; a picture as shown (its public fields and URLs: the original's presigned and
short-lived, the renditions' public and permanent); and deleting one (the kitty stays).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from catsite.errors import Forbidden, InvalidReference, NotFound
from catsite.pictures.kitty import KITTY_ID, kitty_picture
from catsite.pictures.quota import Quota
from catsite.s3.keys import INDEX_PREFIX
from catsite.stores.pictures import PICTURE_ID

if TYPE_CHECKING:
    from catsite.stores.pictures import PictureRecord, PictureStore
    from catsite.stores.quota import QuotaLedger

#: The cursor meaning "only the kitty is left" (the stored pictures are exhausted).
_KITTY_CURSOR = KITTY_ID
#: A page's cursor: the index entry it starts after (creation time in ms, picture id), or the
#: kitty's. The query schema validates with it, and the OpenAPI document states it as `pattern`.
CURSOR = re.compile(r"[0-9]{13}-[0-9a-f]{32}|" + _KITTY_CURSOR)


def check_cursor(cursor: str) -> str:
    """`cursor` when it is one this API hands out; InvalidReference (400) otherwise."""
    if not CURSOR.fullmatch(cursor):
        raise InvalidReference("The cursor is not one this API handed out.", "cursor")
    return cursor


def is_picture_id(value: str) -> bool:
    return bool(PICTURE_ID.fullmatch(value))


@dataclass(frozen=True)
class Page:
    items: list[dict]
    #: The cursor of the next page; None at the end.
    next_cursor: str | None

    @property
    def only_kitty(self) -> bool:
        """Nothing but the kitty: nobody has shared a picture yet."""
        return all(item["id"] == KITTY_ID for item in self.items)


class Gallery:
    """The pictures of `store` as shown: renditions under `public_base` (where browsers read
    `pics/public/`), the kitty at `kitty_url` (its static asset), its file under `root`."""

    def __init__(
        self,
        store: PictureStore,
        public_base: str,
        kitty_url: str,
        root: Path,
        ledger: QuotaLedger | None = None,
    ):
        self.store = store
        self.ledger = ledger
        self.public_base = public_base
        self.kitty_url = kitty_url
        self.root = root

    def kitty(self) -> dict:
        return kitty_picture(self.kitty_url, self.root)

    def shown(self, record: PictureRecord) -> dict:
        """A record as the API shows it: its public fields and its URLs."""
        return {**record.shown(), **self.store.urls(record, self.public_base)}

    def page(self, limit: int, cursor: str | None = None) -> Page:
        """One page (newest first, the kitty last) and the cursor of the next."""
        position = check_cursor(cursor) if cursor else None
        if position == _KITTY_CURSOR:
            return Page([self.kitty()], None)
        after = f"{INDEX_PREFIX}{position}" if position else None
        records, more = self.store.page(after, limit)
        items = [self.shown(r) for r in records]
        if more:
            return Page(items, more[len(INDEX_PREFIX) :])
        if len(items) < limit:
            return Page([*items, self.kitty()], None)
        return Page(items, _KITTY_CURSOR)

    def find(self, picture_id: str) -> dict:
        """One picture as shown; NotFound (404) when there is none."""
        if picture_id == KITTY_ID:
            return self.kitty()
        record = self.store.get(picture_id) if is_picture_id(picture_id) else None
        if record is None:
            raise NotFound(f"There is no cat picture {picture_id!r}.")
        return self.shown(record)

    def delete(self, picture_id: str) -> None:
        """Remove a picture; Forbidden (403) for the kitty, NotFound (404) for none."""
        if picture_id == KITTY_ID:
            raise Forbidden("The tutorial's kitty stays.")
        if not (is_picture_id(picture_id) and self.store.delete(picture_id)):
            raise NotFound(f"There is no cat picture {picture_id!r}.")
        if self.ledger is not None:
            Quota.release(self.ledger, picture_id)

"""The site's quota on stored pictures: how many, how many bytes under `pics/`, and how many
upload grants may be outstanding at once. A quota, not a check: every picture and every grant is
reserved in the quota ledger (`catsite.stores.quota`) before anything is written, so requests
running at the same moment cannot together pass it.

- `POST /uploads` reserves a grant: the bytes the upload may carry count against the byte quota
  until it is registered or its grant expires, and at most `max_grants` may be outstanding.
- Registering reserves the picture (its grant's bytes become the picture's: original, renditions
  and record) after its checks and before its first write; a registration that fails after
  reserving gives the reservation back.
- Deleting a picture gives its reservation back; the janitor reconciles the ledger with `pics/`.

Over the pictures or the bytes, the answer is 507 naming the limit; with `max_grants` waiting, it
is 429 with Retry-After (the soonest a grant expires): a state that passes, not a full site.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from catsite.errors import QuotaExceeded, TryLater

if TYPE_CHECKING:
    from catsite.stores.quota import Ledger, QuotaLedger

#: What a picture's record takes, reserved with its files.
RECORD_BYTES = 2048


@dataclass(frozen=True)
class Quota:
    max_pictures: int
    max_bytes: int
    max_grants: int

    @classmethod
    def of(cls, settings) -> Quota:
        return cls(settings.max_pictures, settings.max_picture_bytes, settings.max_pending_uploads)

    def grant(self, ledger: QuotaLedger, token: str, size: int, expires_at: float) -> None:
        """Reserve an upload grant of `size` bytes until `expires_at`; QuotaExceeded (507) when
        the site is full or has `max_grants` waiting already."""

        def change(book: Ledger, now: float) -> None:
            self._room_for_a_picture(book)
            if len(book.grants) >= self.max_grants:
                soonest = min(grant[1] for grant in book.grants.values())
                raise TryLater(
                    f"The site has {len(book.grants):,} uploads waiting to be registered, its limit; "
                    "try again when one is registered or expires.",
                    retry_after=soonest - now,
                )
            self._room_for_bytes(book, size)
            book.grants[token] = [size, expires_at]

        ledger.update(change)

    def reserve(self, ledger: QuotaLedger, picture_id: str, size: int) -> None:
        """Reserve a picture of `size` bytes (its grant, if still outstanding, becomes it);
        QuotaExceeded (507) when it does not fit."""

        def change(book: Ledger, now: float) -> None:
            if picture_id in book.pictures:
                return  # reserved already: a concurrent registration of the same upload
            book.grants.pop(picture_id, None)
            self._room_for_a_picture(book)
            self._room_for_bytes(book, size)
            book.pictures[picture_id] = [size, now]

        ledger.update(change)

    @staticmethod
    def release(ledger: QuotaLedger, picture_id: str) -> None:
        """Give a picture's reservation back (it was deleted, or its registration failed)."""

        def change(book: Ledger, now: float) -> None:
            book.pictures.pop(picture_id, None)

        ledger.update(change)

    def _room_for_a_picture(self, book: Ledger) -> None:
        if len(book.pictures) + 1 > self.max_pictures:
            raise QuotaExceeded(
                f"The site holds its limit of {self.max_pictures:,} pictures; "
                "no more can be added until some are removed."
            )

    def _room_for_bytes(self, book: Ledger, size: int) -> None:
        used = book.stored_bytes + book.pending_bytes
        if used + size > self.max_bytes:
            raise QuotaExceeded(
                f"The site's picture storage is full ({used:,} of {self.max_bytes:,} bytes used or "
                f"promised to uploads); a file of {size:,} bytes does not fit."
            )

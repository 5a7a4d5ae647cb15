"""The site's quota on stored pictures: how many, and how many bytes under `pics/`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from catsite.errors import QuotaExceeded

if TYPE_CHECKING:
    from catsite.stores.pictures import PictureStore


@dataclass(frozen=True)
class Quota:
    max_pictures: int
    max_bytes: int

    @classmethod
    def of(cls, settings) -> Quota:
        return cls(settings.max_pictures, settings.max_picture_bytes)

    def check(self, store: PictureStore, adding_bytes: int) -> None:
        """Refuse (507) when one more picture of `adding_bytes` would pass the quota.

        Checked when an upload is granted and again when it is registered, before anything is
        written. Concurrent registrations can each pass the check, so the quota may be passed by
        at most the number of registrations in flight at once: a bound on anonymous writes, not a
        ledger.
        """
        count, stored = store.usage()
        if count + 1 > self.max_pictures:
            raise QuotaExceeded(
                f"The site holds its limit of {self.max_pictures:,} pictures; "
                "no more can be added until some are removed."
            )
        if stored + adding_bytes > self.max_bytes:
            raise QuotaExceeded(
                f"The site's picture storage is full ({stored:,} of {self.max_bytes:,} bytes used); "
                f"a file of {adding_bytes:,} bytes does not fit."
            )

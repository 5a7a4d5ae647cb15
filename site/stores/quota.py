"""The quota ledger: `state/quota.json`, what the stored pictures and outstanding upload grants
take of the site's quota, updated with conditional writes so that concurrent requests reserve
one after another and never together pass the quota.

Each picture has an entry (its bytes under `pics/`, and when it was reserved); each upload grant
not yet registered or expired has one (the bytes it may carry, and when it expires). A change
reads the ledger, applies itself (a change may refuse: `QuotaExceeded`), and writes it back with
`If-Match` (`If-None-Match: *` when there is none yet), reading again on 412. A ledger that does
not exist yet is built from the listing of `pics/` once, so a stage that stored pictures before
the ledger existed counts them. The janitor reconciles it with what `pics/` holds.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from catsite.errors import PreconditionLost, StorageConflict
from catsite.s3.keys import QUOTA_KEY

if TYPE_CHECKING:
    from catsite.s3.bucket import Bucket


@dataclass
class Ledger:
    #: picture id -> [bytes, reserved at (epoch seconds)]
    pictures: dict[str, list] = field(default_factory=dict)
    #: upload token -> [bytes, expires at (epoch seconds)]
    grants: dict[str, list] = field(default_factory=dict)

    def drop_expired_grants(self, now: float) -> None:
        self.grants = {token: grant for token, grant in self.grants.items() if grant[1] > now}

    @property
    def stored_bytes(self) -> int:
        return sum(entry[0] for entry in self.pictures.values())

    @property
    def pending_bytes(self) -> int:
        return sum(grant[0] for grant in self.grants.values())

    def to_json(self) -> dict:
        return {"pictures": self.pictures, "grants": self.grants}

    @classmethod
    def from_json(cls, data: dict) -> Ledger:
        pictures, grants = data["pictures"], data["grants"]
        if not isinstance(pictures, dict) or not isinstance(grants, dict):
            raise ValueError("not a quota ledger")
        return cls(dict(pictures), dict(grants))


class QuotaLedger:
    """The ledger of one bucket. `count_stored` lists what `pics/` holds (picture id -> bytes),
    for the first read of a stage with no ledger yet."""

    #: Writes lost to concurrent writers before giving up (409): each loss means another request
    #: got its reservation in, so this bounds how many may queue behind one another.
    ATTEMPTS = 24

    def __init__(self, bucket: Bucket, count_stored: Callable[[], dict[str, int]], clock=time.time):
        self.bucket = bucket
        self.count_stored = count_stored
        self.clock = clock

    def read(self) -> tuple[Ledger, str | None]:
        """The ledger and its ETag (None: there is none yet, and this one was built from pics/)."""
        found = self.bucket.get(QUOTA_KEY)
        if found is not None:
            body, etag = found
            try:
                return Ledger.from_json(json.loads(body)), etag
            except (ValueError, KeyError, TypeError):
                pass  # not a ledger this code wrote: rebuilt from pics/, replaced by the next write
        now = self.clock()
        rebuilt = Ledger({pid: [size, now] for pid, size in self.count_stored().items()})
        return rebuilt, (found[1] if found else None)

    def update(self, change: Callable[[Ledger, float], None]) -> Ledger:
        """Apply `change(ledger, now)` and store the result, as one conditional write."""
        for attempt in range(self.ATTEMPTS):
            ledger, etag = self.read()
            read = json.dumps(ledger.to_json(), sort_keys=True) if etag is not None else None
            now = self.clock()
            ledger.drop_expired_grants(now)
            change(ledger, now)
            body = ledger.to_json()
            if json.dumps(body, sort_keys=True) == read:
                return ledger  # nothing changed: nothing to write
            try:
                self.bucket.put_json(QUOTA_KEY, body, if_match=etag, create=etag is None)
                return ledger
            except PreconditionLost:
                # Another writer won this round; spread the retries so they do not collide again.
                time.sleep(random.uniform(0, 0.02 * (attempt + 1)))  # noqa: S311 - not for secrets
        raise StorageConflict("the site's quota changed under us too many times; try again")

"""What the cat says: `state/cat.json` in the stage's bucket, written without lost updates."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from catsite.errors import PreconditionLost, StorageConflict
from catsite.s3.keys import STATE_KEY

if TYPE_CHECKING:
    from catsite.s3.bucket import Bucket

DEFAULT_SAYS = "meow"


class Says:
    """What the cat says. `write_attempts` bounds retries of a conditional write."""

    def __init__(self, bucket: Bucket, *, write_attempts: int = 5):
        self.bucket = bucket
        self.write_attempts = write_attempts

    def get(self) -> str:
        """What the cat says now; "meow" while nothing has been stored."""
        return self._read()[0]

    def set(self, text: str) -> str:
        """Store what the cat says.

        Conditional write: a concurrent writer on another Lambda instance must not be overwritten
        silently. Create with `If-None-Match: *`, replace with `If-Match: <etag we read>`, and on
        412 read again and retry, at most `write_attempts` times (then StorageConflict).
        """
        for _ in range(self.write_attempts):
            _, etag = self._read()
            try:
                self.bucket.put_json(STATE_KEY, {"says": text}, if_match=etag, create=etag is None)
                return text
            except PreconditionLost:
                continue
        raise StorageConflict("what the cat says changed under us too many times; try again")

    def _read(self) -> tuple[str, str | None]:
        found = self.bucket.get(STATE_KEY)
        if found is None:
            return DEFAULT_SAYS, None
        body, etag = found
        try:
            says = json.loads(body)["says"]
            if not isinstance(says, str) or not says:
                raise ValueError("says is not a non-empty string")
        except (ValueError, KeyError, TypeError):
            # A damaged state object is answered as the default; the next write replaces it.
            says = DEFAULT_SAYS
        return says, etag

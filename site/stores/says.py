"""What the cat says: `state/cat.json` in the stage's bucket, the last writer's value.

Setting it is a plain set, not a change of what was there: the new text does not depend on the
old, so there is no update to lose. One unconditional PUT, and S3 is strongly consistent ("S3
delivers strong read-after-write consistency ... for PUT and DELETE of objects", S3 user guide,
"Amazon S3 data consistency model"): of writers racing, the last PUT S3 receives is what every
later read sees. A conditional read-modify-write here refused half a burst of concurrent sets
with 409 and protected nothing.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from catsite.s3.keys import STATE_KEY

if TYPE_CHECKING:
    from catsite.s3.bucket import Bucket

DEFAULT_SAYS = "meow"


class Says:
    """What the cat says."""

    def __init__(self, bucket: Bucket):
        self.bucket = bucket

    def get(self) -> str:
        """What the cat says now; "meow" while nothing has been stored (or what is stored is damaged)."""
        found = self.bucket.get(STATE_KEY)
        if found is None:
            return DEFAULT_SAYS
        try:
            says = json.loads(found[0])["says"]
            if not isinstance(says, str) or not says:
                raise ValueError("says is not a non-empty string")
        except (ValueError, KeyError, TypeError):
            # A damaged state object is answered as the default; the next write replaces it.
            return DEFAULT_SAYS
        return says

    def set(self, text: str) -> str:
        """Store what the cat says: one PUT, whoever else is setting it (the last one wins)."""
        self.bucket.put_json(STATE_KEY, {"says": text})
        return text

"""Times as catsite writes them: ISO 8601 in UTC with a `Z` (RFC 3339), one format everywhere
(records, jobs, upload grants), read back by the standard library."""

from __future__ import annotations

import time
from datetime import UTC, datetime


def iso(seconds: float | None = None, timespec: str = "milliseconds") -> str:
    """`seconds` since the epoch (default: now) as `2026-05-04T09:30:00.000Z`."""
    moment = datetime.fromtimestamp(time.time() if seconds is None else seconds, UTC)
    return moment.isoformat(timespec=timespec).replace("+00:00", "Z")


def parse(stamp: str) -> datetime:
    """A timestamp this module wrote (or any RFC 3339 one), as an aware datetime."""
    return datetime.fromisoformat(stamp)


def age(stamp: str) -> float:
    """Seconds since `stamp`."""
    return time.time() - parse(stamp).timestamp()

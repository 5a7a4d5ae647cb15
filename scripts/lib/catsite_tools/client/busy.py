"""What the command-line clients do when the site is busy: API Gateway's own 429 (a stage
throttle, `{"message": "Too Many Requests"}`, before the function runs) or a 503 (the load
balancer's when Lambda throttles; the site's own, with Retry-After, when S3 is unavailable).

Every API call the clients make is safe to repeat (reads, a plain set, a presign, registering a
location, a delete), so each is retried: after Retry-After when the answer gives one, else after
0.5 s, 1 s, 2 s (urllib3's backoff), three more times at most. A site that stays busy is then
reported in words, not as a status alone.
"""

from __future__ import annotations

from urllib3.util.retry import Retry

BUSY = (429, 503)

#: urllib3's own retry policy, as requests' HTTPAdapter takes it (`max_retries`).
RETRY_WHEN_BUSY = Retry(
    total=3,
    connect=0,
    read=0,
    status_forcelist=BUSY,
    allowed_methods=None,  # every method: each call the clients make is safe to repeat
    backoff_factor=0.5,
    respect_retry_after_header=True,
    raise_on_status=False,
)


def busy_words(status: int) -> str | None:
    if status == 429:
        return "the site is busy (HTTP 429, too many requests): try again in a minute"
    if status == 503:
        return "the site is briefly unavailable (HTTP 503): try again in a minute"
    return None

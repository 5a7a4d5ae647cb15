"""What one request costs through each front door: the function's warm duration, measured here,
and the doors' prices, published by AWS (`scripts/bench --only doors`; docs/edge.md has the table).

The duration is timed inside a warm worker running the unzipped artifact (what Lambda bills: from
the handler's start to its answer), for a page view (`GET /`, which reads what the cat says from
S3) and an API call (`GET /cat`), with each door's event as AWS documents it; the CloudFront door
is the REST API's event as the distribution's origin requests make it (the secret origin header
and the viewer's headers), the app configured as scripts/deploy configures a stage behind it.
Doors are measured in interleaved rounds, so machine load moves every column alike.

The duration is billed at the stage's memory size (Lambda bills GB-seconds, rounded up to the
millisecond); this machine's CPU is not Lambda's (which grows with memory), so the figures are
this machine's, priced as if Lambda's.
"""

from __future__ import annotations

import math
import statistics

from catsite_tools.local.events import alb_event, function_url_event, http_event, rest_event

#: The secret the measured function is configured with, sent by the CloudFront door's events.
EDGE_SECRET = "bench-edge-secret-0123456789abcdef"  # noqa: S105 - a local measurement's, not a secret
PUBLIC = "https://d111111abcdef8.cloudfront.net"
THROUGH_THE_EDGE = {
    "X-Catsite-Edge": EDGE_SECRET,
    "CloudFront-Viewer-Address": "198.51.100.10:46532",
    "CloudFront-Forwarded-Proto": "https",
    "Via": "1.1 2e1a5d7e0bdc0a6e4.cloudfront.net (CloudFront)",
}

#: door -> event builder (method, path, headers)
EVENTS = {
    "rest": lambda m, p, h: rest_event(m, p, stage="prod", headers=h),
    "http": lambda m, p, h: http_event(m, p, stage="$default", headers=h),
    "url": lambda m, p, h: function_url_event(m, p, headers=h),
    "alb": lambda m, p, h: alb_event(m, p, multi_value=True, headers=h),
    "cdn": lambda m, p, h: rest_event(m, p, stage="prod", headers={**h, **THROUGH_THE_EDGE}),
}
#: what is measured: a page view and an API call
REQUESTS = {
    "page": ("GET", "/", {"Accept": "text/html"}),
    "api": ("GET", "/cat", {"Accept": "application/json"}),
}


def measure(bench, runtime, rounds: int = 5, repeat: int = 40) -> dict:
    """`door_duration_ms`: door -> {page, api} median warm duration (ms) of `rounds` rounds."""
    env = {
        **bench.env,
        "CATSITE_EDGE_SECRET": EDGE_SECRET,
        "CATSITE_PUBLIC_URL": PUBLIC,
        "CATSITE_STATIC_URL": f"{PUBLIC}/static",
        "CATSITE_RENDITIONS_URL": PUBLIC,
    }
    from catsite_tools.local.lambda_worker import LambdaProcess

    samples: dict[tuple[str, str], list[float]] = {}
    with LambdaProcess([bench.catsite, runtime], env=env, cwd=bench.catsite) as worker:
        events = {
            (door, kind): build(method, path, headers)
            for door, build in EVENTS.items()
            for kind, (method, path, headers) in REQUESTS.items()
        }
        for event in events.values():
            answer = worker.invoke(event, timeout=60)  # cold start and first reads out of the way
            if answer["statusCode"] != 200:
                raise RuntimeError(f"bench doors: {answer}")
        for _ in range(rounds):
            for key, event in events.items():
                samples.setdefault(key, []).append(1000 / worker.warm_rate(event, repeat))
    durations: dict[str, dict[str, float]] = {}
    for (door, kind), values in samples.items():
        durations.setdefault(door, {})[kind] = round(statistics.median(values), 2)
    return {"door_duration_ms": durations}


def billed_ms(duration_ms: float) -> int:
    """Lambda rounds each invocation's duration up to the millisecond."""
    return max(1, math.ceil(duration_ms))

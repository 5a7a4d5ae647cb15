"""CloudWatch metrics in the log lines catsite already writes (the Embedded Metric Format).

A line that carries `_aws` is a metric document: CloudWatch Logs extracts each metric it names
from the line's own members, so no API call, client or thread is spent on metrics (CloudWatch
user guide, "Specification: Embedded metric format"). The request log, the job line and the
janitor's line are such lines; their metrics are in namespace `catsite`, each with the
dimension `function` (the Lambda function: one stage), and the request metrics also by `door`
and `status_class`.

Written by hand (a fixed prefix per kind of line, the timestamp and the members): the cost at
cold start and per request is a string format and the `json.dumps` the line already paid for
(docs/operations.md compares it with Powertools' Metrics and aws-embedded-metrics).

`counting()` opens a tally for one request or invocation; `count(name)` adds to it from any
layer (the S3 adapter counts its calls, registration its pictures); `tally()` reads it. Outside
a tally, counting does nothing.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

NAMESPACE = "catsite"

#: The unit of each metric catsite emits (CloudWatch's StandardUnit names).
UNITS = {
    "requests": "Count",
    "duration_ms": "Milliseconds",
    "s3_calls": "Count",
    "pictures_registered": "Count",
    "jobs_failed": "Count",
    "janitor_removals": "Count",
    "janitor_failures": "Count",
}

_tally: ContextVar[dict[str, int] | None] = ContextVar("catsite_metrics_tally", default=None)


@contextmanager
def counting() -> Iterator[dict[str, int]]:
    """A fresh tally for the block (a job, a janitor run; a request uses `open_tally`)."""
    token, opened = open_tally()
    try:
        yield opened
    finally:
        _tally.reset(token)


def open_tally():
    """(token, tally): a fresh tally, without a context manager's cost (the request log opens
    one per request); `_tally.reset(token)` closes it (`close_tally`)."""
    opened: dict[str, int] = {}
    return _tally.set(opened), opened


def close_tally(token) -> None:
    _tally.reset(token)


def count(name: str, n: int = 1) -> None:
    tally = _tally.get()
    if tally is not None:
        tally[name] = tally.get(name, 0) + n


def tally() -> dict[str, int]:
    return dict(_tally.get() or {})


def directive(dimensions: tuple[str, ...], metrics: tuple[str, ...]) -> dict:
    """One MetricDirective: these metrics, by these dimensions."""
    return {
        "Namespace": NAMESPACE,
        "Dimensions": [list(dimensions)],
        "Metrics": [{"Name": name, "Unit": UNITS[name]} for name in metrics],
    }


class MetricLine:
    """Writes lines whose `_aws` member names fixed directives: the directives are encoded once,
    each line adds only its timestamp in front of the members it was going to write anyway."""

    def __init__(self, *directives: dict):
        encoded = json.dumps(list(directives), separators=(",", ":"))
        self._head = '{"_aws":{"Timestamp":%d,"CloudWatchMetrics":' + encoded.replace("%", "%%") + "},"

    def render(self, members: dict, now: float | None = None) -> str:
        """The line: `members` (every metric and dimension the directives name, and any other
        field) after the metadata. `members` must not be empty."""
        body = json.dumps(members)
        return self._head % int((time.time() if now is None else now) * 1000) + body[1:]

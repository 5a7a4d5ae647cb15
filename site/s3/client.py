"""S3 clients, all made from one botocore session per process.

A botocore session loads and caches the S3 service model, the endpoint rules and the resolved
credentials, so every client of a process (the normal and the patient one, a job's, a script's)
comes from one session, made on first use, never at import (what a session costs: docs/benchmarks.md).
`refresh_session()` starts a new one that keeps the parsed models (SnapStart's after-restore hook:
credentials and connections from before the snapshot must not be reused).
"""

from __future__ import annotations

import threading

from botocore.config import Config

#: Bounded on purpose: API Gateway cuts a request at 29 s, and an S3 outage must become a 503
#: answer in seconds, not a request that hangs until the Lambda timeout. Two attempts with
#: 2 s to connect and 5 s to read keep the worst case for one S3 call near 14 s.
S3_CLIENT_CONFIG = Config(
    connect_timeout=2,
    read_timeout=5,
    retries={"max_attempts": 2, "mode": "standard"},
    signature_version="s3v4",
    s3={"addressing_style": "path"},
)

#: For the few calls S3 may legitimately take minutes to answer: completing a multipart upload of
#: a large object (S3 keeps the connection alive while it assembles the parts).
PATIENT_READ_SECONDS = 300

_session = None
#: botocore sessions are not safe to build clients from on several threads at once (a job's
#: thread and a request may both make their first client); clients themselves are.
_lock = threading.Lock()


def shared_session():
    """This process's botocore session, made on first use."""
    global _session
    with _lock:
        if _session is None:
            from botocore.session import get_session  # deferred: only work that reaches S3 pays

            _session = get_session()
        return _session


def refresh_session() -> None:
    """A new session for an environment restored from a snapshot (SnapStart): credentials are
    resolved again and connections made anew, while the models botocore already parsed are kept
    (the new session shares the old one's data loader, whose cache holds them)."""
    global _session
    with _lock:
        old = _session
        if old is None:
            return
        from botocore.session import get_session

        _session = get_session()
        _session.register_component("data_loader", old.get_component("data_loader"))


def make_s3_client(region: str, endpoint_url: str | None = None, *, patient: bool = False):
    """An S3 client with catsite's timeouts (`patient`: a long read timeout); `endpoint_url`
    points at a local S3.

    Made by botocore directly: the same S3 operations `boto3.client("s3")` offers (credentials,
    endpoint and `AWS_ENDPOINT_URL*` resolution and presigning are all botocore's), without
    importing boto3 and s3transfer for managed transfers catsite never uses (the saving:
    docs/benchmarks.md).
    """
    config = S3_CLIENT_CONFIG
    if patient:
        config = config.merge(Config(read_timeout=PATIENT_READ_SECONDS))
    session = shared_session()
    with _lock:
        return session.create_client("s3", region_name=region, endpoint_url=endpoint_url, config=config)

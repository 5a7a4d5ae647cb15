"""Fixtures of the jobs tests: the janitor run as a schedule runs it, and a site behind the fault
proxy (for leftovers made by real interruptions)."""

from __future__ import annotations

import json

import pytest

from catsite.app import create_app
from catsite_tools.local.events import LambdaContext, scheduled_event
from tests.support.janitor import GRACE, rule_name


@pytest.fixture
def janitor(lambda_entry, monkeypatch, local_s3, bucket, capfd):
    """Run the janitor as a schedule does; returns the counts its one JSON log line reports."""
    monkeypatch.setenv("CATSITE_BUCKET", bucket)
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", local_s3.url)
    monkeypatch.setenv("CATSITE_JANITOR_GRACE_SECONDS", str(GRACE))

    entry = lambda_entry["lambda_handler"]

    def run(context=None) -> dict:
        capfd.readouterr()
        returned = entry(scheduled_event(rule_name("dev")), context or LambdaContext(remaining_ms=60_000))
        lines = [json.loads(x) for x in capfd.readouterr().err.splitlines() if '"event": "janitor"' in x]
        assert len(lines) == 1, "one log line per run"
        [line] = lines
        assert {k: line[k] for k in returned} == returned
        return line

    return run


@pytest.fixture
def faulty_site(settings, proxy):
    return create_app({**settings, "AWS_ENDPOINT_URL_S3": proxy.url, "TESTING": True}).test_client()

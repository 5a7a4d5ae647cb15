"""How the janitor is scheduled and invoked: every stage's `events` name it at an hourly rate
through the configured `lambda_handler`; EventBridge's "Scheduled Event" given to that entry point
reaches Zappa's handler, which routes it to the janitor; a run that cannot reach S3 fails the
invocation once. What a run sweeps: test_janitor_sweep.py.
"""

from __future__ import annotations

import json

import pytest

from catsite.jobs.janitor import JanitorFailed
from catsite_tools.deploy.zappa_stage import stage_config, stage_names
from catsite_tools.local.events import LambdaContext, scheduled_event
from tests.support.emf import emf_errors, metrics_of
from tests.support.janitor import JANITOR, rule_name


@pytest.mark.parametrize("stage", stage_names())
def test_every_stage_schedules_the_janitor_through_its_entry_point(stage):
    config = stage_config(stage)
    assert config["lambda_handler"] == "catsite.awslambda.handler.lambda_handler"
    [event] = [e for e in config["events"] if e["function"] == JANITOR]
    assert event["expression"] == "rate(1 hour)"
    assert len(rule_name(stage)) <= 64  # EventBridge's limit on rule names


def test_an_s3_outage_is_logged_and_fails_the_invocation_once(lambda_entry, monkeypatch, proxy, capfd):
    """The run's one line says what failed, and the invocation fails (Lambda counts an error)
    without Zappa calling the function a second time, context-less."""
    monkeypatch.setenv("CATSITE_BUCKET", "catsite-janitor-outage")
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", proxy.url)
    proxy.stop()
    capfd.readouterr()
    with pytest.raises(JanitorFailed, match="StorageUnavailable"):
        lambda_entry["lambda_handler"](scheduled_event(rule_name("dev")), LambdaContext(remaining_ms=60_000))
    lines = [json.loads(x) for x in capfd.readouterr().err.splitlines() if '"event": "janitor"' in x]
    assert len(lines) == 1
    assert lines[0]["error"].startswith("StorageUnavailable") and lines[0]["scanned"] == 0
    assert emf_errors(lines[0]) == []
    assert metrics_of(lines[0])[("janitor_failures", (("function", "local"),))] == (1, "Count")

"""A stage's `catsite_operations` settings are checked before the deploy creates anything: each
bad value is one clear problem (scripts/deploy prints them on one line and stops)."""

from __future__ import annotations

import pytest

from catsite_tools.deploy.operations import DEFAULTS, alarms, problems, settings_of


def config(**operations) -> dict:
    return {"catsite_operations": operations, "aws_environment_variables": {}, "timeout_seconds": 30}


def test_the_defaults_are_sound():
    assert problems(config()) == []
    assert settings_of(config()) == DEFAULTS


@pytest.mark.parametrize(
    "email", ["ops@example.com", "first.last+alarms@mail.example.co.uk"]
)  # fmt: skip
def test_an_address_is_accepted(email):
    assert problems(config(alarm_email=email)) == []


@pytest.mark.parametrize(
    "email",
    ["not-an-address", "ops@", "@example.com", "ops@example", "a b@example.com", "ops@example.com, x@y.z",
     "<ops@example.com>", "ops@@example.com", 42],
)  # fmt: skip
def test_a_malformed_alarm_email_is_one_problem(email):
    [problem] = problems(config(alarm_email=email))
    assert "alarm_email" in problem


@pytest.mark.parametrize(
    ("operations", "word"),
    [
        ({"log_retention_days": 31}, "log_retention_days"),  # not a value PutRetentionPolicy takes
        ({"failed_work_retention_days": 15}, "failed_work_retention_days"),  # SQS keeps 14 days at most
        ({"failed_work_retention_days": 0}, "failed_work_retention_days"),
        ({"api_throttle": {"rate_limit": 20000}}, "api_throttle"),
        ({"api_throttle": {"burst_limit": 0}}, "api_throttle"),
    ],
)
def test_out_of_range_values_are_problems(operations, word):
    [problem] = problems(config(**operations))
    assert word in problem


def test_an_admin_token_in_the_configuration_is_refused():
    [problem] = problems({"aws_environment_variables": {"CATSITE_ADMIN_TOKEN": "s3cret"}})
    assert "Parameter Store" in problem


def test_the_duration_alarm_sits_below_the_timeout():
    class Stage:
        function, stage, config = "catsite-dev", "dev", {"timeout_seconds": 30}

    by_name = {a.name: a for a in alarms(Stage, None, None)}
    assert by_name["catsite-dev-duration"].threshold < 30_000
    assert "catsite-dev-alb-5xx" not in by_name and "catsite-dev-cloudfront-5xx" not in by_name
    with_edge = {a.name: a for a in alarms(Stage, "app/catsite-dev/50dc6c495c0c9188", "E2QWRUHAPOMQZL")}
    assert with_edge["catsite-dev-cloudfront-5xx"].region == "us-east-1"  # CloudFront's metrics
    assert with_edge["catsite-dev-alb-5xx"].dimensions == {"LoadBalancer": "app/catsite-dev/50dc6c495c0c9188"}

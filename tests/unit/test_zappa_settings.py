"""zappa_settings.json, read by Zappa itself (so `extends` is resolved as on deploy)."""

import copy
import functools
import os

import pytest
from zappa.cli import ZappaCLI

from tests.support import ROOT


@functools.cache
def _loaded(stage: str) -> dict:
    """Zappa's reading of one stage, once per session (the file does not change while tests run)."""
    cli = ZappaCLI()
    cli.api_stage = stage
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        cli.load_settings(str(ROOT / "zappa_settings.json"))
    finally:
        os.chdir(cwd)
    return cli.stage_config


def stage_config(stage: str) -> dict:
    return copy.deepcopy(_loaded(stage))


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_every_stage_is_quiet_safe_and_lean(stage):
    config = stage_config(stage)
    assert config["debug"] is False, "debug would put tracebacks in 500 bodies"
    assert config["log_level"] in ("INFO", "WARNING", "ERROR"), "DEBUG logs whole events"
    # python3.11 is deprecated on 2027-06-30; python3.13 is supported until 2029-06-30.
    assert config["runtime"] == "python3.13"
    assert config["app_function"] == "catsite.wsgi.app"
    assert config["lambda_handler"] == "catsite.awslambda.handler.lambda_handler"
    assert config["s3_bucket"]
    assert {"boto3", "botocore", "s3transfer", "dateutil", "concurrent"} <= set(config["exclude"])
    assert {"site", "tests", "scripts", ".venv"} <= set(config["exclude_glob"])
    env = config["aws_environment_variables"]
    assert env["CATSITE_BUCKET"]
    assert set(env) <= {
        "CATSITE_BUCKET",
        "CATSITE_STATIC_URL",
        "CATSITE_MAX_UPLOAD_BYTES",
        "CATSITE_CORS_ORIGINS",
        "CATSITE_ADMIN_TOKEN_PARAMETER",
    }


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_every_stage_keeps_its_secret_outside_and_caps_a_burst(stage):
    """The admin token is a Parameter Store name, never a value in the configuration; tracing on;
    reserved concurrency (Zappa's `lambda_concurrency`) and the API throttle below the account's
    defaults (Lambda: 1,000 concurrent executions; API Gateway: 10,000 requests/s, burst 5,000)."""
    from catsite_tools.deploy.operations import problems, settings_of

    config = stage_config(stage)
    env = config["aws_environment_variables"]
    assert "CATSITE_ADMIN_TOKEN" not in env
    assert env["CATSITE_ADMIN_TOKEN_PARAMETER"] == f"/catsite/{stage}/admin-token"
    assert config["xray_tracing"] is True
    assert 0 < config["lambda_concurrency"] < 1000 - 100  # AWS keeps 100 unreserved
    throttle = settings_of(config)["api_throttle"]
    assert 0 < throttle["rate_limit"] < 10000 and 0 < throttle["burst_limit"] < 5000
    assert problems(config) == []


def test_prod_adds_the_load_balancer_for_long_requests():
    config = stage_config("prod")
    assert config["alb_enabled"] is True
    assert config["timeout_seconds"] == 900
    vpc = config["alb_vpc_config"]
    assert vpc["CertificateArn"].startswith("arn:aws:acm:")
    assert len(vpc["SubnetIds"]) == 2
    assert vpc["SecurityGroupIds"]
    # AWS caps load balancer and target group names at 32 characters; Zappa names them
    # after the project and stage.
    assert len(f"{config['project_name']}-prod") <= 32


def test_dev_is_api_gateway_only():
    config = stage_config("dev")
    assert not config.get("alb_enabled")
    assert config["timeout_seconds"] <= 30


def test_snapstart_is_on_for_prod_only():
    # SnapStart applies to published versions only (never $LATEST); Zappa 0.63 keeps an alias for
    # it and points API Gateway there. dev changes often, and every published snapshot costs.
    assert stage_config("prod")["snap_start"] == "PublishedVersions"
    assert stage_config("dev").get("snap_start", "None") == "None"
    assert "provisioned_concurrency" not in stage_config("prod"), "SnapStart excludes it"


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_every_stages_rest_api_is_regional_behind_its_own_distribution(stage):
    # An edge-optimized REST API already sits behind an AWS-managed CloudFront; the origin of the
    # stage's own distribution is the Regional endpoint (API Gateway developer guide, "API endpoint
    # types"; CloudFront developer guide, "Use various origins").
    assert stage_config(stage)["endpoint_configuration"] == ["REGIONAL"]

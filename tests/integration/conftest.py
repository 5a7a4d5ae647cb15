"""Fixtures the integration tier's packages share."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from catsite_tools.deploy.iam import copy_zappa_settings
from tests.support import ROOT
from tests.support.buckets import new_bucket
from tests.support.door_routes import add_door_routes
from tests.support.s3_faults import FaultyS3


@pytest.fixture(scope="session")
def zappa_settings_dir(tmp_path_factory) -> Path:
    """The Python settings module Zappa bakes into the zip, written by Zappa's own CLI.

    Run from a folder holding only zappa_settings.json, as scripts/package does: Zappa scans every
    .py file under its working folder for WebSocket handlers, and would find build/'s copies."""
    folder = tmp_path_factory.mktemp("zappa-settings")
    copy_zappa_settings(ROOT, folder)  # with the attach_policy files Zappa opens
    zappa = Path(sys.executable).parent / "zappa"
    subprocess.run(
        [str(zappa), "save-python-settings-file", "dev", "-o", str(folder / "zappa_settings.py")],
        cwd=folder,
        check=True,
        capture_output=True,
        env={**os.environ, "AWS_DEFAULT_REGION": "us-east-1"},
    )
    return folder


@pytest.fixture(scope="session")
def lambda_entry(zappa_settings_dir, s3_servers) -> dict:
    """Lambda's entry point (`catsite.awslambda.handler.lambda_handler`), with Zappa's LambdaHandler
    loaded as on a cold start from the settings module Zappa's CLI writes, the app reading a bucket
    of its own on moto (the process's environment is restored afterwards), with the front-door
    tests' routes added before any request.

    One per test process, for every test that invokes the entry point: Zappa's LambdaHandler is a
    singleton that loads the app once, so this takes no server parameter. A test on another
    server names it in the environment, which the janitor reads at each run. Returns
    `lambda_handler`, Zappa's `handler`, its `app` and the `bucket`."""
    local_s3 = s3_servers("moto")
    bucket = new_bucket(local_s3)
    saved = dict(os.environ)
    os.environ.update({"CATSITE_BUCKET": bucket, "AWS_ENDPOINT_URL_S3": local_s3.url})
    sys.path.insert(0, str(zappa_settings_dir))
    try:
        from zappa.handler import LambdaHandler

        handler = LambdaHandler("zappa_settings")
    finally:
        sys.path.remove(str(zappa_settings_dir))
        os.environ.clear()
        os.environ.update(saved)
    from catsite.awslambda.handler import lambda_handler

    app = handler.app_module.app
    add_door_routes(app)  # here, before any test's first request: Flask takes no routes after one
    return {"lambda_handler": lambda_handler, "handler": handler, "app": app, "bucket": bucket}


@pytest.fixture
def proxy(local_s3):
    with FaultyS3(local_s3.url) as faulty:
        yield faulty

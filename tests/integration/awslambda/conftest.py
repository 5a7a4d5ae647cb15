"""The Lambda entry point with the app loaded as on a cold start, for the front-door tests.

`door_app` takes the entry point and Zappa's own LambdaHandler, loaded with the settings module
Zappa's CLI writes (`lambda_entry`, tests/integration/conftest.py, which also adds the test-only
routes of tests/support/door_routes.py before any request), and sends its first HTTP event.
"""

from __future__ import annotations

import os

import pytest

from catsite_tools.local.events import LambdaContext, alb_event
from tests.support.answer import Answer


@pytest.fixture(scope="session")
def door_app(lambda_entry):
    """The entry point and Zappa's LambdaHandler, loaded as on a cold start (`lambda_entry`), with
    the app reading a local S3 bucket (both paths share the one app module Zappa's settings name)
    and the test-only routes (`add_door_routes`)."""
    app = lambda_entry["app"]
    # The entry point's first HTTP event loads its lean path (which sets the stage's environment,
    # as Zappa's handler does; restored afterwards).
    saved = dict(os.environ)
    try:
        first = lambda_entry["lambda_handler"](alb_event("GET", "/healthz"), LambdaContext())
        assert first["statusCode"] == 200
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return {"handler": lambda_entry["handler"], "app": app, "bucket": lambda_entry["bucket"]}


@pytest.fixture
def call(door_app, s3):
    """Invoke the Lambda entry point with an event; empty the bucket first (fresh state per test)."""
    bucket = door_app["bucket"]
    for obj in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
        s3.delete_object(Bucket=bucket, Key=obj["Key"])

    from catsite.awslambda.handler import lambda_handler

    def invoke(event, context=None):
        return Answer(lambda_handler(event, context or LambdaContext()))

    return invoke

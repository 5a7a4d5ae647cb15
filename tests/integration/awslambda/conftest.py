"""The Lambda entry point with the app loaded as on a cold start, for the front-door tests.

`door_app` takes the entry point and Zappa's own LambdaHandler, loaded with the settings module
Zappa's CLI writes (`lambda_entry`, tests/integration/conftest.py), and adds test-only routes to
the loaded app before its first request: an echo of what Flask received, a route that begins
with the stage name, one that sets two cookies, and a JSON answer too big for the ALB.
"""

from __future__ import annotations

import base64
import os

import pytest
from flask import jsonify, make_response, request, url_for

from catsite_tools.events import LambdaContext, alb_event
from tests.integration.awslambda.answer import Answer


def echo(rest=None):
    """What Flask received, as the app sees it."""
    return jsonify(
        method=request.method,
        path=request.path,
        script_root=request.script_root,
        args=request.args.to_dict(flat=False),
        cookies=request.cookies.to_dict(),
        headers={k.lower(): v for k, v in request.headers.items()},
        body=base64.b64encode(request.get_data()).decode("ascii"),
        content_type=request.content_type,
        scheme=request.scheme,
        host=request.host,
        remote_addr=request.remote_addr,
        external=url_for("door_echo", _external=True),
    )


@pytest.fixture(scope="session")
def door_app(lambda_entry):
    """The entry point and Zappa's LambdaHandler, loaded as on a cold start (`lambda_entry`), with
    the app reading a local S3 bucket (both paths share the one app module Zappa's settings name).

    Test-only routes are added to the loaded app before its first request: one that sets two
    cookies and one whose path begins with the stage name, for the two Zappa defects."""
    app = lambda_entry["app"]

    @app.get("/devices")
    def devices():  # a route that begins with the stage name, `dev`
        return jsonify(path=request.path, url=request.url_root)

    @app.get("/cat/big-json")
    def big_json():  # larger than the ALB carries, smaller than API Gateway's limit
        return jsonify(says="m" * (2 * 1024 * 1024))

    app.add_url_rule("/echo", "door_echo", echo, methods=["GET", "POST", "PUT", "DELETE"])
    app.add_url_rule("/echo/<path:rest>", "door_echo_rest", echo, methods=["GET", "POST"])

    @app.get("/cat/cookie-jar")
    def cookie_jar():
        response = make_response(jsonify(ok=True))
        response.set_cookie("first", "1")
        response.set_cookie("second", "2")
        return response

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

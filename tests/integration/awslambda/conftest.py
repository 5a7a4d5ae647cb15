"""The Lambda entry point with the app loaded as on a cold start, for the front-door tests.

`door_app` loads the entry point and Zappa's own LambdaHandler with the settings module Zappa's
CLI writes, and adds test-only routes to the loaded app before its first request: an echo of
what Flask received, a route that begins with the stage name, one that sets two cookies, and a
JSON answer too big for the ALB.
"""

from __future__ import annotations

import base64
import os
import sys

import pytest
from flask import jsonify, make_response, request, url_for

from catsite_tools.events import LambdaContext, alb_event
from tests.integration.awslambda.answer import Answer
from tests.support.buckets import new_bucket


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
def door_app(zappa_settings_dir, local_s3):
    """The entry point and Zappa's LambdaHandler, loaded as on a cold start, with the app reading
    a local S3 bucket (both paths share the one app module Zappa's settings name).

    Two test-only routes are added to the loaded app before its first request: one that sets two
    cookies and one whose path begins with the stage name, for the two Zappa defects."""
    bucket = new_bucket(local_s3)
    saved = dict(os.environ)
    os.environ.update({"CATSITE_BUCKET": bucket, "AWS_ENDPOINT_URL_S3": local_s3.url})
    sys.path.insert(0, str(zappa_settings_dir))
    try:
        from zappa.handler import LambdaHandler

        from catsite.awslambda.handler import lambda_handler

        handler = LambdaHandler("zappa_settings")
        app = handler.app_module.app

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

        # The entry point's first HTTP event loads its lean path, in this environment.
        assert lambda_handler(alb_event("GET", "/healthz"), LambdaContext())["statusCode"] == 200
    finally:
        sys.path.remove(str(zappa_settings_dir))
        os.environ.clear()
        os.environ.update(saved)
    return {"handler": handler, "app": app, "bucket": bucket}


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

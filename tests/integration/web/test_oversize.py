"""Bodies larger than a front door carries: 413 before reading for requests, S3 for responses."""

from __future__ import annotations

import json

import pytest
import requests
from flask import Response, jsonify

from catsite.app import create_app
from catsite.doors.table import ALB, REST
from catsite_tools.local.events import alb_event, rest_event


def test_an_oversize_request_is_413_naming_post_uploads_and_changes_nothing(client, bucket_state):
    before = bucket_state()
    answer = client.post("/cat", data=b"x" * (ALB.request_limit + 1), content_type="application/json")
    assert answer.status_code == 413
    body = answer.get_json()
    assert body["code"] == 413 and "POST /uploads" in body["message"]
    assert bucket_state() == before


def test_the_request_limit_is_decided_before_the_body_is_read(app):
    """A Content-Length over the limit is refused even though not one byte of body follows."""

    class Unreadable:
        def read(self, *args):
            raise AssertionError("the body was read")

        readline = read

    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/cat",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(50 * 1024 * 1024),
        "wsgi.input": Unreadable(),
    }
    with app.test_client() as client:
        answer = client.open("/cat", method="POST", environ_overrides=environ)
    assert answer.status_code == 413


@pytest.fixture
def big_app(settings):
    """The app with two test-only routes whose answers outgrow some front doors."""
    app = create_app(settings)

    @app.get("/cat/big-json")
    def big_json():
        return jsonify(says="m" * (2 * 1024 * 1024))

    @app.get("/cat/big-binary")
    def big_binary():
        return Response(b"\x89" * (5 * 1024 * 1024), mimetype="application/octet-stream")

    return app


def follow(answer) -> bytes:
    assert answer.status_code == 303
    body = answer.get_json()
    assert body["code"] == 303
    assert body["location"].startswith("s3://") and "/results/" in body["location"]
    assert answer.headers["Location"] == body["url"]
    fetched = requests.get(body["url"], timeout=30)
    assert fetched.status_code == 200
    return fetched.content


def call_app(app, event):
    """Run the app as Zappa does for `event` (WSGI environ holding the event), via the test client."""
    environ = {"lambda.event": event}
    with app.test_client() as client:
        return client.get(event["path"], environ_overrides=environ)


def test_a_response_too_big_for_the_alb_goes_to_s3_with_a_303(big_app):
    answer = call_app(big_app, alb_event("GET", "/cat/big-json"))
    assert json.loads(follow(answer))["says"] == "m" * (2 * 1024 * 1024)


def test_the_same_response_fits_through_api_gateway(big_app):
    answer = call_app(big_app, rest_event("GET", "/cat/big-json"))
    assert answer.status_code == 200
    assert len(answer.get_data()) > ALB.response_limit


def test_a_binary_response_is_measured_after_base64(big_app):
    """5 MiB of bytes is under 6 MB, but 6.7 MB once base64-encoded for API Gateway."""
    assert REST.response_limit > 5 * 1024 * 1024
    content = follow(call_app(big_app, rest_event("GET", "/cat/big-binary")))
    assert content == b"\x89" * (5 * 1024 * 1024)


def test_the_local_server_applies_the_strictest_doors_limits(big_app):
    answer = big_app.test_client().get("/cat/big-json")
    assert json.loads(follow(answer))["says"].startswith("mmm")


def test_small_answers_are_untouched(big_app, s3, bucket):
    answer = call_app(big_app, alb_event("GET", "/cat"))
    assert answer.status_code == 200
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket, Prefix="results/")

"""One JSON log line per request, with nothing secret in it."""

from __future__ import annotations

import json
import logging
import time

import pytest

from catsite_tools.local.events import LambdaContext, alb_event, http_event, rest_event
from tests.support import ADMIN, ADMIN_TOKEN
from tests.support.emf import emf_errors, metrics_of
from tests.support.pictures import presign

SECRET_COOKIE = "session=cookie-secret-4242"
SECRET_BODY = "body-secret-purr-9000"


class Stderr:
    """What the app wrote to standard error, where the request lines go."""

    def __init__(self, capsys):
        self.capsys = capsys
        self.text = ""

    def lines(self) -> list[dict]:
        self.text += self.capsys.readouterr().err
        lines = [json.loads(line) for line in self.text.splitlines() if line.startswith("{")]
        return [line for line in lines if "request_id" in line]


@pytest.fixture
def stderr(capsys):
    return Stderr(capsys)


def test_each_request_writes_one_json_line_without_secrets(client, stderr):
    answer = client.post(
        "/cat?X-Amz-Signature=query-secret-1234&cursor=abc",
        json={"says": SECRET_BODY},
        headers={"Cookie": SECRET_COOKIE, **ADMIN},
    )
    assert answer.status_code == 200
    client.delete("/cat/pics/" + "0" * 32, headers=ADMIN)

    lines = stderr.lines()
    assert len(lines) == 2
    first = lines[0]
    fields = {"request_id", "method", "path", "status", "duration_ms", "door"}
    metrics = {"_aws", "function", "status_class", "requests", "s3_calls", "pictures_registered"}
    assert set(first) == fields | metrics
    assert (first["method"], first["path"], first["status"], first["door"]) == ("POST", "/cat", 200, "local")
    assert first["duration_ms"] >= 0 and len(first["request_id"]) == 32
    assert (lines[1]["method"], lines[1]["status"]) == ("DELETE", 404)

    everything = stderr.text
    assert everything.count("\n") == 2  # nothing else, and each line whole
    for secret in (SECRET_BODY, "cookie-secret-4242", "query-secret-1234", ADMIN_TOKEN, "X-Amz"):
        assert secret not in everything


def test_errors_are_logged_too(client, stderr):
    client.post("/cat", data="{not json", content_type="application/json")
    client.get("/no/such/page")
    client.get("/caf%C3%A9?secret=1")
    assert [(line["path"], line["status"]) for line in stderr.lines()] == [
        ("/cat", 400),
        ("/no/such/page", 404),
        ("/café", 404),  # the path as the app saw it, decoded; the query string left out
    ]


def test_presign_answers_are_not_logged(client, caplog, stderr):
    caplog.set_level(logging.DEBUG)
    answer = presign(client, "cat.png", "image/png", 100)
    signature = answer.get_json()["fields"]["x-amz-signature"]
    assert [line["path"] for line in stderr.lines()] == ["/uploads"]
    assert signature not in caplog.text
    assert signature not in stderr.text


@pytest.mark.parametrize(
    ("event", "door"),
    [
        (rest_event("GET", "/healthz", stage="dev"), "rest"),
        (alb_event("GET", "/healthz"), "alb"),
        (http_event("GET", "/healthz"), "http"),
    ],
)
def test_on_lambda_the_line_carries_the_invocation_id_and_the_door(client, stderr, event, door):
    """Behind Lambda, both entry paths put the event and context in the environ (as here)."""
    context = LambdaContext()
    answer = client.get(
        "/healthz",
        headers={"Cookie": SECRET_COOKIE},
        environ_overrides={"lambda.event": event, "lambda.context": context},
    )
    assert answer.status_code == 200
    [line] = stderr.lines()
    assert (line["request_id"], line["door"], line["path"]) == (context.aws_request_id, door, "/healthz")
    assert "cookie-secret-4242" not in stderr.text


def test_the_trace_id_of_an_invocation_under_active_tracing_is_in_the_line(app, stderr, monkeypatch):
    """Through the function Lambda calls: the request id is the invocation's, and the trace id
    the `Root` of `_X_AMZN_TRACE_ID`, which Lambda sets per invocation under active tracing
    (Lambda developer guide, "Defined runtime environment variables"; X-Ray developer guide,
    "Tracing header")."""
    from catsite.awslambda.lean import LeanHttpHandler

    root = "1-67a1b2c3-0123456789abcdef01234567"
    monkeypatch.setenv("_X_AMZN_TRACE_ID", f"Root={root};Parent=53995c3f42cd8ad8;Sampled=1")
    context = LambdaContext()
    handler = LeanHttpHandler(type("Settings", (), {"API_STAGE": "dev"}), app)
    answer = handler(rest_event("GET", "/healthz", stage="dev"), context)
    assert answer["statusCode"] == 200
    [line] = stderr.lines()
    assert (line["request_id"], line["trace_id"]) == (context.aws_request_id, root)

    monkeypatch.delenv("_X_AMZN_TRACE_ID")
    handler(rest_event("GET", "/healthz", stage="dev"), LambdaContext())
    assert "trace_id" not in stderr.lines()[-1], "no tracing, no trace id"


def test_each_line_is_a_valid_metric_document_with_the_request_metrics(client, stderr):
    """CloudWatch user guide, "Specification: Embedded metric format"."""
    client.get("/healthz")
    client.post("/cat", json={"says": "purr"})
    client.post("/cat", data="{not json", content_type="application/json")
    lines = stderr.lines()
    assert [emf_errors(line) for line in lines] == [[], [], []]
    healthz, post, bad = (metrics_of(line) for line in lines)
    by_door = (("function", "local"), ("door", "local"), ("status_class", "2xx"))
    assert healthz[("requests", by_door)] == (1, "Count")
    assert healthz[("s3_calls", (("function", "local"),))] == (0, "Count"), "/healthz never reaches S3"
    assert post[("s3_calls", (("function", "local"),))] == (1, "Count"), "a set is one PUT"
    assert post[("duration_ms", by_door)][1] == "Milliseconds"
    refused = (("function", "local"), ("door", "local"), ("status_class", "4xx"))
    assert bad[("requests", refused)] == (1, "Count")
    for line in lines:
        assert abs(line["_aws"]["Timestamp"] / 1000 - time.time()) < 60


def test_a_registered_picture_is_counted(client, stderr):
    from tests.support.pictures import image_bytes, upload

    location = upload(client, image_bytes("PNG", size=(40, 30)))["location"]
    stderr.lines()
    stderr.text = ""
    assert client.post("/cat/pics", json={"location": location}).status_code == 201
    assert client.post("/cat/pics", json={"location": location}).status_code == 200
    first, again = (metrics_of(line) for line in stderr.lines())
    assert first[("pictures_registered", (("function", "local"),))] == (1, "Count")
    assert again[("pictures_registered", (("function", "local"),))] == (0, "Count"), "not created twice"

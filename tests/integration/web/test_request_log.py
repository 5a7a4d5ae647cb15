"""One JSON log line per request, with nothing secret in it."""

from __future__ import annotations

import json
import logging

import pytest

from catsite_tools.local.events import LambdaContext, alb_event, http_event, rest_event
from tests.support import ADMIN, ADMIN_TOKEN
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
    assert set(first) == {"request_id", "method", "path", "status", "duration_ms", "door"}
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

"""An event's body is always complete, so the framing and connection headers a client sent say
nothing of it (hostile input, third pass, point 6).

A door buffers the whole body before it invokes the function, and may pass the client's
`Transfer-Encoding: chunked` on in the event (the local ALB door does, as the issue found). Those
are connection-specific fields (RFC 9110 section 7.6.1) and framing (RFC 9112 section 6): the
WSGI request built from the event has the body's own `Content-Length` and none of them, at every
door. Before, Werkzeug read a body declared chunked as a stream and found it empty.
"""

from __future__ import annotations

import json
import os

import pytest
import requests

from catsite_tools.local.events import alb_event, function_url_event, http_event, rest_event
from catsite_tools.local.s3 import free_port
from tests.support.processes import lambda_door_command, serving

BUILDERS = {"rest": rest_event, "http": http_event, "url": function_url_event, "alb": alb_event}
FRAMING = {
    "Transfer-Encoding": "chunked",
    "Connection": "keep-alive, X-Secret-Hop",
    "X-Secret-Hop": "dropped because Connection names it",
    "Keep-Alive": "timeout=5",
    "TE": "trailers",
    "Trailer": "X-Checksum",
    "Upgrade": "websocket",
    "Content-Length": "999999",  # the client's claim; the event's body is what arrived
}


@pytest.mark.parametrize("door", BUILDERS)
def test_a_body_declared_chunked_is_read_whole_at_every_door(call, door):
    body = json.dumps({"says": "purr"})
    event = BUILDERS[door]("POST", "/cat", body=body, headers={"Content-Type": "application/json", **FRAMING})
    answer = call(event)
    assert answer.status == 200, answer.raw
    assert answer.json() == {"says": "purr", "code": 200}


@pytest.mark.parametrize("door", BUILDERS)
def test_connection_specific_fields_never_reach_the_app(call, door):
    event = BUILDERS[door]("GET", "/echo", headers=FRAMING)
    seen = set(call(event).json()["headers"])
    assert seen.isdisjoint(
        {"transfer-encoding", "connection", "x-secret-hop", "keep-alive", "te", "trailer", "upgrade"}
    )


def test_through_the_local_alb_door_a_chunked_body_is_read_and_an_oversize_one_is_413(settings):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with serving(lambda_door_command("alb", port), {**os.environ, **settings}, url, f"{url}/healthz", 60):
        body = json.dumps({"says": "purr"}).encode()
        small = requests.post(f"{url}/cat", data=iter([body[:5], body[5:]]),
                              headers={"Content-Type": "application/json"}, timeout=30)  # fmt: skip
        assert small.request.headers.get("Transfer-Encoding") == "chunked"
        assert small.status_code == 200 and small.json()["says"] == "purr"
        big = b'{"says": "' + b"m" * 991_799 + b'"}'  # 991,809 bytes: over the ALB's 1 MB less its margin
        large = requests.post(f"{url}/cat", data=iter([big[:500_000], big[500_000:]]),
                              headers={"Content-Type": "application/json"}, timeout=30)  # fmt: skip
        assert large.status_code == 413 and large.json()["code"] == 413
        assert requests.get(f"{url}/cat", timeout=10).json()["says"] == "purr"


@pytest.mark.parametrize("door", ["http", "url"])
def test_the_cookies_of_a_payload_2_0_event_are_read_from_one_source(call, door):
    """A Function URL event carries the cookies in `cookies` and again in a `cookie` header (AWS's
    own captures show both): Flask sees each once (the edge issue, point 6)."""
    event = BUILDERS[door]("GET", "/echo")
    event["cookies"] = ["a=1", "b=2"]
    event["headers"]["cookie"] = "a=1; b=2"
    echoed = call(event).json()
    assert echoed["headers"]["cookie"] == "a=1; b=2"
    assert echoed["cookies"] == {"a": "1", "b": "2"}

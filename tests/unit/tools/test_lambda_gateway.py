"""`./scripts/serve --lambda`: each door's events from real HTTP requests, and the door's limits."""

from __future__ import annotations

import pytest

from catsite.doors.table import DOORS
from catsite_tools.local.lambda_gateway import Gateway, build_event
from tests.support.api_errors import assert_gateway_error


class RecordingFunction:
    """Stands in for the function's process in this unit test of the gateway's own rules."""

    def __init__(self, delay=None):
        self.events, self.delay = [], delay

    def invoke(self, event, timeout=None):
        if self.delay is not None and self.delay > timeout:
            raise TimeoutError
        self.events.append(event)
        return {"statusCode": 200, "multiValueHeaders": {"Content-Type": ["text/plain"]}, "body": "ok"}

    def stop(self):
        pass


def test_a_rest_door_sends_the_path_without_its_stage_and_refuses_other_paths():
    event = build_event("rest", "dev", "GET", "/dev/cat?x=1", [("Accept", "*/*")], b"")
    assert (event["path"], event["requestContext"]["stage"], event["requestContext"]["path"]) == (
        "/cat",
        "dev",
        "/dev/cat",
    )
    assert event["multiValueQueryStringParameters"] == {"x": ["1"]}
    assert build_event("rest", "dev", "GET", "/devices", [], b"") is None


def test_http_alb_and_url_doors_send_their_own_shapes():
    http = build_event("http", "dev", "POST", "/dev/cat", [("Cookie", "a=1; b=2")], b"{}")
    assert (http["version"], http["rawPath"], http["cookies"]) == ("2.0", "/dev/cat", ["a=1", "b=2"])
    alb = build_event("alb", "dev", "GET", "/cat", [("Host", "x")], b"")
    assert alb["requestContext"]["elb"] and alb["multiValueHeaders"]["host"] == ["x"]
    # The local door is a plain-HTTP listener, and says so as an ALB's http listener does.
    assert alb["multiValueHeaders"]["x-forwarded-proto"] == ["http"]
    assert alb["multiValueHeaders"]["x-forwarded-port"] == ["80"]
    url = build_event("url", "dev", "GET", "/cat", [], b"")
    assert url["requestContext"]["stage"] == "$default"


def test_the_alb_door_passes_query_strings_as_the_client_encoded_them():
    """ELB guide, Lambda functions as targets: "If the query parameters are URL-encoded, the load
    balancer does not decode them"; the path is the request's."""
    alb = build_event("alb", "dev", "GET", "/cat/pics?limit=%31&q=a%20b&q=c+d&flag", [], b"")
    assert alb["path"] == "/cat/pics"
    assert alb["multiValueQueryStringParameters"] == {"limit": ["%31"], "q": ["a%20b", "c+d"], "flag": [""]}


@pytest.mark.parametrize(
    ("door", "target", "where"),
    [
        ("rest", "/dev/cat", ("requestContext", "identity", "sourceIp")),
        ("http", "/dev/cat", ("requestContext", "http", "sourceIp")),
        ("url", "/cat", ("requestContext", "http", "sourceIp")),
    ],
)
def test_api_gateway_and_function_url_doors_report_the_peer_as_the_source(door, target, where):
    event = build_event(door, "dev", "GET", target, [("X-Forwarded-For", "198.51.100.9")], b"", "192.0.2.4")
    value = event
    for key in where:
        value = value[key]
    assert value == "192.0.2.4"


def test_the_alb_door_appends_the_peer_to_x_forwarded_for():
    """ELB guide, X-Forwarded headers: the load balancer appends the client's address."""
    event = build_event("alb", "dev", "GET", "/cat", [("x-forwarded-for", "198.51.100.9")], b"", "192.0.2.4")
    assert event["multiValueHeaders"]["x-forwarded-for"] == ["198.51.100.9, 192.0.2.4"]


@pytest.mark.parametrize("door", ["rest", "http", "alb", "url"])
def test_a_body_over_the_doors_limit_is_refused_before_the_function_runs(door):
    function = RecordingFunction()
    gateway = Gateway(door, "dev", lambda: function, 30)
    too_big = b"x" * (DOORS[door].carries + 1)
    for body in (too_big, None):  # None: the reader dropped a body over the limit
        status, headers, answer = gateway.handle("POST", "/dev/cat", [], body)
        assert status == 413
        assert_gateway_error(answer)
        assert headers == [("Content-Type", "application/json")]
    assert function.events == []


def test_a_function_slower_than_the_door_is_a_504_and_is_replaced():
    started = []

    def start():
        started.append(RecordingFunction(delay=60))
        return started[-1]

    gateway = Gateway("rest", "dev", start, 30)
    status, _, _ = gateway.handle("GET", "/dev/cat", [], b"")
    assert status == 504 and len(started) == 2


@pytest.mark.parametrize("door", ["rest", "http", "url"])
def test_the_local_door_carries_what_lambda_carries_and_the_app_stops_short_of_it(door):
    """Lambda's synchronous invocation payload quota: 6 MB, 6,291,456 bytes, each way."""
    gateway = Gateway(door, "dev", RecordingFunction, 30)
    assert gateway.body_limit == gateway.answer_limit == 6_291_456
    # The app refuses (with its own JSON 413) before the door would (with the door's).
    assert DOORS[door].request_limit < gateway.body_limit


def test_an_answer_larger_than_the_door_carries_is_a_502():
    class Big(RecordingFunction):
        def invoke(self, event, timeout=None):
            return {"statusCode": 200, "body": "m" * 1_000_001, "isBase64Encoded": False}

    status, _, _ = Gateway("alb", "dev", Big, 30).handle("GET", "/cat", [], b"")
    assert status == 502
    status, _, body = Gateway("rest", "dev", Big, 30).handle("GET", "/dev/cat", [], b"")
    assert status == 200 and len(body) == 1_000_001


def test_the_alb_door_gives_the_function_its_own_timeout():
    assert Gateway("alb", "prod", RecordingFunction, 900).time_limit == 900
    assert Gateway("rest", "prod", RecordingFunction, 900).time_limit == 29

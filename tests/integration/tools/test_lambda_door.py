"""`./scripts/serve --lambda`: the local doors in their own processes, driven by real HTTP clients.

Most cases put the door in front of a function that answers with the event it received, so each
asserts what the door sent (ELB guide "Lambda functions as targets"; API Gateway guide "Lambda
proxy integrations" and "... for HTTP APIs"; Lambda guide "Invoking Lambda function URLs") and
what the server logged: one line per request, never a traceback.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import urllib.error
import urllib.request

import pytest
import requests
from requests_toolbelt.adapters.source import SourceAddressAdapter

from catsite.doors.table import DOORS
from catsite_tools.local.s3 import free_port
from tests.support import ROOT
from tests.support.api_errors import assert_gateway_error
from tests.support.processes import lambda_door_command, stop_process, wait_for_http
from tests.support.raw_http import chunked, get_verbatim, raw_exchange, responses_in

ECHO = """import json
def handler(event, context):
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": json.dumps(event)}
"""
DOOR = """import signal, sys
from catsite_tools.local.lambda_gateway import Gateway, serve
from catsite_tools.local.lambda_worker import LambdaProcess
door, stage, port, folder = sys.argv[1:]
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
gateway = Gateway(door, stage, lambda: LambdaProcess([folder], handler="echo.handler"), 30)
try:
    serve(gateway, "127.0.0.1", int(port)).serve_forever()
finally:
    gateway.stop()
"""
#: An access line of the standard library's HTTP server: address, "request line", status, size.
ACCESS_LINE = re.compile(
    r'(?P<peer>\S+) "(?P<method>[A-Z]+) (?P<target>\S+) HTTP/1\.1" (?P<status>\d{3})( |$)'
)
#: A client address other than the server's own, so the door's `sourceIp` is visibly the peer's.
PEER = "127.0.0.2"


def from_peer() -> requests.Session:
    session = requests.Session()
    session.mount("http://", SourceAddressAdapter((PEER, 0)))
    return session


class Door:
    def __init__(self, url: str, log):
        self.url, self.log, self.port = url, log, int(url.rsplit(":", 1)[1].split("/")[0])
        self.seen = 0

    def new_lines(self) -> list[str]:
        """What the server wrote to standard error since the last call."""
        lines = self.log.read_text().splitlines()
        fresh, self.seen = lines[self.seen :], len(lines)
        return fresh

    def new_requests(self) -> list[tuple[str, str, str, int]]:
        """The requests the server logged since the last call, one line each: (client address,
        method, request target as sent, status). Any other line (a traceback) fails the test."""
        logged = []
        for line in self.new_lines():
            found = ACCESS_LINE.match(line)
            assert found, f"not one request's line: {line!r}"
            logged.append((found["peer"], found["method"], found["target"], int(found["status"])))
        return logged


@contextlib.contextmanager
def running(command, env, url, ready, log):
    with open(log, "wb") as stderr:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        wait_for_http(ready, process, 60)
        door = Door(url, log)
        door.new_lines()  # the readiness probe's line
        yield door
    finally:
        stop_process(process)


@pytest.fixture(scope="module")
def echo_doors(tmp_path_factory):
    """Doors by (door, stage), started on first use, in front of the echoing function."""
    folder = tmp_path_factory.mktemp("echo")
    (folder / "echo.py").write_text(ECHO)
    env = {k: v for k, v in os.environ.items() if k != "CATSITE_WORKER_LOGS"}
    started, stack = {}, contextlib.ExitStack()

    def door(name: str, stage: str = "dev") -> Door:
        if (name, stage) not in started:
            port = free_port()
            url = f"http://127.0.0.1:{port}"
            command = [sys.executable, "-c", DOOR, name, stage, str(port), str(folder)]
            log = folder / f"{name}-{stage}.log"
            started[name, stage] = stack.enter_context(running(command, env, url, url + "/", log))
        started[name, stage].new_lines()  # each test reads its own lines only
        return started[name, stage]

    with stack:
        yield door


def echoed(response) -> dict:
    assert response.status_code == 200, response.text
    return response.json()


def test_the_alb_door_sends_the_query_as_the_client_encoded_it(echo_doors):
    door = echo_doors("alb")
    status, body = get_verbatim(door.port, "/cat/pics?limit=%31&q=a%20b&q=c+d")
    assert status == 200
    event = json.loads(body)
    assert event["path"] == "/cat/pics"
    assert event["multiValueQueryStringParameters"] == {"limit": ["%31"], "q": ["a%20b", "c+d"]}
    assert door.new_requests() == [("127.0.0.1", "GET", "/cat/pics?limit=%31&q=a%20b&q=c+d", 200)]


@pytest.mark.parametrize(
    ("name", "path", "where"),
    [
        ("rest", "/dev/cat", ("requestContext", "identity", "sourceIp")),
        ("http", "/dev/cat", ("requestContext", "http", "sourceIp")),
        ("url", "/cat", ("requestContext", "http", "sourceIp")),
    ],
)
def test_api_gateway_and_function_url_doors_report_the_tcp_peer(echo_doors, name, path, where):
    door = echo_doors(name)
    event = echoed(from_peer().get(door.url + path, headers={"X-Forwarded-For": "198.51.100.9"}, timeout=10))
    value = event
    for key in where:
        value = value[key]
    assert value == PEER  # never the X-Forwarded-For the client wrote
    assert door.new_requests() == [(PEER, "GET", path, 200)]


def test_the_alb_door_appends_the_tcp_peer_to_x_forwarded_for(echo_doors):
    door = echo_doors("alb")
    event = echoed(
        from_peer().get(f"{door.url}/cat", headers={"X-Forwarded-For": "198.51.100.9"}, timeout=10)
    )
    assert event["multiValueHeaders"]["x-forwarded-for"] == [f"198.51.100.9, {PEER}"]


@pytest.mark.parametrize(("name", "stage"), [("rest", "dev"), ("http", "dev")])
def test_outside_its_stage_an_execute_api_door_answers_403(echo_doors, name, stage):
    door = echo_doors(name, stage)
    for path in ("/cat", "/devices", "/"):
        answer = requests.get(door.url + path, timeout=10)
        assert answer.status_code == 403
        assert_gateway_error(answer.json())
    event = echoed(requests.get(f"{door.url}/dev/cat?x=1", timeout=10))
    if name == "rest":  # `path` without the stage, `requestContext.path` with it
        assert (event["path"], event["requestContext"]["path"]) == ("/cat", "/dev/cat")
    else:  # a named stage begins rawPath on the execute-api host
        assert (event["rawPath"], event["rawQueryString"]) == ("/dev/cat", "x=1")
    assert event["requestContext"]["stage"] == "dev"
    assert len(door.new_lines()) == 4


def test_the_default_stage_of_an_http_api_has_no_prefix(echo_doors):
    event = echoed(requests.get(f"{echo_doors('http', '$default').url}/cat", timeout=10))
    assert (event["rawPath"], event["requestContext"]["stage"]) == ("/cat", "$default")


@pytest.mark.parametrize("name", ["rest", "http"])
def test_lower_case_header_names_as_http2_clients_send_them(echo_doors, name):
    door = echo_doors(name)
    request = (
        b"POST /dev/cat HTTP/1.1\r\nhost: example\r\ncontent-type: application/json\r\n"
        b'cookie: a=1; b=2\r\ncontent-length: 11\r\nconnection: close\r\n\r\n{"says":1}\n'
    )
    [(status, _, body)] = responses_in(raw_exchange(door.port, request))
    assert status == "200"
    event = json.loads(body)
    assert base64.b64decode(event["body"]) == b'{"says":1}\n'
    if name == "http":
        assert event["headers"]["content-type"] == "application/json"
        assert event["cookies"] == ["a=1", "b=2"]
    else:
        assert event["multiValueHeaders"]["content-type"] == ["application/json"]
        assert event["multiValueHeaders"]["cookie"] == ["a=1; b=2"]
    assert door.new_requests() == [("127.0.0.1", "POST", "/dev/cat", 200)]


@pytest.mark.parametrize("name", ["alb", "url"])
def test_a_body_over_the_limit_is_the_doors_413_and_the_connection_stays_in_step(echo_doors, name):
    door = echo_doors(name)
    limit = DOORS[name].carries
    answer = requests.post(f"{door.url}/cat", data=b"x" * (limit + 1), timeout=30)
    assert answer.status_code == 413
    assert_gateway_error(answer.json())
    assert answer.headers["Content-Type"] == "application/json"
    # On one connection: the oversize body is read and dropped, and the next request answered.
    request = (
        f"POST /cat HTTP/1.1\r\nHost: x\r\nContent-Length: {limit + 1}\r\n\r\n".encode() + b"x" * (limit + 1)
    ) + b"GET /next HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    statuses = [status for status, _, _ in responses_in(raw_exchange(door.port, request))]
    assert statuses == ["413", "200"]
    assert door.new_requests() == [
        ("127.0.0.1", "POST", "/cat", 413),
        ("127.0.0.1", "POST", "/cat", 413),
        ("127.0.0.1", "GET", "/next", 200),
    ]


def test_a_chunked_body_counts_as_one_with_a_content_length(echo_doors):
    door = echo_doors("alb")
    limit = DOORS["alb"].carries
    small = requests.post(f"{door.url}/cat", data=iter([b"meow ", b"purr"]), timeout=10)
    assert base64.b64decode(echoed(small)["body"]) == b"meow purr"
    head = b"POST /cat HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    request = (
        head + chunked(b"x" * (limit + 1)) + b"GET /next HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    found = responses_in(raw_exchange(door.port, request))
    assert [status for status, _, _ in found] == ["413", "200"]
    assert_gateway_error(found[0][2])
    assert door.new_requests() == [
        ("127.0.0.1", "POST", "/cat", 200),
        ("127.0.0.1", "POST", "/cat", 413),
        ("127.0.0.1", "GET", "/next", 200),
    ]


def test_a_body_past_what_the_door_reads_is_a_413_then_close_not_a_reset(echo_doors):
    door = echo_doors("url")
    head = b"POST /cat HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n"
    with socket.create_connection(("127.0.0.1", door.port), timeout=10) as conn:
        conn.sendall(head + b"x" * 4_000_000)  # still sending when the door answers
        received = b""
        while chunk := conn.recv(65536):  # a reset would raise here
            received += chunk
    [(status, headers, body)] = responses_in(received)
    assert (status, headers["connection"]) == ("413", "close")
    assert_gateway_error(body)
    assert door.new_requests() == [("127.0.0.1", "POST", "/cat", 413)]


def test_expect_100_continue_with_an_oversize_body_gets_the_413_instead_of_the_go_ahead(echo_doors):
    door = echo_doors("alb")
    head = f"POST /cat HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: {10**7}\r\n\r\n"
    [(status, headers, body)] = responses_in(raw_exchange(door.port, head.encode()))
    assert (status, headers["connection"]) == ("413", "close")
    assert door.new_requests() == [("127.0.0.1", "POST", "/cat", 413)]


def test_a_body_that_cannot_be_framed_is_a_400_json(echo_doors):
    door = echo_doors("url")
    request = b"POST /cat HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"
    [(status, _, body)] = responses_in(raw_exchange(door.port, request))
    assert status == "400"
    assert_gateway_error(body)
    assert door.new_requests() == [("127.0.0.1", "POST", "/cat", 400)]


def test_the_served_site_through_a_rest_door(lambda_door):
    with urllib.request.urlopen(f"{lambda_door}/cat") as response:
        assert json.loads(response.read()) == {"says": "meow", "code": 200}
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(lambda_door.removesuffix("/dev") + "/cat")
    assert refused.value.code == 403


def test_the_site_behind_the_alb_door_decodes_the_query_once(settings, tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = lambda_door_command("alb", port)
    env = {**os.environ, **settings}
    with running(command, env, url, f"{url}/healthz", tmp_path / "alb.log") as door:
        status, body = get_verbatim(port, "/cat/pics?limit=%31")
        assert status == 200, body
        assert json.loads(body)["count"] == 1  # limit=%31 is limit=1
        too_big = requests.post(f"{url}/cat", data=b"x" * (DOORS["alb"].carries + 1), timeout=30)
        assert too_big.status_code == 413
        assert_gateway_error(too_big.json())
        assert door.new_requests() == [
            ("127.0.0.1", "GET", "/cat/pics?limit=%31", 200),
            ("127.0.0.1", "POST", "/cat", 413),
        ]

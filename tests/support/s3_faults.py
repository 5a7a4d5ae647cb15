"""A small HTTP proxy between the app and the local S3 that can misbehave on purpose.

It forwards each request to the moto server unchanged and records it, unless told to fail:
`stop()` closes its port (connection refused), `delay` holds every request before forwarding,
`drop` closes connections without an answer, `status` answers every request with that S3 error,
and `fail_from = N` answers the Nth request and every later one with `fail_status` (503), as if
S3 (or the function) died between two steps of a multi-step write. Threads only, 127.0.0.1, a free port.
"""

from __future__ import annotations

import http.client
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from catsite_tools.local.s3 import free_port

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "proxy-connection"}
_ERROR_CODES = {403: "AccessDenied", 500: "InternalError", 503: "ServiceUnavailable"}


@dataclass(frozen=True)
class Call:
    """One request the proxy saw: what was asked, with which conditions, and what it answered."""

    method: str
    path: str
    query: str
    if_match: str | None
    if_none_match: str | None
    status: int


class FaultyS3:
    def __init__(self, upstream_url: str):
        parts = urlsplit(upstream_url)
        self.upstream = (parts.hostname, parts.port)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.calls: list[Call] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self.heal()

    # -- what to do with the next requests --------------------------------------------------

    def heal(self) -> None:
        """Forward everything again."""
        self.delay = 0.0
        self.drop = False
        self.status: int | None = None
        self.fail_from: int | None = None
        self.fail_status = 503
        self.answer_412: int = 0  # answer this many conditional PUTs with 412, then forward

    def reset_calls(self) -> None:
        with self._lock:
            self.calls = []

    def start(self) -> FaultyS3:
        proxy = self

        class Handler(_Handler):
            owner = proxy

        server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        server.daemon_threads = True
        server.block_on_close = False
        self._server = server
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        """Close the port: the next connection is refused."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FaultyS3:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- plumbing ---------------------------------------------------------------------------

    def _number(self) -> int:
        with self._lock:
            return len(self.calls) + 1

    def _record(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)


class _Handler(BaseHTTPRequestHandler):
    owner: FaultyS3
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # quiet
        pass

    def _serve(self) -> None:
        proxy = self.owner
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path, _, query = self.path.partition("?")
        number = proxy._number()

        def record(status: int) -> None:
            proxy._record(
                Call(
                    self.command,
                    path,
                    query,
                    self.headers.get("If-Match"),
                    self.headers.get("If-None-Match"),
                    status,
                )
            )

        if proxy.drop:
            record(0)
            self.close_connection = True
            return
        if proxy.delay:
            time.sleep(proxy.delay)
        status = proxy.status
        if status is None and proxy.fail_from is not None and number >= proxy.fail_from:
            status = proxy.fail_status
        conditional = self.command == "PUT" and (
            self.headers.get("If-Match") or self.headers.get("If-None-Match")
        )
        if status is None and conditional and proxy.answer_412 > 0:
            proxy.answer_412 -= 1
            status = 412
        if status is not None:
            record(status)
            code = _ERROR_CODES.get(status, "PreconditionFailed" if status == 412 else "Error")
            self._answer(status, [("Content-Type", "application/xml")], _error_xml(code).encode())
            return

        upstream = http.client.HTTPConnection(*proxy.upstream, timeout=30)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
            headers["Content-Length"] = str(len(body))
            upstream.request(self.command, self.path, body=body, headers=headers)
            answer = upstream.getresponse()
            data = answer.read()
            record(answer.status)
            kept = [(k, v) for k, v in answer.getheaders() if k.lower() not in _HOP_BY_HOP]
            self._answer(answer.status, kept, data, declared=answer.getheader("Content-Length"))
        finally:
            upstream.close()

    def _answer(self, status: int, headers, data: bytes, declared: str | None = None) -> None:
        self.send_response(status)
        for key, value in headers:
            self.send_header(key, value)
        # HEAD answers declare the object's length but carry no body.
        self.send_header(
            "Content-Length", declared if self.command == "HEAD" and declared else str(len(data))
        )
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = _serve


def _error_xml(code: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f"<Error><Code>{code}</Code><Message>injected by the test proxy</Message></Error>"
    )

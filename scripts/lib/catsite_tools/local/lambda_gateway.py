"""A local front door: HTTP on 127.0.0.1 turned into one Lambda front door's events.

`./scripts/serve --lambda [--door rest|http|alb|url] [--stage dev] [--zip]`. Each request becomes
the event that door would send, goes to the function Lambda calls (in its own process:
catsite_tools.local.lambda_worker, from source or from the unzipped `dist/catsite-<stage>.zip`), and the
answer goes back as that door would send it. The door's limits apply: a request body over its
limit is a 413, an answer over its limit a 502, and a function slower than its time limit a 504
(the function's process is then replaced, as Lambda would). Development tooling only.

The client address every door reports (`sourceIp`, the X-Forwarded-For entry the ALB appends) is
the TCP peer's. A request body is always read to its end, by Content-Length or chunked, so
nothing of it is taken for a next request: over the door's limit it is discarded as it arrives
and answered 413; past `request_body.DRAIN_CAP` the door answers 413 with `Connection: close` and reads on
until the client stops sending, so the client receives the answer rather than a reset. The log
(standard error) has one line per request.
"""

from __future__ import annotations

import base64
import json
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from catsite.doors.table import DOORS
from catsite_tools.local import events
from catsite_tools.local.request_body import BadRequest, read_body

REGION = "us-east-1"
LOCAL_API_HOST = f"local.execute-api.{REGION}.amazonaws.com"
LOCAL_IP = "127.0.0.1"
#: How long a closing door keeps reading what the client still sends, so it sees the answer.
LINGER_SECONDS = 2.0


def build_event(door, stage, method, target, headers: list[tuple[str, str]], body: bytes, client=LOCAL_IP):
    """The event `door` sends for one HTTP request, or None when the door would answer 403.
    Built by catsite_tools.local.events from the request as the client sent it (its target, query
    still percent-encoded, and its headers) and `client`, the TCP peer's address."""
    path, _, query = target.partition("?")
    path = path or "/"
    staged = path == f"/{stage}" or path.startswith(f"/{stage}/")
    inner = (path[len(stage) + 1 :] or "/") + (f"?{query}" if query else "")
    request = {"body": body or None, "base64_body": True, "headers": headers, "source_ip": client}
    if door == "rest":
        if not staged:
            return None  # the execute-api host answers 403 outside its stages
        request["headers"] = [(k, v) for k, v in headers if k.lower() != "host"]
        return events.rest_event(method, inner, stage=stage, host=LOCAL_API_HOST, **request, defaults=False)
    if door == "alb":
        # An ALB passes the query as sent; the local door is an http listener (no TLS), as it says.
        return events.alb_event(method, target, multi_value=True, scheme="http", **request, defaults=False)
    if door == "http":
        if stage == "$default":
            return events.http_event(method, target, **request, defaults=False)
        if not staged:
            return None
        # A named stage begins rawPath on the execute-api host only (as there, so here).
        request["headers"] = [(k, v) for k, v in headers if k.lower() != "host"]
        return events.http_event(method, inner, stage=stage, host=LOCAL_API_HOST, **request, defaults=False)
    return events.function_url_event(method, target, **request, defaults=False)


def answer_parts(answer: dict) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, headers and body of a Lambda proxy answer, as the door sends them on."""
    headers: list[tuple[str, str]] = []
    for key, values in (answer.get("multiValueHeaders") or {}).items():
        headers += [(key, v) for v in values]
    taken = {k.lower() for k, _ in headers}
    headers += [(k, v) for k, v in (answer.get("headers") or {}).items() if k.lower() not in taken]
    headers += [("Set-Cookie", c) for c in answer.get("cookies") or []]
    body = answer.get("body") or ""
    raw = base64.b64decode(body) if answer.get("isBase64Encoded") else body.encode("utf-8")
    return int(answer.get("statusCode", 200)), headers, raw


class Gateway:
    """Serves one door in front of a function started by `start_function` (a LambdaProcess)."""

    def __init__(self, door: str, stage: str, start_function, function_timeout: float):
        self.door, self.stage = door, stage
        limits = DOORS[door]  # the app's own table: what the door carries and how long it waits
        self.body_limit = self.answer_limit = limits.carries
        self.time_limit = min(limits.time_limit, function_timeout)
        self.start_function = start_function
        self.function = start_function()
        self.lock = threading.Lock()  # one request at a time per execution environment, as on Lambda

    def handle(self, method, target, headers, body, client=LOCAL_IP):
        """(status, headers, body) the door answers; `body` None: it was over the door's limit."""
        if body is None or len(body) > self.body_limit:
            return _error(413, "Request Entity Too Large")
        event = build_event(self.door, self.stage, method, target, headers, body, client)
        if event is None:
            return _error(403, "Forbidden")
        with self.lock:
            try:
                answer = self.function.invoke(event, timeout=self.time_limit)
            except TimeoutError:
                self.function.stop()
                self.function = self.start_function()
                return _error(504, "Endpoint request timed out")
            except RuntimeError:
                return _error(502, "Internal server error")
        if len(json.dumps(answer).encode("utf-8")) > self.answer_limit:  # Lambda measures the answer's JSON
            return _error(502, "Response body too large for the door")
        status, response_headers, body = answer_parts(answer)
        return status, response_headers, body

    def stop(self) -> None:
        self.function.stop()


def _error(status: int, message: str):
    return status, [("Content-Type", "application/json")], json.dumps({"message": message}).encode()


def serve(gateway: Gateway, host: str, port: int) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def handle_expect_100(self):
            """`Expect: 100-continue` with a body over the limit: the 413 instead of the go-ahead."""
            declared = (self.headers.get("Content-Length") or "").strip()
            if declared.isdigit() and int(declared) > gateway.body_limit:
                self._answer(*_error(413, "Request Entity Too Large"), close=True)
                return False
            return super().handle_expect_100()

        def _any(self):
            try:
                body, done = read_body(self.rfile, self.headers, gateway.body_limit)
            except BadRequest as error:
                return self._answer(*_error(400, str(error)), close=True)
            chunked = "chunked" in (self.headers.get("Transfer-Encoding") or "").lower()
            close = not done or (chunked and self.headers.get("Content-Length") is not None)
            answer = gateway.handle(
                self.command, self.path, list(self.headers.items()), body, self.client_address[0]
            )
            self._answer(*answer, close=close)

        def _answer(self, status, headers, body, close=False):
            self.send_response(status)
            for key, value in headers:
                if key.lower() not in ("content-length", "connection", "transfer-encoding"):
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            if close:
                self.send_header("Connection", "close")  # also sets close_connection
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            if close:
                self._linger()

        def _linger(self):
            """Stop sending, then read what the client still sends until it closes (or for
            LINGER_SECONDS): closing with unread bytes would reset the connection, and the
            client could lose the answer."""
            try:
                self.connection.shutdown(socket.SHUT_WR)
                self.connection.settimeout(0.5)
                deadline = time.monotonic() + LINGER_SECONDS
                while time.monotonic() < deadline and self.connection.recv(64 * 1024):
                    pass
            except OSError:
                pass

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _any

        def log_message(self, format, *args):  # noqa: A002 - the base class's signature
            sys.stderr.write(f"{self.address_string()} {format % args}\n")
            sys.stderr.flush()

    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request, client_address):
            if isinstance(sys.exc_info()[1], ConnectionError):  # the client went away: one line
                sys.stderr.write(f"{client_address[0]} connection lost: {sys.exc_info()[1]}\n")
                return
            super().handle_error(request, client_address)

    return Server((host, port), Handler)


def function_starter(root, stage: str, use_zip: bool, env: dict, workdir):
    """A callable starting the function's process: from source, or from the built zip."""
    import subprocess
    from pathlib import Path

    from catsite_tools.deploy.iam import copy_zappa_settings
    from catsite_tools.deploy.zappa_stage import function_name
    from catsite_tools.local.lambda_worker import LambdaProcess, unpack

    name = function_name(stage, root / "zappa_settings.json")

    if use_zip:
        zip_path = root / "dist" / f"catsite-{stage}.zip"
        if not zip_path.exists():
            raise SystemExit(f"{zip_path.relative_to(root)} is missing: run ./scripts/package {stage} first")
        task = unpack(zip_path, Path(workdir) / "task")
        paths = [task, root / "build" / "lambda-runtime"]
        return lambda: LambdaProcess(paths, env=env, cwd=task, function_name=name)
    # From source: the settings module Zappa would bake into the zip, written by Zappa's own CLI
    # in a folder holding only zappa_settings.json (Zappa scans its folder for WebSocket handlers).
    folder = Path(workdir) / "settings"
    folder.mkdir()
    copy_zappa_settings(root, folder)  # with the attach_policy files Zappa opens
    zappa = Path(sys.executable).parent / "zappa"
    subprocess.run(
        [str(zappa), "save-python-settings-file", stage, "-o", str(folder / "zappa_settings.py")],
        cwd=folder,
        check=True,
        capture_output=True,
        env={"AWS_DEFAULT_REGION": REGION, **env},
    )
    return lambda: LambdaProcess([folder], env=env, cwd=root, isolated=False, function_name=name)


def run(args, env: dict) -> None:
    """`./scripts/serve --lambda`: serve until Ctrl-C, then stop the function's process."""
    import tempfile

    from catsite.settings import DEFAULT_ROOT
    from catsite_tools.deploy.zappa_stage import stage_config
    from catsite_tools.local.devserver import own_address

    config = stage_config(args.stage, DEFAULT_ROOT / "zappa_settings.json")
    prefix = (
        f"/{args.stage}" if args.door == "rest" or (args.door == "http" and args.stage != "$default") else ""
    )
    env = {
        **env,
        "CATSITE_PUBLIC_URL": env.get("CATSITE_PUBLIC_URL") or own_address(args.host, args.port, prefix),
    }
    with tempfile.TemporaryDirectory() as workdir:
        start = function_starter(DEFAULT_ROOT, args.stage, args.zip, env, workdir)
        gateway = Gateway(args.door, args.stage, start, float(config.get("timeout_seconds", 30)))
        server = serve(gateway, args.host, args.port)
        source = "the built zip" if args.zip else "source"
        print(
            f"catsite behind a local {args.door} door (stage {args.stage}, from {source}) at "
            f"http://{args.host}:{args.port}{prefix}/  (Ctrl-C stops it)",
            flush=True,
        )
        try:
            server.serve_forever()
        finally:
            server.server_close()
            gateway.stop()
            if args.zip:  # unpack() made the folder read-only
                import os

                for dirpath, _dirs, _files in os.walk(workdir):
                    os.chmod(dirpath, 0o755)  # noqa: S103 - our own temporary folder

"""The lean path: one HTTP event to a WSGI request and back, without Zappa's handler.

`LeanHttpHandler` reads the event (`catsite.awslambda.reading`: one reading per event format),
runs the app and shapes the answer for the door (`catsite.awslambda.answers`), without importing
Zappa (or boto3). Standard library only: it is on every cold start. A malformed event is answered
400, an escape from the app 500, both in the door's own shape with a JSON body
`{"message", "code"}`: never an exception, never a Python `repr`.

The event's body is always complete (a door buffers it whole before invoking), so the framing
and connection headers the client sent say nothing true of the WSGI request built from it:
`Content-Length` is the body's own length, and `Transfer-Encoding`, `Connection` (and the fields
it names), `Keep-Alive`, `Proxy-Connection`, `TE`, `Trailer` and `Upgrade` are dropped (RFC 9110
section 7.6.1, connection-specific fields; RFC 9112 section 6, message body length). Werkzeug would
otherwise read a body declared chunked as a stream, and find it empty.
"""

from __future__ import annotations

import base64
import importlib
import logging
import os
import sys
from io import BytesIO

from catsite.awslambda.answers import error_answer, shape_answer
from catsite.awslambda.reading import BadEvent, HttpRequest, read_request
from catsite.doors.media import TEXT_MIMETYPES, travels_base64
from catsite.doors.table import ENVIRON_KEY, door_of_event
from catsite.doors.wsgi_text import wsgi_string
from catsite.web.request_log import TRACE_ID

SETTINGS_MODULE = "zappa_settings"

#: Connection-specific and framing fields, never passed on (RFC 9110 7.6.1, RFC 9112 6).
HOP_BY_HOP = frozenset(
    ("connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade")
)

#: Settings a lean path cannot honour without Zappa (remote env or project from S3, Django,
#: ASGI apps, custom context headers): with any of these, Zappa handles everything.
_ZAPPA_ONLY = ("REMOTE_ENV", "ARCHIVE_PATH", "DJANGO_SETTINGS", "APP_TYPE")

ESCAPE_MESSAGE = "An uncaught exception happened while servicing this request."

#: Lambda sets it for each invocation when tracing is active ("Using AWS Lambda environment
#: variables", reserved variables): `Root=1-<8 hex>-<24 hex>;Parent=<16 hex>;Sampled=1`.
TRACE_HEADER_VARIABLE = "_X_AMZN_TRACE_ID"

logger = logging.getLogger("catsite.awslambda")


def trace_root(header: str) -> str:
    """The trace id X-Ray and its successors search by: the `Root` field of the tracing header
    (X-Ray developer guide, "Tracing header"); "" without one."""
    for field in header.split(";"):
        key, _, value = field.strip().partition("=")
        if key == "Root":
            return value
    return ""


class LeanHttpHandler:
    """Runs the WSGI app named by Zappa's settings module for one HTTP event at a time."""

    def __init__(self, settings, wsgi_app=None):
        self.settings = settings
        self.usable = not any(getattr(settings, name, None) for name in _ZAPPA_ONLY) and not getattr(
            settings, "CONTEXT_HEADER_MAPPINGS", None
        )
        self.stage = getattr(settings, "API_STAGE", "") or ""
        #: Zappa's `base_path` setting: a custom domain's base path mapping, when it has one.
        self.base_path = (getattr(settings, "BASE_PATH", None) or "").strip("/")
        self.binary_support = bool(getattr(settings, "BINARY_SUPPORT", False))
        extra = getattr(settings, "ADDITIONAL_TEXT_MIMETYPES", None) or ()
        self.text_mimetypes = TEXT_MIMETYPES + tuple(extra)
        self.wsgi_app = wsgi_app

    @classmethod
    def load(cls, settings_name: str = SETTINGS_MODULE) -> LeanHttpHandler:
        """Prepare the process as Zappa's handler does (log level, environment), load the app."""
        settings = importlib.import_module(settings_name)
        handler = cls(settings)
        if not handler.usable:
            return handler
        level = getattr(settings, "LOG_LEVEL", None)
        if level:
            logging.basicConfig()
            logging.getLogger().setLevel(logging.getLevelName(level))
        os.environ["SERVERTYPE"] = "AWS Lambda"
        os.environ["FRAMEWORK"] = "Zappa"
        os.environ["PROJECT"] = getattr(settings, "PROJECT_NAME", "")
        os.environ["STAGE"] = handler.stage
        for key, value in (getattr(settings, "ENVIRONMENT_VARIABLES", None) or {}).items():
            os.environ[key] = value
        module = importlib.import_module(settings.APP_MODULE)
        handler.wsgi_app = getattr(module, settings.APP_FUNCTION)
        return handler

    def __call__(self, event: dict, context) -> dict:
        try:
            request = read_request(event, base_path=self.base_path)
        except BadEvent as error:
            logger.warning("malformed HTTP event: %s", error)
            return error_answer(event, 400, f"Malformed request event: {error}")
        # Zappa's behaviour: stage variables become environment variables (checked: strings).
        os.environ.update(request.stage_variables)
        try:
            status, headers, data = self._run(self._environ(request, event, context))
        except Exception:
            logger.exception("uncaught exception while serving an HTTP event")
            return error_answer(event, 500, ESCAPE_MESSAGE)
        return shape_answer(request, status, headers, *self._encode(headers, data))

    def _environ(self, request: HttpRequest, event: dict, context) -> dict:
        headers = request.headers
        scheme = request.scheme
        host = headers.get("host") or request.domain or "localhost"
        port = headers.get("x-forwarded-port") or ("443" if scheme == "https" else "80")
        environ = {
            "REQUEST_METHOD": request.method,
            "SCRIPT_NAME": request.script_name,
            "PATH_INFO": request.path,
            "QUERY_STRING": request.query,
            "SERVER_NAME": host.rsplit(":", 1)[0] if host.count(":") == 1 else host,
            "SERVER_PORT": port,
            "SERVER_PROTOCOL": request.protocol,
            "HTTP_HOST": host,
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": scheme,
            "wsgi.input": BytesIO(request.body),
            "wsgi.errors": sys.stderr,
            "wsgi.multiprocess": False,
            "wsgi.multithread": False,
            "wsgi.run_once": False,
            "lambda.context": context,
            "lambda.event": event,
            ENVIRON_KEY: door_of_event(event, request.format),
        }
        if scheme == "https":
            environ["HTTPS"] = "on"
        trace = trace_root(os.environ.get(TRACE_HEADER_VARIABLE, ""))
        if trace:
            environ[TRACE_ID] = trace
        if request.client:
            environ["REMOTE_ADDR"] = request.client
        if request.body or request.method in ("POST", "PUT", "PATCH", "DELETE"):
            environ["CONTENT_LENGTH"] = str(len(request.body))
        dropped = HOP_BY_HOP
        if "connection" in headers:
            dropped = dropped | {name.strip().lower() for name in headers["connection"].split(",")}
        for name, value in headers.items():
            if name == "content-type":
                environ["CONTENT_TYPE"] = value
            elif name not in dropped and name not in ("content-length", "host"):
                environ["HTTP_" + name.upper().replace("-", "_")] = wsgi_string(value)
        return environ

    def _run(self, environ: dict) -> tuple[str, list[tuple[str, str]], bytes]:
        """Call the app; return (status line, [(header, value)], body bytes)."""
        started: list = []
        chunks: list[bytes] = []

        def start_response(status, response_headers, exc_info=None):
            started[:] = [status, response_headers]
            return chunks.append

        result = self.wsgi_app(environ, start_response)
        try:
            chunks.extend(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        return started[0], started[1], b"".join(chunks)

    def _encode(self, headers, data: bytes) -> tuple[str, bool]:
        """The body as the door carries it: text, or base64 for binary types and encodings."""
        if not data:
            return "", False
        lower = {k.lower(): v for k, v in headers}
        if self.binary_support and travels_base64(
            lower.get("content-type"), lower.get("content-encoding"), self.text_mimetypes
        ):
            return base64.b64encode(data).decode("ascii"), True
        return data.decode("utf-8", "replace"), False

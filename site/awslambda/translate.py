"""Event to WSGI and back, for the HTTP doors, as AWS documents each door's formats.

`LeanHttpHandler` reads the event (`catsite.awslambda.door_events`: one reading per door), runs
the app and shapes the answer for the door, without importing Zappa (or boto3). Standard library
only: it is on every cold start. The documents each rule comes from:

- ALB: Elastic Load Balancing user guide, "Lambda functions as targets" (query values passed as
  the client sent them, not decoded; `statusDescription`; `headers` or `multiValueHeaders` as
  the target group is set; `X-Forwarded-For`/`-Proto`/`-Port` added by the load balancer).
- REST v1: API Gateway developer guide, "Lambda proxy integrations" (input format: `path`,
  decoded `multiValueQueryStringParameters`, `multiValueHeaders`, `requestContext.identity`).
- HTTP API and Function URL: "Lambda proxy integrations for HTTP APIs" (payload 2.0: `rawPath`,
  `rawQueryString`, `cookies`, duplicate headers joined with commas) and "Invoking Lambda
  function URLs" (same request and response payload).

A malformed event is answered 400, an escape from the app 500, both in the door's own shape
with a JSON body `{"message", "code"}`: never an exception, never a Python `repr`.
"""

from __future__ import annotations

import base64
import importlib
import logging
import os
import sys
from io import BytesIO

from catsite.awslambda.door_events import BadEvent, Request, read_request
from catsite.awslambda.wire import (
    TEXT_MIMETYPES,
    event_format,
    status_description,
    travels_base64,
    wsgi_string,
)

SETTINGS_MODULE = "zappa_settings"

#: Settings a lean path cannot honour without Zappa (remote env or project from S3, Django,
#: ASGI apps, custom context headers): with any of these, Zappa handles everything.
_ZAPPA_ONLY = ("REMOTE_ENV", "ARCHIVE_PATH", "DJANGO_SETTINGS", "APP_TYPE")

ESCAPE_MESSAGE = "An uncaught exception happened while servicing this request."

logger = logging.getLogger("catsite.awslambda")


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

    def _environ(self, request: Request, event: dict, context) -> dict:
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
        }
        if scheme == "https":
            environ["HTTPS"] = "on"
        if request.client:
            environ["REMOTE_ADDR"] = request.client
        if request.body or request.method in ("POST", "PUT", "PATCH", "DELETE"):
            environ["CONTENT_LENGTH"] = str(len(request.body))
        for name, value in headers.items():
            if name == "content-type":
                environ["CONTENT_TYPE"] = value
            elif name not in ("content-length", "host"):
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


def shape_answer(request: Request, status_line: str, headers, body: str, is_base64: bool) -> dict:
    """The answer in the door's documented response format."""
    status = int(status_line.split(" ", 1)[0])
    answer: dict = {"statusCode": status, "isBase64Encoded": is_base64, "body": body}
    if request.door == "v2":
        # Payload 2.0: each cookie in `cookies` becomes one Set-Cookie; other headers given
        # more than once are joined with commas.
        answer["cookies"] = [v for k, v in headers if k.lower() == "set-cookie"]
        answer["headers"] = _joined([(k, v) for k, v in headers if k.lower() != "set-cookie"])
        return answer
    if request.door == "alb":
        answer["statusDescription"] = status_description(status, status_line)
    if request.multi_value:
        grouped: dict[str, list[str]] = {}
        for key, value in headers:
            grouped.setdefault(key, []).append(value)
        answer["multiValueHeaders"] = grouped
    else:
        answer["headers"] = _single_value(headers)
    return answer


def _joined(headers) -> dict[str, str]:
    joined: dict[str, str] = {}
    for key, value in headers:
        joined[key] = f"{joined[key]}, {value}" if key in joined else value
    return joined


def _single_value(headers) -> dict[str, str]:
    """Headers for an ALB target group without multi-value headers: a header given more than
    once is joined with commas (RFC 9110 5.3), except Set-Cookie, which cannot be (RFC 6265
    3): the first cookie is kept and the others dropped with a warning. Turn multi-value
    headers on for a target group whose app sets more than one cookie."""
    cookies = [v for k, v in headers if k.lower() == "set-cookie"]
    single = _joined([(k, v) for k, v in headers if k.lower() != "set-cookie"])
    if cookies:
        single["Set-Cookie"] = cookies[0]
        if len(cookies) > 1:
            dropped = ", ".join(c.split("=", 1)[0] for c in cookies[1:])
            logger.warning("single-value ALB headers carry one Set-Cookie; dropped: %s", dropped)
    return single


def error_answer(event, status: int, message: str) -> dict:
    """A JSON error `{"message", "code"}` in the shape of the door the event came through, read
    from as little of the event as can be trusted."""
    import json  # errors only: kept off the cold start

    body = json.dumps({"message": message, "code": status})
    headers = {"Content-Type": "application/json", "X-Content-Type-Options": "nosniff"}
    answer: dict = {"statusCode": status, "isBase64Encoded": False, "body": body}
    kind = event_format(event)
    if kind == "alb":
        answer["statusDescription"] = status_description(status)
    if kind == "v2":
        answer["cookies"] = []
    if kind in ("alb", "rest") and "multiValueHeaders" in event:
        answer["multiValueHeaders"] = {k: [v] for k, v in headers.items()}
    else:
        answer["headers"] = headers
    return answer

"""Event to WSGI and back, for the HTTP doors: API Gateway REST v1, HTTP API and Function URL
payload 2.0, and the ALB.

`LeanHttpHandler` translates the event into a WSGI environ the way Zappa 0.63's handler does,
runs the app and shapes the answer for the door, without importing Zappa (or boto3).
Standard library only: it is on every cold start.
"""

from __future__ import annotations

import base64
import importlib
import logging
import os
import sys
from io import BytesIO

SETTINGS_MODULE = "zappa_settings"

#: Response types sent as text; anything else is base64 (Zappa's DEFAULT_TEXT_MIMETYPES).
TEXT_MIMETYPES = (
    "text/",
    "application/json",
    "application/javascript",
    "application/ecmascript",
    "application/xml",
    "application/xml-external-parsed-entity",
    "application/xml-dtd",
    "image/svg+xml",
)
#: Methods whose base64 request bodies Zappa decodes when binary support is on.
BINARY_METHODS = ("POST", "PUT", "PATCH", "DELETE", "CONNECT", "OPTIONS")

#: Settings a lean path cannot honour without Zappa (remote env or project from S3, Django,
#: ASGI apps, custom context headers, a base path): with any of these, Zappa handles everything.
_ZAPPA_ONLY = ("REMOTE_ENV", "ARCHIVE_PATH", "DJANGO_SETTINGS", "APP_TYPE", "BASE_PATH")


logger = logging.getLogger("catsite.awslambda")


class LeanHttpHandler:
    """Runs the WSGI app named by Zappa's settings module for one HTTP event at a time."""

    def __init__(self, settings, wsgi_app=None):
        self.settings = settings
        self.usable = not any(getattr(settings, name, None) for name in _ZAPPA_ONLY) and not getattr(
            settings, "CONTEXT_HEADER_MAPPINGS", None
        )
        self.stage = getattr(settings, "API_STAGE", "") or ""
        self.domain = getattr(settings, "DOMAIN", None)
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
        for key, value in (event.get("stageVariables") or {}).items():
            os.environ[key] = value
        try:
            if event.get("version") == "2.0":
                return self._v2(event, context)
            return self._v1(event, context)
        except Exception:
            # Zappa's answer to an exception that escapes the app (Flask renders its own 500s).
            logger.exception("uncaught exception while serving an HTTP event")
            return {
                "statusCode": 500,
                "body": repr(
                    {
                        "message": "An uncaught exception happened while servicing this request. "
                        "You can investigate this with the `zappa tail` command."
                    }
                ),
            }

    # Payload 2.0: HTTP API and Function URL.
    def _v2(self, event, context) -> dict:
        raw_path = event.get("rawPath", "")
        stage = (event.get("requestContext") or {}).get("stage")
        prefix = f"/{stage}"
        # The stage is in rawPath on direct HTTP API access; matched on a segment boundary.
        script_name = prefix if stage and (raw_path == prefix or raw_path.startswith(prefix + "/")) else ""
        headers = {k.title(): v for k, v in (event.get("headers") or {}).items()}
        if event.get("cookies"):
            headers["Cookie"] = "; ".join(event["cookies"])
        method = event["requestContext"]["http"]["method"]
        path = _unquote(raw_path)
        if script_name and path.startswith(script_name):
            path = path[len(script_name) :]
        query = event.get("rawQueryString") or ""
        if "rawQueryString" not in event and event.get("queryStringParameters"):
            query = _urlencode(event["queryStringParameters"], doseq=True)
        environ = self._environ(event, context, method, headers, path, query, script_name)
        status, response_headers, body, is_base64 = self._run(environ)
        cookies, single = [], {}
        for key, value in response_headers:
            if key.lower() == "set-cookie":
                cookies.append(value)
            else:
                single[key] = f"{single[key]},{value}" if key in single else value
        return {
            "cookies": cookies,
            "isBase64Encoded": is_base64,
            "statusCode": status,
            "headers": single,
            "body": body,
        }

    # Payload 1.0: API Gateway REST and ALB.
    def _v1(self, event, context) -> dict:
        context_ = event.get("requestContext") or {}
        is_elb = bool(context_.get("elb"))
        script_name = ""
        if not is_elb:
            host = (event.get("headers") or {}).get("Host")
            if (host and "amazonaws.com" in host) or (not host and not self.domain):
                # execute-api host: API Gateway removed the stage from `path`; links need it back.
                script_name = f"/{self.stage}"
        merged = {}
        for key, values in (event.get("multiValueHeaders") or {}).items():
            merged[key] = list(values)
        for key, value in (event.get("headers") or {}).items():
            merged.setdefault(key, [value])
        headers = {k.title(): ("; " if k.lower() == "cookie" else ", ").join(v) for k, v in merged.items()}
        if "multiValueQueryStringParameters" in event:
            params = event["multiValueQueryStringParameters"]
            query = _urlencode(params, doseq=True) if params else ""
        else:
            params = event.get("queryStringParameters")
            query = _urlencode(params) if params else ""
        path = _unquote(event["path"])
        environ = self._environ(event, context, event["httpMethod"], headers, path, query, script_name)
        status, response_headers, body, is_base64 = self._run(environ, reason=is_elb)
        answer: dict = {}
        if is_elb:
            answer["isBase64Encoded"] = False
            answer["statusDescription"] = environ["catsite.status_line"]
        if body is not None:
            answer["body"] = body
            if is_base64:
                answer["isBase64Encoded"] = True
        answer["statusCode"] = status
        if "multiValueHeaders" in event:
            grouped: dict[str, list[str]] = {}
            for key, value in response_headers:
                grouped.setdefault(key, []).append(value)
            answer["multiValueHeaders"] = grouped
        elif "headers" in event:
            answer["headers"] = dict(response_headers)
        return answer

    def _environ(self, event, context, method, headers, path, query, script_name) -> dict:
        body = _request_body(event, method, self.binary_support)
        forwarded = headers.get("X-Forwarded-For", "")
        addresses = [a.strip() for a in forwarded.split(",")]
        environ = {
            "PATH_INFO": _wsgi_string(path),
            "QUERY_STRING": _wsgi_string(query),
            "REMOTE_ADDR": addresses[-2] if len(addresses) > 1 else (forwarded or "127.0.0.1"),
            "REQUEST_METHOD": method,
            "SCRIPT_NAME": _wsgi_string(script_name),
            "SERVER_NAME": "zappa",
            "SERVER_PORT": headers.get("X-Forwarded-Port", "80"),
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "https",
            "wsgi.input": BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multiprocess": False,
            "wsgi.multithread": False,
            "wsgi.run_once": False,
            "HTTPS": "on",
            "lambda.context": context,
            "lambda.event": event,
        }
        if method in ("POST", "PUT", "PATCH", "DELETE"):
            if "Content-Type" in headers:
                environ["CONTENT_TYPE"] = headers["Content-Type"]
            environ["CONTENT_LENGTH"] = str(len(body))
        for name, value in headers.items():
            environ["HTTP_" + name.upper().replace("-", "_")] = str(value)
        return environ

    def _run(self, environ: dict, reason: bool = False):
        """Call the app; return (status, [(header, value)], body text or None, base64?)."""
        started: list = []

        def start_response(status, response_headers, exc_info=None):
            started[:] = [status, response_headers]
            return lambda data: chunks.append(data)

        chunks: list[bytes] = []
        result = self.wsgi_app(environ, start_response)
        try:
            chunks.extend(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        status_line, response_headers = started
        environ["catsite.status_line"] = status_line
        data = b"".join(chunks)
        if not data:
            return int(status_line.split(" ", 1)[0]), response_headers, None, False
        encode = False
        if self.binary_support:
            lower = {k.lower(): v for k, v in response_headers}
            mimetype = lower.get("content-type", "").split(";")[0].strip().lower()
            encode = bool(lower.get("content-encoding")) or not mimetype.startswith(self.text_mimetypes)
        body = base64.b64encode(data).decode("ascii") if encode else data.decode("utf-8", "replace")
        return int(status_line.split(" ", 1)[0]), response_headers, body, encode


def _request_body(event: dict, method: str, binary_support: bool) -> bytes:
    body = event.get("body")
    if binary_support and method in BINARY_METHODS and event.get("isBase64Encoded"):
        return base64.b64decode(body) if body else b""
    if isinstance(body, str):
        return body.encode("utf-8")
    return body or b""


def _wsgi_string(text: str) -> str:
    return text.encode("utf-8").decode("iso-8859-1")


def _unquote(text: str) -> str:
    from urllib.parse import unquote

    return unquote(text)


def _urlencode(params, doseq: bool = False) -> str:
    from urllib.parse import urlencode

    return urlencode(params, doseq=doseq)

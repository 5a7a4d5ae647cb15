"""One JSON line per request, and nothing in it a reader of the logs should not see.

Each line carries the request id (Lambda's `aws_request_id` when the request came through
Lambda, a generated one otherwise), the trace id (the `Root` of Lambda's `_X_AMZN_TRACE_ID`
under active tracing, as the Lambda boundary hands it over; absent without one), method, path,
status, duration and front door. It never carries the query string (presigned signatures and
cursors live there), headers (cookies, Authorization), or bodies.

The same line is a CloudWatch metric document (`catsite.metrics`, the Embedded Metric Format):
`requests` and `duration_ms` by function, door and status class (`2xx` ... `5xx`), and
`s3_calls` and `pictures_registered` (what the request did) by function.

The line is written straight to standard error, as structlog's PrintLogger does, not through
`logging`: on Lambda everything a function prints goes to CloudWatch Logs, the line stays pure
JSON (Lambda's root log handler would prefix level, time and id), and a `logging` record (its
record object, caller lookup and handler locks) cost a request several times what the line does.
"""

from __future__ import annotations

import sys
import time
import uuid

from catsite.doors.table import door_for
from catsite.doors.wsgi_text import from_wsgi_string
from catsite.metrics import MetricLine, close_tally, directive, open_tally

#: The WSGI environ key where the Lambda boundary puts the invocation's trace id.
TRACE_ID = "catsite.trace_id"
#: Where a request runs that no Lambda function serves: the `function` dimension's value.
LOCAL = "local"

LINE = MetricLine(
    directive(("function", "door", "status_class"), ("requests", "duration_ms")),
    directive(("function",), ("s3_calls", "pictures_registered")),
)


def request_id(environ) -> str:
    context = environ.get("lambda.context")
    return str(getattr(context, "aws_request_id", "") or "") or uuid.uuid4().hex


def request_path(environ) -> str:
    """The path as the app sees it (`request.path`): PATH_INFO, decoded from WSGI's latin-1."""
    return "/" + from_wsgi_string(environ.get("PATH_INFO", "")).lstrip("/")


class RequestLog:
    """WSGI middleware around the Flask app: the clock covers all of Flask's work, and the line is
    written once the status is known, whichever hook or error handler produced the answer.
    `function` is the `function` dimension (the Lambda function's name, or "local")."""

    def __init__(self, wsgi_app, function: str = ""):
        self.wsgi_app = wsgi_app
        self.function = function or LOCAL

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        status = [500]  # if the app raises before it starts the answer

        def start(status_line, headers, exc_info=None):
            status[0] = int(status_line[:3])
            return start_response(status_line, headers, exc_info)

        token, tally = open_tally()
        try:
            return self.wsgi_app(environ, start)
        finally:
            close_tally(token)
            self.write(environ, status[0], time.perf_counter() - started, tally)

    def write(self, environ, status: int, seconds: float, tally: dict) -> None:
        line = {  # in sorted order, so the plain (cached-encoder) json.dumps keeps them sorted
            "door": door_for(environ).name.value,
            "duration_ms": round(seconds * 1000, 1),
            "function": self.function,
            "method": environ.get("REQUEST_METHOD", ""),
            "path": request_path(environ),
            "pictures_registered": tally.get("pictures_registered", 0),
            "request_id": request_id(environ),
            "requests": 1,
            "s3_calls": tally.get("s3_calls", 0),
            "status": status,
            "status_class": f"{status // 100}xx",
        }
        trace = environ.get(TRACE_ID)
        if trace:
            line["trace_id"] = trace
        # sys.stderr as it is now (tests and the local server replace it); one write per line.
        sys.stderr.write(LINE.render(line) + "\n")

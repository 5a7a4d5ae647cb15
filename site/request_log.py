"""One JSON log line per request, and nothing in it a reader of the logs should not see.

Each line carries the request id (Lambda's `aws_request_id` when the request came through
Lambda, a generated one otherwise), method, path, status, duration and front door. It never
carries the query string (presigned signatures and cursors live there), headers (cookies,
Authorization), or bodies.
"""

from __future__ import annotations

import json
import logging
import sys
import time
import uuid

from flask import Flask, g, request

from catsite.doors import door_for

logger = logging.getLogger("catsite.requests")


def request_id(environ) -> str:
    context = environ.get("lambda.context")
    return str(getattr(context, "aws_request_id", "") or "") or uuid.uuid4().hex


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever `sys.stderr` is at the time (Lambda sends it to CloudWatch Logs)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value):
        pass


def _setup_logger() -> None:
    # Its own handler, not the root logger's: the line stays pure JSON (Lambda's root handler
    # would prefix level, time and id), and Flask's app logger does not print it a second time.
    if not any(isinstance(h, _StderrHandler) for h in logger.handlers):
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)


def register(app: Flask) -> None:
    """Register first, so the clock starts before any other hook and the line is written last."""
    _setup_logger()

    @app.before_request
    def start_clock():
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response):
        started = g.get("request_started", time.perf_counter())
        line = {
            "request_id": request_id(request.environ),
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            "door": door_for(request.environ).name,
        }
        logger.info(json.dumps(line, ensure_ascii=True, sort_keys=True))
        return response

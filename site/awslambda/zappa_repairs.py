"""Zappa's own handler, with its 0.63 defects repaired: everything that is not an HTTP event
(`@task`, schedules, S3, SQS, commands) and HTTP events the lean path cannot serve go here.

`zappa_lambda_handler` unwraps Zappa's cookie middleware (it sends every Set-Cookie twice) and
puts `RestStagePathFix` in its place, drops the single-value header copy REST answers carry beside
`multiValueHeaders`, and gives an ALB answer the reason phrase the ELB guide shows ("404 Not
Found", not Werkzeug's "404 NOT FOUND"). `RestStagePathFix` is WSGI middleware that undoes Zappa's
stage stripping on REST v1 events; only Zappa's path needs it (the lean path reads the path as
API Gateway sent it), so only Zappa's handler gets it.

On an execute-api host API Gateway has already removed the stage from `event["path"]`, and Zappa
sets SCRIPT_NAME to `/<stage>`; it then also strips `/<stage>` from the path with a bare prefix
test, so with stage `dev` a request for `/devices` reaches the app as `ices`. The event still
holds the true path, so we put it back. Other events (HTTP API, Function URL, ALB) are left alone:
Zappa strips their stage on a segment boundary, which is correct.
"""

from __future__ import annotations

from urllib.parse import unquote

from catsite.awslambda.answers import status_description
from catsite.doors.formats import EventFormat, event_format
from catsite.doors.wsgi_text import wsgi_string
from catsite.lazy import deferred

zappa_handler = deferred("zappa.handler")


class RestStagePathFix:
    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        event = environ.get("lambda.event")
        if event_format(event) is EventFormat.REST and event.get("httpMethod") and environ.get("SCRIPT_NAME"):
            context = event.get("requestContext")
            stage = context.get("stage", "") if isinstance(context, dict) else ""
            if environ["SCRIPT_NAME"] == f"/{stage}":
                path = unquote(event.get("path") or "/")
                environ["PATH_INFO"] = wsgi_string(path)
        return self.wsgi_app(environ, start_response)


def zappa_lambda_handler(event, context):
    """Zappa's LambdaHandler, with its defects repaired."""
    repair_wsgi_app(zappa_handler.LambdaHandler())  # the per-container singleton; loads the app once
    response = without_duplicate_headers(zappa_handler.LambdaHandler.lambda_handler(event, context))
    return with_reason_phrase(response)


def repair_wsgi_app(handler) -> None:
    """Once per handler: Zappa's cookie middleware out, the stage-path repair in."""
    from zappa.middleware import ZappaWSGIMiddleware

    if isinstance(handler.wsgi_app, ZappaWSGIMiddleware):
        handler.wsgi_app = handler.wsgi_app.application
    if not isinstance(handler.wsgi_app, RestStagePathFix):
        handler.wsgi_app = RestStagePathFix(handler.wsgi_app)


def without_duplicate_headers(response):
    """Drop `headers` when `multiValueHeaders` carries the same headers in full."""
    if isinstance(response, dict) and response.get("multiValueHeaders") and "headers" in response:
        response = dict(response)
        del response["headers"]
    return response


def with_reason_phrase(response):
    """An ALB answer's `statusDescription` with the registered reason phrase."""
    if not isinstance(response, dict):
        return response
    line, status = response.get("statusDescription"), response.get("statusCode")
    if isinstance(line, str) and isinstance(status, int):
        response = {**response, "statusDescription": status_description(status, line)}
    return response

"""The function Lambda calls: `lambda_handler` in zappa_settings.json.

Every event goes to Zappa's own handler (WSGI translation, `@task` and other events). Two things
of Zappa 0.63 are repaired on the way, both about headers sent more than once:

1. Zappa wraps the app in `ZappaWSGIMiddleware`, whose Set-Cookie "case permutation" keeps every
   Set-Cookie header and adds a lower-case copy, so each cookie is sent twice. That trick predates
   multi-value headers and is not needed by any front door catsite supports: the app is unwrapped.
2. For REST v1 events Zappa fills both `headers` (the last value of each header) and
   `multiValueHeaders` (all values); API Gateway merges the two. The multi-value form is complete,
   so the single-value copy is dropped.
"""

from __future__ import annotations


def lambda_handler(event, context):
    from zappa.handler import LambdaHandler

    unwrap_cookie_middleware(LambdaHandler())  # the per-container singleton; loads the app once
    return without_duplicate_headers(LambdaHandler.lambda_handler(event, context))


def unwrap_cookie_middleware(handler) -> None:
    from zappa.middleware import ZappaWSGIMiddleware

    if isinstance(handler.wsgi_app, ZappaWSGIMiddleware):
        handler.wsgi_app = handler.wsgi_app.application


def without_duplicate_headers(response):
    """Drop `headers` when `multiValueHeaders` carries the same headers in full."""
    if isinstance(response, dict) and response.get("multiValueHeaders") and "headers" in response:
        response = dict(response)
        del response["headers"]
    return response

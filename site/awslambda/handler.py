"""The function Lambda calls: `lambda_handler` in zappa_settings.json.

HTTP events (API Gateway REST v1, HTTP API and Function URL payload 2.0, ALB) take a lean path,
`LeanHttpHandler`: it translates the event into a WSGI environ as AWS documents each door's event,
runs the app and shapes the answer for the door (a malformed event or an escape from the app is a
JSON error in the door's shape). Everything else (`@task`, scheduled events, S3,
SQS, commands) goes to Zappa's own `LambdaHandler`. Why: Zappa's handler module imports boto3 and
asyncio eagerly (about 200 ms of every cold start), which an HTTP request never needs; `/healthz`
on the lean path imports no boto3 at all. The parity tests in
tests/integration/awslambda/test_front_doors.py show where the lean path answers as Zappa's
handler does, and where it follows AWS's documents instead.

Two Zappa 0.63 defects are repaired on both paths, both about answers Zappa gets wrong:

1. REST v1 on an execute-api host: Zappa strips the stage from the path with a bare prefix test,
   so with stage `dev` a request for `/devices` reaches the app as `ices`. The lean path takes the
   path from the event as API Gateway sent it; on Zappa's path `catsite.awslambda.zappa_repairs` restores it.
2. Every Set-Cookie is sent twice: Zappa's `ZappaWSGIMiddleware` adds a lower-case copy of each,
   and REST answers carry both `headers` and `multiValueHeaders`, which API Gateway merges. The
   lean path sends each header once, in the door's complete form; on Zappa's path the middleware
   is unwrapped and the single-value copy dropped.

SnapStart (`prod`): at import this module registers two runtime hooks with `snapshot_restore_py`
(Lambda's runtime provides it; without it, as off Lambda, nothing is registered). Before the
snapshot, the app is loaded and prepared once with the collector paused and then frozen, as the
first event would do (`catsite.awslambda.startup.prepare_for_snapshot`); after each restore,
what must be unique per environment is made fresh (`refresh_after_restore`). Lambda runs the
hooks only for a version published with SnapStart on, so `dev` and `$LATEST` never run them.
"""

from __future__ import annotations

from catsite.awslambda.lean import LeanHttpHandler
from catsite.awslambda.startup import paused_then_frozen, prepare_for_snapshot, refresh_after_restore
from catsite.awslambda.zappa_repairs import zappa_lambda_handler
from catsite.deadline import invocation_context
from catsite.doors.formats import event_format

_lean: LeanHttpHandler | None = None


def lambda_handler(event, context):
    """Lambda's entry point: HTTP events on the lean path, everything else through Zappa."""
    invocation_context.set(context)  # for jobs, which Zappa's @task routing calls without it
    if event_format(event) is not None:
        if _lean is None:
            return _first_http_event(event, context)
        if _lean.usable:
            return _lean(event, context)
    return zappa_lambda_handler(event, context)


def _first_http_event(event, context):
    """Load the app and answer the first HTTP event with the garbage collector paused: the
    imports, the app and (for pages that read S3) botocore's client are built then, and frozen
    afterwards (`catsite.awslambda.startup`)."""
    global _lean
    with paused_then_frozen():
        _lean = LeanHttpHandler.load()
        if _lean.usable:
            return _lean(event, context)
    return zappa_lambda_handler(event, context)


def before_snapshot() -> None:
    """SnapStart's before-snapshot hook: load the app and do once what a first request needs."""
    global _lean
    with paused_then_frozen():
        _lean = LeanHttpHandler.load()
        if _lean.usable:
            prepare_for_snapshot(_lean.wsgi_app)


def after_restore() -> None:
    """SnapStart's after-restore hook: make fresh what must differ per execution environment."""
    if _lean is not None and _lean.usable:
        refresh_after_restore(_lean.wsgi_app)


def _register_snapstart_hooks() -> bool:
    try:
        from snapshot_restore_py import register_after_restore, register_before_snapshot
    except ImportError:  # not on Lambda: there is no snapshot to prepare
        return False
    register_before_snapshot(before_snapshot)
    register_after_restore(after_restore)
    return True


_register_snapstart_hooks()

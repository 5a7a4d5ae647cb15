"""The function Lambda calls: `lambda_handler` in zappa_settings.json.

HTTP events (API Gateway REST, HTTP API, Function URL, ALB: `catsite.doors.formats`) take the lean
path (`catsite.awslambda.lean`), which reads each event as AWS documents it and never imports
Zappa's handler module (it imports boto3 and asyncio eagerly, which no HTTP request needs).
Everything else (`@task`, schedules, S3, SQS, commands) goes to Zappa's own handler, with its
defects repaired (`catsite.awslambda.zappa_repairs`). docs/front-doors.md says where the two
paths answer alike and where the lean one follows AWS's documents instead.

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

"""Long jobs: their state in S3 (`jobs/<id>.json`) and where they run.

A job is `queued` when created, `running` with a `progress` (0..1) and a message while it works,
then `done` with its `result` or `failed` with a `reason`. On Lambda a job runs as its own
asynchronous invocation of the same function (Zappa's `@task`, in `catsite.awslambda.tasks`); locally a
background thread runs it, so the request that started it answers at once in both places.

A job that dies (its invocation timed out or crashed) cannot say so itself: a job whose state has
not changed for longer than its runner would stay silent is reported as failed when read, so no
job is "running" forever.
"""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from catsite.jobs.deadline import Deadline, OutOfTime, invocation_context
from catsite.lazy import deferred
from catsite.s3.keys import new_token
from catsite.settings import Settings

tasks = deferred("catsite.awslambda.tasks")  # Zappa's task machinery (and boto3), for the first job

JOB_ID = re.compile(r"[0-9a-f]{32}")
KINDS = ("archive",)
#: A running job writes its state at least every few seconds (once per picture, or per second
#: of copying); silence this long means its invocation is gone.
SILENT_SECONDS = 120
#: A queued job that has not started within this long never will (its invocation was lost).
QUEUED_SECONDS = 300

_local_runner: ThreadPoolExecutor | None = None


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _age(stamp: str) -> float:
    return time.time() - datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def is_job_id(value: str) -> bool:
    return bool(JOB_ID.fullmatch(value))


def create_job(jobs, kind: str, reason: str = "") -> dict:
    """A new job, `queued`, stored before anything runs it."""
    if kind not in KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    stamp = now_iso()
    job = {
        "id": new_token(),
        "kind": kind,
        "status": "queued",
        "progress": 0.0,
        "message": reason or "Waiting to start",
        "created_at": stamp,
        "updated_at": stamp,
    }
    jobs.put(job)
    return job


def start_job(job: dict, settings: Settings) -> None:
    """Run the job elsewhere: its own Lambda invocation on Lambda, a background thread locally."""
    if settings.lambda_function:
        tasks.run_job_task(job["id"])
    else:
        global _local_runner
        if _local_runner is None:
            _local_runner = ThreadPoolExecutor(max_workers=2, thread_name_prefix="catsite-job")
        _local_runner.submit(run_job, job["id"], settings)


def observed(job: dict) -> dict:
    """The job as a reader should see it: a silent running or queued job has failed."""
    if job["status"] == "running" and _age(job["updated_at"]) > SILENT_SECONDS:
        return {**job, "status": "failed", "reason": "The job stopped reporting: it timed out or crashed."}
    if job["status"] == "queued" and _age(job["updated_at"]) > QUEUED_SECONDS:
        return {**job, "status": "failed", "reason": "The job never started."}
    return job


def run_job(job_id: str, settings: Settings | None = None) -> dict:
    """Run a queued job to its end and record how it ended. Never raises for the job's own
    failures: they are recorded as `failed` with a reason."""
    from catsite.services import stores_for

    settings = settings or Settings.load()
    stores = stores_for(settings)
    job = stores.jobs.get(job_id)
    if job is None or job["status"] != "queued":
        return job or {}
    deadline = Deadline(settings.job_budget, invocation_context.get())

    def update(**changes) -> None:
        job.update(changes, updated_at=now_iso())
        stores.jobs.put(job)

    update(status="running", message="Starting")
    try:
        result = _work(
            job["kind"],
            stores,
            settings,
            deadline,
            lambda fraction, message: update(progress=round(fraction, 4), message=message),
        )
    except OutOfTime:
        update(status="failed", reason="The job ran out of time before it finished; nothing was written.")
    except Exception as error:  # noqa: BLE001 - any failure ends the job, with its reason recorded
        update(status="failed", reason=_reason(error))
    else:
        update(status="done", progress=1.0, message="Done", result=result)
    return job


def _work(kind: str, stores, settings: Settings, deadline: Deadline, progress) -> dict:
    if kind == "archive":
        from catsite.pictures.archive import build_archive

        return build_archive(stores, kitty_path(settings), deadline, progress)
    raise ValueError(f"unknown job kind {kind!r}")


def kitty_path(settings: Settings) -> Path:
    return settings.root / "static" / "kitty.png"


def _reason(error: Exception) -> str:
    from catsite.errors import StorageUnavailable

    if isinstance(error, StorageUnavailable):
        return f"S3 failed while the job ran ({error}); nothing was written. Start it again."
    return "The job failed unexpectedly; nothing was written. Start it again."

"""Where long jobs run, and how a reader sees one that fell silent.

On Lambda a job runs as its own asynchronous invocation of the same function (Zappa's `@task`, in
`catsite.jobs.lambda_task`); locally a background thread runs it, so the request that started it
answers at once in both places. Its state lives in `jobs/<id>.json` (`catsite.stores.jobs`).

A job that dies (its invocation timed out or crashed) cannot say so itself: a job whose state has
not changed for longer than its runner would stay silent is reported as failed when read, so no
job is "running" forever.
"""

from __future__ import annotations

import contextlib
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from catsite import timestamps
from catsite.deadline import Deadline, OutOfTime, invocation_context
from catsite.errors import StorageUnavailable
from catsite.lazy import deferred
from catsite.metrics import MetricLine, directive
from catsite.pictures.kitty import kitty_path
from catsite.settings import Settings
from catsite.stores import Stores, open_stores
from catsite.stores.jobs import Job, JobKind, JobStatus, JobStore

lambda_task = deferred("catsite.jobs.lambda_task")  # Zappa's task machinery (and boto3), for the first job

#: A running job writes its state at least every few seconds (once per picture, or per second
#: of copying); silence this long means its invocation is gone.
SILENT_SECONDS = 120
#: A queued job that has not started within this long never will (its invocation was lost).
QUEUED_SECONDS = 300
#: A job's message when the request that started it ran short of time and handed it over.
HANDED_OVER = "Handed over: the request would have outlived its front door"

#: One JSON line per job that ends, a metric document (`catsite.metrics`): `jobs_failed` by function.
LINE = MetricLine(directive(("function",), ("jobs_failed",)))

_local_runner: ThreadPoolExecutor | None = None


def create_job(jobs: JobStore, kind: JobKind, reason: str = "") -> Job:
    """A new job, `queued`, stored before anything runs it."""
    job = Job.new(JobKind(kind), reason or "Waiting to start")
    jobs.put(job)
    return job


def start_job(job: Job, settings: Settings) -> None:
    """Run the job elsewhere: its own Lambda invocation on Lambda, a background thread locally."""
    if settings.lambda_function:
        lambda_task.run_job_task(job.id)
    else:
        global _local_runner
        if _local_runner is None:
            _local_runner = ThreadPoolExecutor(max_workers=2, thread_name_prefix="catsite-job")
        _local_runner.submit(run_job, job.id, settings)


def observed(job: Job) -> Job:
    """The job as a reader should see it: a silent running or queued job has failed."""
    if job.status is JobStatus.RUNNING and timestamps.age(job.updated_at) > SILENT_SECONDS:
        return replace(
            job, status=JobStatus.FAILED, reason="The job stopped reporting: it timed out or crashed."
        )
    if job.status is JobStatus.QUEUED and timestamps.age(job.updated_at) > QUEUED_SECONDS:
        return replace(job, status=JobStatus.FAILED, reason="The job never started.")
    return job


def run_job(job_id: str, settings: Settings | None = None) -> Job | None:
    """Run a queued job to its end (its own invocation, or a local thread) and record how it
    ended. Never raises for the job's own failures: they are recorded as `failed` with a reason."""
    settings = settings or Settings.load()
    stores = open_stores(settings)
    job = stores.jobs.get(job_id)
    if job is None or job.status is not JobStatus.QUEUED:
        return job
    return execute(job, stores, settings, Deadline(settings.job_budget, invocation_context.get()))


def execute(
    job: Job, stores: Stores, settings: Settings, deadline: Deadline, *, hand_over: bool = False
) -> Job:
    """Run `job` here, recording its progress and how it ended; returns it as it ended.

    With `hand_over` (a request doing the work itself), running out of time puts the job back in
    the queue, unchanged but for its message, and raises OutOfTime: the caller starts it elsewhere.
    """
    started = time.perf_counter()

    def update(**changes) -> None:
        nonlocal job
        job = job.changed(**changes)
        stores.jobs.put(job)

    update(status=JobStatus.RUNNING, message="Starting")
    try:
        result = _work(
            job,
            stores,
            settings,
            deadline,
            lambda fraction, message: update(progress=round(fraction, 4), message=message),
        )
    except OutOfTime:
        if hand_over:
            update(status=JobStatus.QUEUED, progress=0.0, message=HANDED_OVER)
            raise
        _release(job, stores)
        update(
            status=JobStatus.FAILED, reason="The job ran out of time before it finished; nothing was written."
        )
    except Exception as error:  # noqa: BLE001 - any failure ends the job, with its reason recorded
        # released first, as for OutOfTime: a reader that sees `failed` finds nothing left behind
        _release(job, stores)
        update(status=JobStatus.FAILED, reason=_reason(error))
    else:
        update(status=JobStatus.DONE, progress=1.0, message="Done", result=result)
    write_line(job, settings, time.perf_counter() - started)
    return job


def write_line(job: Job, settings: Settings, seconds: float) -> None:
    """The line of a job that ended, done or failed (one that was handed over has not ended)."""
    line = {
        "duration_ms": round(seconds * 1000, 1),
        "event": "job",
        "function": settings.lambda_function or "local",
        "job_id": job.id,
        "jobs_failed": 1 if job.status is JobStatus.FAILED else 0,
        "kind": job.kind.value,
        "request_id": str(getattr(invocation_context.get(), "aws_request_id", "") or ""),
        "status": job.status.value,
    }
    sys.stderr.write(LINE.render(line) + "\n")


def _work(job: Job, stores: Stores, settings: Settings, deadline: Deadline, progress) -> dict:
    if job.kind is JobKind.ARCHIVE:
        from catsite.pictures.archive import build_archive

        return build_archive(stores, kitty_path(settings.root), deadline, progress, digest=job.subject)
    raise ValueError(f"unknown job kind {job.kind!r}")


def _release(job: Job, stores: Stores) -> None:
    """What a failed job claimed goes with it (best effort: S3 may be what failed)."""
    if job.kind is JobKind.ARCHIVE and job.subject:
        from catsite.pictures.archive import release_archive

        # If S3 is what failed, the claim expires with results/; the next request sees its job failed.
        with contextlib.suppress(StorageUnavailable):
            release_archive(stores, job.subject, job.id)


def _reason(error: Exception) -> str:
    if isinstance(error, StorageUnavailable):
        return f"S3 failed while the job ran ({error}); nothing was written. Start it again."
    return "The job failed unexpectedly; nothing was written. Start it again."

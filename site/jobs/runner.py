"""Where long jobs run, and how a reader sees one that fell silent.

On Lambda a job runs as its own asynchronous invocation of the same function (Zappa's `@task`, in
`catsite.jobs.lambda_task`); locally a background thread runs it, so the request that started it
answers at once in both places. Its state lives in `jobs/<id>.json` (`catsite.stores.jobs`).

A job that dies (its invocation timed out or crashed) cannot say so itself: a job whose state has
not changed for longer than its runner would stay silent is reported as failed when read, so no
job is "running" forever.
"""

from __future__ import annotations

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


#: One JSON line per job run, a metric document (`catsite.metrics`): `jobs_failed` by function.
LINE = MetricLine(directive(("function",), ("jobs_failed",)))


def run_job(job_id: str, settings: Settings | None = None) -> Job | None:
    """Run a queued job to its end and record how it ended, then write its line. Never raises
    for the job's own failures: they are recorded as `failed` with a reason."""
    settings = settings or Settings.load()
    started = time.perf_counter()
    job, ran = _run_job(job_id, settings)
    if ran:
        line = {
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            "event": "job",
            "function": settings.lambda_function or "local",
            "job_id": job.id,
            "jobs_failed": 1 if job.status is JobStatus.FAILED else 0,
            "kind": job.kind.value,
            "request_id": str(getattr(invocation_context.get(), "aws_request_id", "") or ""),
            "status": job.status.value,
        }
        sys.stderr.write(LINE.render(line) + "\n")
    return job


def _run_job(job_id: str, settings: Settings) -> tuple[Job | None, bool]:
    """The job as it ended, and whether this call ran it (only a queued job is run)."""
    stores = open_stores(settings)
    job = stores.jobs.get(job_id)
    if job is None or job.status is not JobStatus.QUEUED:
        return job, False
    deadline = Deadline(settings.job_budget, invocation_context.get())

    def update(**changes) -> None:
        nonlocal job
        job = job.changed(**changes)
        stores.jobs.put(job)

    update(status=JobStatus.RUNNING, message="Starting")
    try:
        result = _work(
            job.kind,
            stores,
            settings,
            deadline,
            lambda fraction, message: update(progress=round(fraction, 4), message=message),
        )
    except OutOfTime:
        update(
            status=JobStatus.FAILED, reason="The job ran out of time before it finished; nothing was written."
        )
    except Exception as error:  # noqa: BLE001 - any failure ends the job, with its reason recorded
        update(status=JobStatus.FAILED, reason=_reason(error))
    else:
        update(status=JobStatus.DONE, progress=1.0, message="Done", result=result)
    return job, True


def _work(kind: JobKind, stores: Stores, settings: Settings, deadline: Deadline, progress) -> dict:
    if kind is JobKind.ARCHIVE:
        from catsite.pictures.archive import build_archive

        return build_archive(stores, kitty_path(settings.root), deadline, progress)
    raise ValueError(f"unknown job kind {kind!r}")


def _reason(error: Exception) -> str:
    if isinstance(error, StorageUnavailable):
        return f"S3 failed while the job ran ({error}); nothing was written. Start it again."
    return "The job failed unexpectedly; nothing was written. Start it again."

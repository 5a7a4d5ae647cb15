"""Long work over HTTP: `POST /cat/pics/archive` and `GET /jobs/<id>`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import request, url_for
from flask_restful import Resource

from catsite.api import answer
from catsite.deadline import Deadline, OutOfTime
from catsite.doors.table import door_for
from catsite.errors import NotFound, StorageUnavailable
from catsite.s3.keys import TOKEN
from catsite.web.context import current_settings, current_stores

if TYPE_CHECKING:
    from catsite.stores.jobs import Job


class JobFailed(StorageUnavailable):
    """The archive a request made itself failed (S3, most likely): 503, try again."""


def job_answer(job: Job) -> dict:
    """The job as the API shows it; a finished job's download URL is presigned afresh on every
    read, so it works for as long as the result exists, not just 15 minutes after the job."""
    shown = job.shown()
    if job.result and job.result.get("location"):
        shown["result"] = {**job.result, "url": current_stores().results.url(job.result["location"])}
    return {**shown, "status_url": url_for("api.job", job_id=job.id)}


def accepted(job: Job):
    """202 with where to watch the job."""
    status_url = url_for("api.job", job_id=job.id)
    headers = {"Location": status_url, "Preference-Applied": "respond-async"}
    return answer({"job": job.id, "status": job.status, "status_url": status_url, "code": 202}, 202, headers)


def request_deadline() -> Deadline:
    """The time this request has: its door's limit (less what has passed), the invocation's
    remaining time when on Lambda, or the configured budget on the local server."""
    context = request.environ.get("lambda.context")
    if context is None:
        return Deadline(current_settings().long_work_budget)
    return Deadline(door_for(request.environ).time_limit, context)


def wants_async() -> bool:
    preferences = [p.strip().lower() for p in request.headers.get("Prefer", "").split(",")]
    return "respond-async" in preferences


class PicturesArchive(Resource):
    """`POST /cat/pics/archive`: one ZIP of every picture, written to S3.

    An archive of exactly these pictures is made once: 200 with it when it exists already, 202
    with the job when another request is making it. Otherwise this request makes it, synchronously
    by default (201 with the archive's location and a download URL); with `Prefer: respond-async`,
    or when the request would outlive its front door, a job does the work instead (202).
    """

    def post(self):
        # The archive and the runner load with the first archive, not with the app (cold start).
        from catsite.jobs.runner import execute, observed, start_job
        from catsite.pictures.archive import claim_archive, find_archive, listing_digest
        from catsite.stores.jobs import JobStatus

        stores, settings = current_stores(), current_settings()
        digest = listing_digest(stores.pictures)
        existing = find_archive(stores, digest)
        if existing is not None:
            return answer({**existing, "code": 200})
        asynchronous = wants_async()
        job, ours = claim_archive(
            stores, digest, observed, "Started on request" if asynchronous else "Starting"
        )
        if not ours or asynchronous:
            if ours:
                start_job(job, settings)
            return accepted(job)
        try:
            job = execute(job, stores, settings, request_deadline(), hand_over=True)
        except OutOfTime:
            start_job(job, settings)
            return accepted(job)
        if job.status is not JobStatus.DONE:
            raise JobFailed(job.reason or "The archive could not be made.")
        return answer({**job.result, "code": 201}, 201)


class JobState(Resource):
    """`GET /jobs/<id>`: a long job's status and progress."""

    def get(self, job_id: str):
        from catsite.jobs.runner import observed

        job = current_stores().jobs.get(job_id) if TOKEN.fullmatch(job_id) else None
        if job is None:
            raise NotFound(f"There is no job {job_id!r}.")
        return answer({**job_answer(observed(job)), "code": 200})

"""Long work over HTTP: `POST /cat/pics/archive` and `GET /jobs/<id>`."""

from __future__ import annotations

from flask import request, url_for
from flask_restful import Resource

from catsite.deadline import Deadline, OutOfTime
from catsite.doors.table import door_for
from catsite.errors import NotFound
from catsite.jobs.runner import create_job, observed, start_job
from catsite.pictures.kitty import kitty_path
from catsite.stores.jobs import JOB_ID, Job, JobKind
from catsite.web.context import current_settings, current_stores

HANDED_OVER = "Handed over: the request would have outlived its front door"


def job_answer(job: Job) -> dict:
    """The job as the API shows it; a finished job's download URL is presigned afresh on every
    read, so it works for as long as the result exists, not just 15 minutes after the job."""
    shown = job.to_json()
    if job.result and job.result.get("location"):
        shown["result"] = {**job.result, "url": current_stores().results.url(job.result["location"])}
    return {**shown, "status_url": url_for("api.job", job_id=job.id)}


def accepted(job: Job):
    """202 with where to watch the job."""
    status_url = url_for("api.job", job_id=job.id)
    headers = {"Location": status_url, "Preference-Applied": "respond-async"}
    return {"job": job.id, "status": job.status, "status_url": status_url, "code": 202}, 202, headers


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

    Synchronous by default: 201 with the archive's location and a download URL. With
    `Prefer: respond-async`, or when the request would outlive its front door, a job does the
    work instead and the answer is 202 with the job's status URL.
    """

    def post(self):
        if wants_async():
            return self._hand_off("Started on request")
        from catsite.pictures.archive import build_archive

        try:
            result = build_archive(current_stores(), kitty_path(current_settings().root), request_deadline())
        except OutOfTime:
            return self._hand_off(HANDED_OVER)
        return {**result, "code": 201}, 201

    @staticmethod
    def _hand_off(reason: str):
        job = create_job(current_stores().jobs, JobKind.ARCHIVE, reason)
        start_job(job, current_settings())
        return accepted(job)


class JobState(Resource):
    """`GET /jobs/<id>`: a long job's status and progress."""

    def get(self, job_id: str):
        job = current_stores().jobs.get(job_id) if JOB_ID.fullmatch(job_id) else None
        if job is None:
            raise NotFound(f"There is no job {job_id!r}.")
        return {**job_answer(observed(job)), "code": 200}

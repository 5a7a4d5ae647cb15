"""Long work over HTTP: `POST /cat/pics/archive` and `GET /jobs/<id>`."""

from __future__ import annotations

from flask import current_app, request, url_for
from flask_restful import Resource

from catsite.awslambda.doors import door_for
from catsite.errors import NotFound
from catsite.jobs.deadline import Deadline, OutOfTime
from catsite.jobs.runner import create_job, is_job_id, kitty_path, observed, start_job
from catsite.services import get_jobs, get_results, get_stores

JOB_FIELDS = ("id", "kind", "status", "progress", "message", "created_at", "updated_at", "result", "reason")
HANDED_OVER = "Handed over: the request would have outlived its front door"


def job_answer(job: dict) -> dict:
    """The job as the API shows it; a finished job's download URL is presigned afresh on every
    read, so it works for as long as the result exists, not just 15 minutes after the job."""
    shown = {k: v for k, v in job.items() if k in JOB_FIELDS}
    result = shown.get("result")
    if result and result.get("location"):
        shown["result"] = {**result, "url": get_results().url(result["location"])}
    return {**shown, "status_url": url_for("api.job", job_id=job["id"])}


def accepted(job: dict):
    """202 with where to watch the job."""
    status_url = url_for("api.job", job_id=job["id"])
    headers = {"Location": status_url, "Preference-Applied": "respond-async"}
    return {"job": job["id"], "status": job["status"], "status_url": status_url, "code": 202}, 202, headers


def request_deadline() -> Deadline:
    """The time this request has: its door's limit (less what has passed), the invocation's
    remaining time when on Lambda, or the configured budget on the local server."""
    settings = current_app.extensions["settings"]
    context = request.environ.get("lambda.context")
    seconds = settings.long_work_budget if context is None else door_for(request.environ).time_limit
    return Deadline(seconds, context)


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
        settings = current_app.extensions["settings"]
        if wants_async():
            return self._hand_off(settings, "Started on request")
        from catsite.pictures.archive import build_archive

        try:
            result = build_archive(get_stores(), kitty_path(settings), request_deadline())
        except OutOfTime:
            return self._hand_off(settings, HANDED_OVER)
        return {**result, "code": 201}, 201

    @staticmethod
    def _hand_off(settings, reason: str):
        job = create_job(get_jobs(), "archive", reason)
        start_job(job, settings)
        return accepted(job)


class Job(Resource):
    """`GET /jobs/<id>`: a long job's status and progress."""

    def get(self, job_id: str):
        job = get_jobs().get(job_id) if is_job_id(job_id) else None
        if job is None:
            raise NotFound(f"There is no job {job_id!r}.")
        return {**job_answer(observed(job)), "code": 200}

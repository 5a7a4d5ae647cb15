"""The archive and long jobs against the local S3: states, failures, and nothing half-written."""

from __future__ import annotations

import io
import json
import time
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
import requests

from catsite.app import create_app
from catsite.deadline import OutOfTime
from catsite.jobs.runner import create_job
from catsite.pictures.archive import build_archive
from catsite.pictures.kitty import kitty_path
from catsite.stores.jobs import Job, JobKind
from catsite.web.context import current_settings, current_stores
from tests.support.api_errors import LEAKS, assert_error_shape, documented_statuses
from tests.support.deadlines import ExpiresAfter
from tests.support.emf import emf_errors, metrics_of
from tests.support.pictures import image_bytes, upload


def add_picture(client, color=(10, 20, 30)) -> dict:
    presigned = upload(client, image_bytes("PNG", color=color))
    return client.post("/cat/pics", json={"location": presigned["location"]}).get_json()


def wait_until_done(client, status_url: str) -> dict:
    for _ in range(300):
        state = client.get(status_url).get_json()
        if state["status"] in ("done", "failed"):
            return state
        time.sleep(0.05)
    raise AssertionError(f"the job did not end: {state}")


def nothing_written(s3, bucket) -> bool:
    results = s3.list_objects_v2(Bucket=bucket, Prefix="results/").get("KeyCount", 0)
    unfinished = s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
    return results == 0 and unfinished == []


def test_a_job_goes_through_queued_running_and_done(client, s3, bucket):
    """S3 versioning keeps every state the job wrote, in order."""
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    for n in range(3):
        add_picture(client, color=(n * 80, 10, 10))
    started = client.post("/cat/pics/archive", headers={"Prefer": "respond-async"})
    assert started.status_code == 202
    final = wait_until_done(client, started.get_json()["status_url"])
    assert final["status"] == "done"

    key = f"jobs/{started.get_json()['job']}.json"
    versions = s3.list_object_versions(Bucket=bucket, Prefix=key)["Versions"]
    states = [
        json.loads(s3.get_object(Bucket=bucket, Key=key, VersionId=v["VersionId"])["Body"].read())
        for v in reversed(versions)  # S3 lists versions newest first
    ]
    statuses = [s["status"] for s in states]
    assert statuses[0] == "queued" and statuses[-1] == "done"
    assert "running" in statuses
    running = [s["progress"] for s in states if s["status"] == "running"]
    assert running == sorted(running), "progress only goes forward"
    assert any(0 < p < 1 for p in running)


def put_job(jobs, **fields) -> Job:
    job = Job.from_json({**create_job(jobs, JobKind.ARCHIVE).to_json(), **fields})
    jobs.put(job)
    return job


def minutes_ago(minutes: float) -> str:
    return (
        (datetime.now(UTC) - timedelta(minutes=minutes))
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )


def test_a_running_job_shows_its_progress(app, client):
    job = put_job(current_stores(app).jobs, status="running", progress=0.42, message="Adding picture 3 of 7")
    state = client.get(f"/jobs/{job.id}").get_json()
    assert (state["status"], state["progress"], state["message"]) == (
        "running",
        0.42,
        "Adding picture 3 of 7",
    )
    assert state["status_url"] == f"/jobs/{job.id}"


def test_a_job_that_went_silent_is_reported_failed_not_running_forever(app, client):
    job = put_job(current_stores(app).jobs, status="running", progress=0.5, updated_at=minutes_ago(10))
    state = client.get(f"/jobs/{job.id}").get_json()
    assert state["status"] == "failed"
    assert "timed out or crashed" in state["reason"]


def test_a_job_that_never_started_is_reported_failed(app, client):
    job = put_job(current_stores(app).jobs, updated_at=minutes_ago(30))
    assert client.get(f"/jobs/{job.id}").get_json()["status"] == "failed"


def test_a_job_whose_s3_access_fails_ends_failed_with_a_reason_and_writes_nothing(client, s3, bucket, capfd):
    record = add_picture(client)
    s3.delete_object(Bucket=bucket, Key=f"pics/{record['id']}/original.png")
    started = client.post("/cat/pics/archive", headers={"Prefer": "respond-async"}).get_json()
    final = wait_until_done(client, started["status_url"])
    assert final["status"] == "failed"
    # JobSchema: `reason` is "why, for people": it names the picture that could not be read,
    # and no internals.
    assert record["id"] in final["reason"] and not LEAKS.search(final["reason"]), final["reason"]
    assert nothing_written(s3, bucket)
    # its line is a metric document that counts one failed job (CloudWatch user guide,
    # "Specification: Embedded metric format")
    lines = [json.loads(x) for x in capfd.readouterr().err.splitlines() if '"event": "job"' in x]
    assert [(line["job_id"], line["status"]) for line in lines] == [(started["job"], "failed")]
    assert emf_errors(lines[0]) == []
    assert metrics_of(lines[0])[("jobs_failed", (("function", "local"),))] == (1, "Count")


def test_a_job_out_of_time_fails_cleanly(settings, client, s3, bucket):
    short = create_app({**settings, "CATSITE_JOB_BUDGET_SECONDS": "1"}).test_client()
    add_picture(short)
    started = short.post("/cat/pics/archive", headers={"Prefer": "respond-async"}).get_json()
    final = wait_until_done(short, started["status_url"])
    assert final["status"] == "failed"
    assert final["reason"].strip() and not LEAKS.search(final["reason"]), final["reason"]  # for people
    assert nothing_written(s3, bucket)
    # The budget was the cause: the same job with the stage's default budget finishes.
    again = client.post("/cat/pics/archive", headers={"Prefer": "respond-async"}).get_json()
    assert wait_until_done(client, again["status_url"])["status"] == "done"


def test_an_archive_stopped_half_way_leaves_no_object_and_no_open_upload(app, client, s3, bucket, settings):
    for n in range(3):
        add_picture(client, color=(n * 50, 60, 70))
    with pytest.raises(OutOfTime):
        build_archive(current_stores(app), kitty_path(current_settings(app).root), ExpiresAfter(checks=2))
    assert nothing_written(s3, bucket)


def test_a_synchronous_archive_over_budget_hands_off_to_a_job(settings, s3, bucket):
    client = create_app({**settings, "CATSITE_LONG_WORK_BUDGET_SECONDS": "1"}).test_client()
    add_picture(client)
    answer = client.post("/cat/pics/archive")
    assert answer.status_code == 202
    final = wait_until_done(client, answer.get_json()["status_url"])
    assert final["status"] == "done"
    with zipfile.ZipFile(io.BytesIO(requests.get(final["result"]["url"], timeout=30).content)) as archive:
        assert len([n for n in archive.namelist() if n.startswith("pictures/")]) == 1


def test_a_finished_jobs_download_url_is_presigned_afresh_on_every_read(app, client, s3, bucket):
    started = client.post("/cat/pics/archive", headers={"Prefer": "respond-async"}).get_json()
    wait_until_done(client, started["status_url"])
    key = f"jobs/{started['job']}.json"
    stored = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    stored["result"]["url"] = "http://127.0.0.1:9/expired"  # what a 15-minute-old URL amounts to
    s3.put_object(Bucket=bucket, Key=key, Body=json.dumps(stored).encode())
    again = client.get(started["status_url"]).get_json()
    assert again["result"]["location"] == stored["result"]["location"]
    assert requests.get(again["result"]["url"], timeout=30).status_code == 200


@pytest.mark.parametrize(
    "job_id", ["0" * 32, "not-a-job", "..%2F..%2Fstate%2Fcat", "A" * 32, "0" * 31, "0" * 33]
)
def test_unknown_or_malformed_job_ids_are_404_json(client, bucket_state, job_id):
    before = bucket_state()
    answer = client.get(f"/jobs/{job_id}")
    assert answer.status_code == 404
    body = answer.get_json()
    assert 404 in documented_statuses(client.get("/openapi.json").get_json(), "GET", "/jobs/{job_id}")
    assert_error_shape(body, 404)
    assert bucket_state() == before

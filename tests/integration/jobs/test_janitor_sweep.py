"""What the scheduled janitor sweeps, run the way Lambda runs it (the `janitor` fixture: the
Scheduled Event given to the entry point), against the local S3.

The leftovers are made by really interrupting registrations and deletes at each of their S3
calls, through the fault proxy; only what no crash point produces (a listing marker whose record
is gone, jobs that fell silent) is written as the partial state. How it is scheduled and invoked:
test_janitor_schedule.py.
"""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime, timedelta

import requests

from catsite.deadline import Deadline
from catsite.jobs.janitor import MARGIN_SECONDS, Janitor
from catsite.jobs.runner import QUEUED_SECONDS, SILENT_SECONDS
from catsite.s3.bucket import Bucket
from catsite.s3.client import make_s3_client
from catsite.stores import Stores
from catsite_tools.local.events import LambdaContext
from tests.support import QUOTA_LEDGER, uploaded
from tests.support.emf import emf_errors, metrics_of
from tests.support.janitor import (
    GRACE,
    PICTURE_FILES,
    CountdownContext,
    assert_gallery_whole,
    complete,
    files,
    interrupt_registration,
    interrupted_deletes,
    interrupted_registrations,
    owner,
    record_step,
    registration_calls,
)


def test_the_janitor_removes_what_every_crash_point_leaves_and_keeps_young_registrations(
    janitor,
    faulty_site,
    proxy,
    bucket_state,
    s3,
    bucket,
):
    registrations, calls = interrupted_registrations(faulty_site, proxy)
    deletes = interrupted_deletes(faulty_site, proxy)
    s3.put_object(Bucket=bucket, Key=f"pics/index/0000000000001-{'0' * 32}", Body=b"")  # a lost record
    before = bucket_state()
    # What the crash points left: files without a record (after the copy, after one or both
    # renditions, a delete after the record), records without a marker (a registration before its
    # marker, a delete after it), an upload whose registration stopped just before removing it.
    kinds = {files(before, pid) for pid in registrations + deletes if not complete(before, pid)}
    renditions_only = ("original.png", "rendition", "rendition")
    assert {("original.png",), ("original.png", "rendition"), renditions_only, PICTURE_FILES} <= kinds
    leftover_uploads = [k for k in before if k.startswith("uploads/") and complete(before, owner(k))]
    assert leftover_uploads

    time.sleep(GRACE + 1.5)  # everything so far is now past the grace period
    # In flight: the original and both renditions written, the record not yet.
    young_id = interrupt_registration(faulty_site, proxy, record_step(calls), (9, 9, 9))
    young = {k: v for k, v in bucket_state().items() if k not in before}
    assert files(young, young_id) == renditions_only

    report = janitor()

    after = bucket_state()
    stays = {k: v for k, v in before.items() if not k.startswith(("pics/", "uploads/"))}
    stays |= {k: v for k, v in before.items() if k.startswith("pics/") and complete(before, owner(k))}
    stays |= {k: v for k, v in before.items() if k.startswith("uploads/") and k not in leftover_uploads}
    assert uploaded(after) == uploaded({**stays, **young})
    counted = set(json.loads(s3.get_object(Bucket=bucket, Key=QUOTA_LEDGER)["Body"].read())["pictures"])
    whole = {owner(k) for k in after if k.endswith("/record.json") and complete(after, owner(k))}
    assert whole <= counted <= whole | {young_id}  # the quota counts what is stored (and the young one)
    removed = set(uploaded(before)) - set(after)
    assert report["removed_records"] == sum(k.endswith("/record.json") for k in removed)
    assert report["removed_markers"] == sum(k.startswith("pics/index/") for k in removed) == 1
    assert report["removed_uploads"] == len(leftover_uploads)
    assert report["removed_files"] == len(removed) - report["removed_records"] - 1 - len(leftover_uploads)
    assert report["kept_young"] >= 1 and report["stopped_early"] is False
    assert report["scanned"] == sum(k.startswith(("pics/", "uploads/", "jobs/")) for k in {**before, **young})
    shown = assert_gallery_whole(faulty_site)
    assert sorted(shown) == sorted({owner(k) for k in stays if k.startswith("pics/index/")})

    again = janitor()
    assert bucket_state() == after, "a second run changes nothing"
    assert [again[k] for k in again if k.startswith("removed_") or k == "jobs_failed"] == [0] * 5


def test_a_run_cut_short_stops_cleanly_and_the_next_run_finishes(janitor, faulty_site, proxy, bucket_state):
    registrations, _ = interrupted_registrations(faulty_site, proxy)
    time.sleep(GRACE + 1.5)
    before = bucket_state()

    nearly_out = janitor(LambdaContext(remaining_ms=int(MARGIN_SECONDS * 1000) - 500))
    assert nearly_out["stopped_early"] is True and nearly_out["scanned"] == 0
    assert bucket_state() == before

    # Cut short after ever more of its checks: each run stops cleanly (nothing half-visible) and
    # the next one, walking again from the start, carries on until one finishes.
    runs = 0
    for calls in range(1, 500):
        report = janitor(CountdownContext(calls))
        runs += 1
        now = bucket_state()
        for key in now:
            if key.endswith("/record.json"):  # a record's files go only after it
                assert files(now, owner(key)) == PICTURE_FILES
        if not report["stopped_early"]:
            break
    assert runs > 1
    leftovers = [pid for pid in registrations if files(now, pid)]
    assert all(complete(now, pid) for pid in leftovers)
    assert janitor()["removed_files"] == 0


def test_renditions_stay_with_their_picture_and_go_with_an_interrupted_registration(
    janitor, faulty_site, proxy, bucket_state, local_s3, bucket, s3
):
    kept, calls = registration_calls(faulty_site, proxy)
    # Stopped at its record: original and renditions written (public), nothing names them.
    stopped = interrupt_registration(faulty_site, proxy, record_step(calls), (5, 5, 5))
    before = bucket_state()
    assert complete(before, kept) and files(before, stopped) == ("original.png", "rendition", "rendition")
    lost = [k for k in before if k.startswith(f"pics/public/{stopped}/")]

    young = janitor()  # all within the grace period: a registration may still be in flight
    assert bucket_state() == before and young["removed_files"] == 0 and young["kept_young"] >= 1

    time.sleep(GRACE + 1.5)
    report = janitor()
    after = bucket_state()
    kept_keys = {k: v for k, v in before.items() if not (k.startswith("pics/") and owner(k) == stopped)}
    assert uploaded(after) == uploaded(kept_keys)
    counted = json.loads(s3.get_object(Bucket=bucket, Key=QUOTA_LEDGER)["Body"].read())["pictures"]
    assert set(counted) == {kept}  # the interrupted one's reservation went with its files
    assert report["removed_files"] == 3 and report["removed_records"] == 0
    assert emf_errors(report) == []
    assert metrics_of(report)[("janitor_removals", (("function", "local"),))] == (3, "Count")
    assert complete(after, kept)

    # However old: a run a year later keeps every file of a complete picture.
    stores = Stores.over(Bucket(make_s3_client("us-east-1", local_s3.url), bucket))
    later = Janitor(stores, GRACE, Deadline(60), clock=lambda: time.time() + 365 * 86400).run()
    assert bucket_state() == after and later.removed_files == later.removed_records == 0

    assert assert_gallery_whole(faulty_site) == [kept]
    base = faulty_site.get(f"/cat/pics/{kept}").get_json()["thumb_url"].split("/pics/public/")[0]
    assert [requests.get(f"{base}/{key}", timeout=10).status_code in (403, 404) for key in lost] == [True] * 2


def job(status: str, quiet_seconds: float) -> dict:
    """A job as the runner writes it, last written `quiet_seconds` ago."""
    stamp = (datetime.now(UTC) - timedelta(seconds=quiet_seconds)).isoformat(timespec="milliseconds")
    stamp = stamp.replace("+00:00", "Z")
    return {
        "id": os.urandom(16).hex(),
        "kind": "archive",
        "status": status,
        "progress": 0.5,
        "message": "Working",
        "created_at": stamp,
        "updated_at": stamp,
    }


def test_jobs_silent_past_their_deadline_are_recorded_as_failed(janitor, s3, bucket, client):
    jobs = {
        "silent": job("running", SILENT_SECONDS + 60),
        "never started": job("queued", QUEUED_SECONDS + 60),
        "working": job("running", 1),
        "done": {**job("done", 3600), "progress": 1.0, "result": {"count": 1}},
    }
    for value in jobs.values():
        s3.put_object(Bucket=bucket, Key=f"jobs/{value['id']}.json", Body=json.dumps(value).encode())
    time.sleep(GRACE + 1.5)

    line = janitor()
    assert line["jobs_failed"] == 2
    # the line is a metric document (CloudWatch user guide, "Specification: Embedded metric format")
    assert emf_errors(line) == []
    assert metrics_of(line)[("jobs_failed", (("function", "local"),))] == (2, "Count")

    def stored(name):
        return json.loads(s3.get_object(Bucket=bucket, Key=f"jobs/{jobs[name]['id']}.json")["Body"].read())

    assert stored("silent")["status"] == "failed" and stored("silent")["reason"]
    assert stored("never started")["status"] == "failed"
    assert stored("working") == jobs["working"]
    assert stored("done") == jobs["done"]
    answer = client.get(f"/jobs/{jobs['silent']['id']}").get_json()
    assert answer["status"] == "failed"
    assert janitor()["jobs_failed"] == 0

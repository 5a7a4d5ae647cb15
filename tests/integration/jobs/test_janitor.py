"""The scheduled janitor, run the way Lambda runs it: EventBridge's "Scheduled Event" handed to the
configured `lambda_handler`, which gives it to Zappa's handler, which routes it to the function
the stage's `events` name. Against the local S3.

The leftovers are made by really interrupting registrations and deletes at each of their S3
calls, through the fault proxy of test_s3_faults.py; only what no crash point produces (a
listing marker whose record is gone, jobs that fell silent) is written as the partial state.
A picture's files are its record and original under `pics/<id>/` and its two renditions (display
and thumbnail) under `pics/public/<id>/`; its listing marker is under `pics/index/`.
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest
import requests

from catsite import create_app
from catsite.jobs.deadline import Deadline
from catsite.jobs.janitor import MARGIN_SECONDS, Janitor, JanitorFailed
from catsite.jobs.runner import QUEUED_SECONDS, SILENT_SECONDS
from catsite.s3.bucket import Bucket
from catsite.s3.client import make_s3_client
from catsite.services import stores_over
from catsite_tools.events import LambdaContext, scheduled_event
from catsite_tools.zappa_stage import stage_config, stage_names
from tests.support import ADMIN
from tests.support.buckets import new_bucket
from tests.support.pictures import image_bytes, upload

JANITOR = "catsite.jobs.janitor.run_janitor"
#: Short, so the test can wait it out; S3's LastModified has whole seconds.
GRACE = 3
#: A complete picture's files as `files` names them (a rendition's name is a hash of its bytes).
PICTURE_FILES = ("original.png", "record.json", "rendition", "rendition")


def rule_name(stage: str) -> str:
    """The rule `zappa schedule` creates for the janitor event of `stage` (Zappa's own naming)."""
    from zappa.core import Zappa

    event = next(e for e in stage_config(stage)["events"] if e["function"] == JANITOR)
    return Zappa.get_scheduled_event_name(object.__new__(Zappa), event, event["function"], f"catsite-{stage}")


@pytest.mark.parametrize("stage", stage_names())
def test_every_stage_schedules_the_janitor_through_its_entry_point(stage):
    config = stage_config(stage)
    assert config["lambda_handler"] == "catsite.awslambda.handler.lambda_handler"
    [event] = [e for e in config["events"] if e["function"] == JANITOR]
    assert event["expression"] == "rate(1 hour)"
    assert len(rule_name(stage)) <= 64  # EventBridge's limit on rule names


@pytest.fixture(scope="session")
def entry(zappa_settings_dir, local_s3):
    """Lambda's entry point, with Zappa's LambdaHandler loaded as on a cold start from the settings
    module Zappa writes (the environment it loads the app in is restored afterwards)."""
    saved = dict(os.environ)
    os.environ.update({"CATSITE_BUCKET": new_bucket(local_s3), "AWS_ENDPOINT_URL_S3": local_s3.url})
    sys.path.insert(0, str(zappa_settings_dir))
    try:
        from zappa.handler import LambdaHandler

        LambdaHandler("zappa_settings")
    finally:
        sys.path.remove(str(zappa_settings_dir))
        os.environ.clear()
        os.environ.update(saved)
    from catsite.awslambda.handler import lambda_handler

    return lambda_handler


class CountdownContext(LambdaContext):
    """A Lambda context with plenty of time for its first `calls` questions, then 1 s."""

    def __init__(self, calls: int):
        super().__init__()
        self.calls = calls

    def get_remaining_time_in_millis(self) -> int:
        self.calls -= 1
        return 600_000 if self.calls >= 0 else 1_000


@pytest.fixture
def janitor(entry, monkeypatch, local_s3, bucket, capfd):
    """Run the janitor as a schedule does; returns the counts its one JSON log line reports."""
    monkeypatch.setenv("CATSITE_BUCKET", bucket)
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", local_s3.url)
    monkeypatch.setenv("CATSITE_JANITOR_GRACE_SECONDS", str(GRACE))

    def run(context=None) -> dict:
        capfd.readouterr()
        returned = entry(scheduled_event(rule_name("dev")), context or LambdaContext(remaining_ms=60_000))
        lines = [json.loads(x) for x in capfd.readouterr().err.splitlines() if '"event": "janitor"' in x]
        assert len(lines) == 1, "one log line per run"
        [line] = lines
        assert {k: line[k] for k in returned} == returned
        return line

    return run


@pytest.fixture
def faulty_site(settings, proxy):
    return create_app({**settings, "AWS_ENDPOINT_URL_S3": proxy.url, "TESTING": True}).test_client()


def register(site, color) -> tuple[str, dict]:
    presigned = upload(site, image_bytes("PNG", size=(64, 48), color=color))
    return presigned["fields"]["key"].split("/")[1], presigned


def registration_calls(site, proxy) -> tuple[str, list]:
    """Register one picture; its id and the S3 calls its registration made, in order."""
    picture_id, presigned = register(site, (1, 1, 1))
    proxy.reset_calls()
    assert site.post("/cat/pics", json={"location": presigned["location"]}).status_code == 201
    return picture_id, list(proxy.calls)


def record_step(calls) -> int:
    """The number of the call that writes the record (the original and renditions are written)."""
    return 1 + next(n for n, c in enumerate(calls) if c.method == "PUT" and c.path.endswith("/record.json"))


def interrupt_registration(site, proxy, failing: int, color) -> str:
    """Register a picture, every S3 call from the `failing`th on answered 503; its id."""
    picture_id, presigned = register(site, color)
    proxy.reset_calls()
    proxy.fail_from = failing
    assert site.post("/cat/pics", json={"location": presigned["location"]}).status_code == 503
    proxy.heal()
    return picture_id


def interrupted_registrations(site, proxy) -> tuple[list[str], list]:
    """Register one picture interrupted at each S3 call its registration makes; their ids, and the
    calls of a registration."""
    _, calls = registration_calls(site, proxy)
    assert any(c.method == "PUT" and "/pics/public/" in c.path for c in calls)
    return [interrupt_registration(site, proxy, n, (n, 2, 2)) for n in range(1, len(calls) + 1)], calls


def interrupted_deletes(site, proxy) -> list[str]:
    """Register pictures and delete each, interrupted at each S3 call the delete makes."""
    ids, failing = [], 1
    while True:
        picture_id, presigned = register(site, (3, failing, 3))
        assert site.post("/cat/pics", json={"location": presigned["location"]}).status_code == 201
        proxy.reset_calls()
        proxy.fail_from = failing
        answer = site.delete(f"/cat/pics/{picture_id}", headers=ADMIN)
        proxy.heal()
        if answer.status_code == 200:  # no step left to interrupt; this one is gone for good
            return ids
        assert answer.status_code == 503
        ids.append(picture_id)
        failing += 1


def owner(key: str) -> str:
    """Whose a key is: pics/<id>/..., pics/public/<id>/..., pics/index/<time>-<id>, uploads/<id>/..."""
    if key.startswith("pics/index/"):
        return key.rsplit("-", 1)[-1]
    return key.split("/")[2 if key.startswith("pics/public/") else 1]


def files(keys, picture_id: str) -> tuple[str, ...]:
    """A picture's files among `keys`, sorted: names under pics/<id>/, "rendition" for each under
    pics/public/<id>/."""
    names = [k.split("/")[-1] for k in keys if k.startswith(f"pics/{picture_id}/")]
    return tuple(sorted(names + ["rendition" for k in keys if k.startswith(f"pics/public/{picture_id}/")]))


def complete(keys, picture_id: str) -> bool:
    """A picture the gallery shows: its files, its record and its listing marker."""
    marked = any(k.startswith("pics/index/") and k.endswith(f"-{picture_id}") for k in keys)
    return files(keys, picture_id) == PICTURE_FILES and marked


def assert_gallery_whole(site) -> list[str]:
    """Every picture the gallery lists opens, and its thumbnail is served (without a signature, as
    a browser fetches it); the ids listed."""
    items = [i for i in site.get("/cat/pics?limit=100").get_json()["items"] if i["id"] != "kitty"]
    for item in items:
        assert site.get(f"/cat/pics/{item['id']}").status_code == 200
        thumb = requests.get(item["thumb_url"], timeout=10)
        assert thumb.status_code == 200 and thumb.headers["Content-Type"] == "image/webp", item["thumb_url"]
    return [i["id"] for i in items]


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
    assert after == {**stays, **young}
    removed = set(before) - set(after)
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
    janitor, faulty_site, proxy, bucket_state, local_s3, bucket
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
    assert after == {k: v for k, v in before.items() if not (k.startswith("pics/") and owner(k) == stopped)}
    assert report["removed_files"] == 3 and report["removed_records"] == 0
    assert complete(after, kept)

    # However old: a run a year later keeps every file of a complete picture.
    stores = stores_over(Bucket(make_s3_client("us-east-1", local_s3.url), bucket))
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

    assert janitor()["jobs_failed"] == 2

    def stored(name):
        return json.loads(s3.get_object(Bucket=bucket, Key=f"jobs/{jobs[name]['id']}.json")["Body"].read())

    assert stored("silent")["status"] == "failed" and stored("silent")["reason"]
    assert stored("never started")["status"] == "failed"
    assert stored("working") == jobs["working"]
    assert stored("done") == jobs["done"]
    answer = client.get(f"/jobs/{jobs['silent']['id']}").get_json()
    assert answer["status"] == "failed"
    assert janitor()["jobs_failed"] == 0


def test_an_s3_outage_is_logged_and_fails_the_invocation_once(entry, monkeypatch, proxy, capfd):
    """The run's one line says what failed, and the invocation fails (Lambda counts an error)
    without Zappa calling the function a second time, context-less."""
    monkeypatch.setenv("CATSITE_BUCKET", "catsite-janitor-outage")
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", proxy.url)
    proxy.stop()
    capfd.readouterr()
    with pytest.raises(JanitorFailed, match="StorageUnavailable"):
        entry(scheduled_event(rule_name("dev")), LambdaContext(remaining_ms=60_000))
    lines = [json.loads(x) for x in capfd.readouterr().err.splitlines() if '"event": "janitor"' in x]
    assert len(lines) == 1
    assert lines[0]["error"].startswith("StorageUnavailable") and lines[0]["scanned"] == 0

"""S3 stopped, slow, dropping connections or answering 500/503: the site answers 503 in bounded
time, pages show a friendly error, it recovers by itself, and no multi-step write leaves anything
half-visible when S3 fails between two of its steps."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest

from catsite.app import create_app
from catsite.s3.client import S3_CLIENT_CONFIG
from tests.support import ADMIN
from tests.support.api_errors import LEAKS, assert_error_shape
from tests.support.html import assert_error_page
from tests.support.pictures import image_bytes, upload
from tests.support.s3_faults import FaultyS3

ATTEMPTS = S3_CLIENT_CONFIG.retries["max_attempts"]
#: The longest one S3 call may take before botocore gives up: every attempt may wait the full
#: connect and read timeouts, and standard retries back off at most 1 s between attempts here.
CALL_BOUND = ATTEMPTS * (S3_CLIENT_CONFIG.connect_timeout + S3_CLIENT_CONFIG.read_timeout) + (ATTEMPTS - 1)
#: Generous allowance for a loaded machine; the bound itself comes from the settings above.
MARGIN = 5.0
PIC = "ab" * 16


@pytest.fixture
def faulty_settings(settings, proxy):
    return {**settings, "AWS_ENDPOINT_URL_S3": proxy.url}


@pytest.fixture
def site(faulty_settings):
    return create_app({**faulty_settings, "TESTING": True}).test_client()


def make_fault(proxy: FaultyS3, fault: str) -> None:
    if fault == "stopped":
        proxy.stop()
    elif fault == "dropping":
        proxy.drop = True
    elif fault == "slow":
        proxy.delay = S3_CLIENT_CONFIG.read_timeout * 2  # every attempt times out
    else:
        proxy.status = int(fault)


def end_fault(proxy: FaultyS3, fault: str) -> None:
    proxy.heal()
    if fault == "stopped":
        proxy.start()


API_CALLS = [
    ("GET", "/cat", None, {}),
    ("POST", "/cat", {"says": "purr"}, {}),
    ("GET", "/cat/pics", None, {}),
    ("GET", f"/cat/pics/{PIC}", None, {}),
    ("DELETE", f"/cat/pics/{PIC}", None, ADMIN),
    ("POST", "/uploads", {"filename": "cat.png", "content_type": "image/png", "bytes": 100}, {}),
    ("POST", "/cat/pics", {"location": "s3://{bucket}/uploads/" + PIC + "/cat.png"}, {}),
]
FAST_FAULTS = ["stopped", "dropping", "403", "500", "503"]


def call(client, bucket, method, path, body, headers):
    if body and "location" in body:
        body = {"location": body["location"].replace("{bucket}", bucket)}
    return client.open(path, method=method, json=body, headers=headers)


def assert_unavailable_json(answer) -> None:
    assert answer.status_code == 503
    assert answer.mimetype == "application/json"
    assert_error_shape(answer.get_json(), 503)
    # The document's 503: "try again after Retry-After seconds" (RFC 9110 section 10.2.3).
    assert int(answer.headers["Retry-After"]) > 0


@pytest.mark.parametrize("fault", FAST_FAULTS)
@pytest.mark.parametrize(
    ("method", "path", "body", "headers"), API_CALLS, ids=[f"{m} {p}" for m, p, *_ in API_CALLS]
)
def test_api_answers_503_json_in_bounded_time_and_recovers(
    site, proxy, bucket, bucket_state, fault, method, path, body, headers
):
    before = bucket_state()
    make_fault(proxy, fault)
    started = time.monotonic()
    answer = call(site, bucket, method, path, body, headers)
    elapsed = time.monotonic() - started
    assert_unavailable_json(answer)
    assert elapsed < CALL_BOUND + MARGIN
    assert site.get("/healthz").status_code == 200  # liveness does not depend on S3
    assert bucket_state() == before

    end_fault(proxy, fault)
    again = call(site, bucket, method, path, body, headers)
    assert again.status_code != 503, again.get_json()
    assert again.status_code < 500


def test_a_refused_write_is_the_same_503_as_a_refused_read(site, proxy, bucket_state):
    """S3 refuses the PUT of POST /cat (a plain set: its only call) with 403 AccessDenied: the
    answer is the same 503 JSON a refused read gets (not a 500), and nothing changed."""
    before = bucket_state()
    proxy.reset_calls()
    proxy.fail_from, proxy.fail_status = 1, 403
    answer = site.post("/cat", json={"says": "refused"})
    assert [(c.method, c.status) for c in proxy.calls] == [("PUT", 403)]
    assert_unavailable_json(answer)
    proxy.heal()
    assert bucket_state() == before
    proxy.fail_from, proxy.fail_status = 1, 403
    assert_unavailable_json(site.get("/cat"))


@pytest.mark.parametrize("fault", FAST_FAULTS)
@pytest.mark.parametrize(
    ("method", "path", "form"), [("GET", "/", None), ("GET", "/pics", None), ("POST", "/", "purr")]
)
def test_pages_show_a_friendly_error_page_and_recover(site, proxy, fault, method, path, form):
    make_fault(proxy, fault)
    answer = site.open(path, method=method, data={"says": form} if form else None)
    assert answer.status_code == 503
    assert answer.mimetype == "text/html"
    page = answer.get_data(as_text=True)
    assert "Traceback" not in page
    assert_error_page(page, LEAKS)  # the site's own page, with a way back home

    end_fault(proxy, fault)
    assert site.open(path, method=method, data={"says": form} if form else None).status_code in (200, 303)


@pytest.mark.parametrize(("path", "page"), [("/cat", False), ("/", True)])
def test_a_slow_s3_is_cut_off_by_the_timeouts_not_the_lambda_timeout(site, proxy, path, page):
    make_fault(proxy, "slow")
    started = time.monotonic()
    answer = site.get(path)
    elapsed = time.monotonic() - started
    assert answer.status_code == 503
    assert answer.mimetype == ("text/html" if page else "application/json")
    # At least one full read timeout passed (so the proxy really was slow), and no more than the
    # bound the client configuration allows (API Gateway would cut the request at 29 s).
    assert S3_CLIENT_CONFIG.read_timeout <= elapsed < CALL_BOUND + MARGIN
    assert CALL_BOUND + MARGIN < 29
    end_fault(proxy, "slow")
    assert site.get(path).status_code == 200


# -- crash points of multi-step writes ----------------------------------------------------------


def objects(s3, bucket) -> dict[str, int]:
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
    return {o["Key"]: o["Size"] for page in pages for o in page.get("Contents", [])}


def assert_nothing_half_visible(s3, bucket, client) -> None:
    """Every record has its original and both renditions; every listing marker has its record;
    every picture the API lists or shows can be fetched."""
    keys = objects(s3, bucket)
    records = [k for k in keys if k.endswith("/record.json")]
    for record in records:
        folder = record.rsplit("/", 1)[0]
        picture_id = folder.split("/", 1)[1]
        assert any(k.startswith(f"{folder}/original.") for k in keys), f"{record} without its original"
        renditions = [k for k in keys if k.startswith(f"pics/public/{picture_id}/")]
        assert len(renditions) >= 2, f"{record} without its renditions"
    for marker in (k for k in keys if k.startswith("pics/index/")):
        assert f"pics/{marker.rsplit('-', 1)[1]}/record.json" in keys, f"{marker} without its record"
    for item in client.get("/cat/pics").get_json()["items"]:
        if item["id"] != "kitty":
            assert client.get(f"/cat/pics/{item['id']}").status_code == 200


def registration_calls(client, proxy) -> int:
    presigned = upload(client, image_bytes("PNG", size=(64, 48), color=(3, 2, 1)))
    proxy.reset_calls()
    assert client.post("/cat/pics", json={"location": presigned["location"]}).status_code == 201
    return len(proxy.calls)


def test_registration_interrupted_at_every_step_leaves_nothing_half_visible(site, proxy, s3, bucket):
    steps = registration_calls(site, proxy)
    writes = [c for c in proxy.calls if c.method in ("PUT", "DELETE", "POST")]
    assert len(writes) >= 5  # copy, thumbnail, record, index marker, upload removal
    survived = 0
    for failing in range(1, steps + 1):
        presigned = upload(site, image_bytes("PNG", size=(64, 48), color=(failing, 9, 9)))
        picture_id = presigned["fields"]["key"].split("/")[1]
        proxy.reset_calls()
        proxy.fail_from = failing
        answer = site.post("/cat/pics", json={"location": presigned["location"]})
        assert_unavailable_json(answer)
        proxy.heal()
        assert_nothing_half_visible(s3, bucket, site)

        # The client retries; the registration completes, and no stray object is left behind.
        again = site.post("/cat/pics", json={"location": presigned["location"]})
        assert again.status_code in (200, 201), again.get_json()
        keys = [k for k in objects(s3, bucket) if picture_id in k]
        private = [k for k in keys if not k.startswith("pics/public/")]
        assert sorted(k.split(picture_id)[1] for k in private) == ["", "/original.png", "/record.json"]
        record = site.get(f"/cat/pics/{picture_id}").get_json()
        renditions = {k for k in keys if k.startswith(f"pics/public/{picture_id}/")}
        named = {urlsplit(record[u]).path.split(f"/{bucket}/", 1)[1] for u in ("thumb_url", "display_url")}
        assert named == renditions  # the record's two, and no stray one from the failed attempt
        assert [i["id"] for i in site.get("/cat/pics?limit=100").get_json()["items"]].count(picture_id) == 1
        survived += 1
    assert survived == steps
    print(f"registration interrupted at each of its {steps} S3 calls: nothing half-visible")


def test_delete_interrupted_at_every_step_leaves_nothing_half_visible_and_a_retry_cleans_up(
    site, proxy, s3, bucket
):
    survived = 0
    failing = 1
    while True:
        presigned = upload(site, image_bytes("PNG", size=(64, 48), color=(7, failing, 7)))
        record = site.post("/cat/pics", json={"location": presigned["location"]}).get_json()
        proxy.reset_calls()
        proxy.fail_from = failing
        answer = site.delete(f"/cat/pics/{record['id']}", headers=ADMIN)
        proxy.heal()
        if answer.status_code == 200:  # no step left to interrupt
            break
        assert_unavailable_json(answer)
        assert_nothing_half_visible(s3, bucket, site)

        retried = site.delete(f"/cat/pics/{record['id']}", headers=ADMIN)
        assert retried.status_code in (200, 404)
        assert not [k for k in objects(s3, bucket) if record["id"] in k], "the retry removed everything"
        survived += 1
        failing += 1
    assert survived >= 4  # read record, drop the marker, drop the record, drop the files
    print(f"delete interrupted at each of its {survived} S3 calls: nothing half-visible")


def test_a_failed_write_of_what_the_cat_says_keeps_the_old_value(site, proxy):
    assert site.post("/cat", json={"says": "purr"}).status_code == 200
    proxy.reset_calls()
    proxy.fail_from = 1  # the set is one PUT, and it fails
    assert_unavailable_json(site.post("/cat", json={"says": "hiss"}))
    proxy.heal()
    assert site.get("/cat").get_json()["says"] == "purr"

"""Many writers at once, from several processes, against one live server and one local S3.

The local S3's conditional check is not atomic under races, so these tests assert the protocol
catsite follows through a recording proxy, rather than S3's own atomicity: what the cat says is
one plain PUT per set; a picture's record is created conditionally.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import pytest
import requests

from catsite.s3.keys import STATE_KEY
from tests.support.concurrent_writers import post_says, register
from tests.support.pictures import image_bytes, post_to_s3
from tests.support.processes import serve_site
from tests.support.s3_faults import FaultyS3

WRITERS = 8
WRITES_EACH = 10


@pytest.fixture
def proxy(local_s3):
    with FaultyS3(local_s3.url) as recording:
        yield recording


@pytest.fixture
def site(settings, local_s3, proxy):
    with serve_site({**settings, "AWS_ENDPOINT_URL_S3": proxy.url}, local_s3.url) as url:
        yield url


def pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))


def test_concurrent_writers_from_several_processes_all_land_one_put_each(site, proxy):
    """Setting what the cat says is a plain set: every write answers 200, each is one PUT with no
    condition and no read before it, and the cat ends saying one of the values sent."""
    with pool(WRITERS) as writers:
        runs = [writers.submit(post_says, site, w, WRITES_EACH) for w in range(WRITERS)]
        answers = [answer for run in runs for answer in run.result()]

    assert len(answers) == WRITERS * WRITES_EACH
    assert [(status, body) for value, status, body in answers if status != 200] == []
    assert all(body == {"says": value, "code": 200} for value, _, body in answers)
    sent = {value for value, _, _ in answers}
    final = requests.get(f"{site}/cat", timeout=10).json()["says"]
    assert final in sent

    puts = [c for c in proxy.calls if c.method == "PUT" and c.path.endswith(STATE_KEY)]
    # one PUT per set; botocore may repeat one whose answer it did not get (at most 2 attempts,
    # catsite.s3.client), which a plain set allows
    assert len(answers) <= len(puts) <= 2 * len(answers)
    assert all(c.if_match is None and c.if_none_match is None for c in puts)
    assert sum(c.status == 200 for c in puts) >= len(answers)
    reads = [c for c in proxy.calls if c.method == "GET" and c.path.endswith(STATE_KEY)]
    assert len(reads) == 1, "only the final GET /cat reads the state"


def test_concurrent_registrations_of_one_upload_create_one_picture(site, proxy, s3, bucket):
    presigned = requests.post(
        f"{site}/uploads",
        json={"filename": "cat.png", "content_type": "image/png", "bytes": 10_000},
        timeout=10,
    ).json()
    data = image_bytes("PNG", size=(64, 48))
    assert post_to_s3(presigned, data).status_code in (200, 204)

    with pool(WRITERS) as writers:
        runs = [writers.submit(register, site, presigned["location"]) for _ in range(WRITERS * 2)]
        answers = [run.result() for run in runs]

    statuses = [status for status, _ in answers]
    assert set(statuses) <= {200, 201, 409, 503}, statuses
    ids = {body["id"] for status, body in answers if status in (200, 201)}
    assert len(ids) == 1
    picture_id = ids.pop()
    stored = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="pics/").get("Contents", [])]
    assert sum(key.endswith("/record.json") for key in stored) == 1
    assert sum(key.startswith("pics/index/") for key in stored) == 1
    # Its renditions are named by their content, the same for every registration of one upload.
    public = [key for key in stored if key.startswith("pics/public/")]
    assert len(public) == 2
    assert all(picture_id in key for key in stored if key not in public)
    listed = requests.get(f"{site}/cat/pics", timeout=10).json()["items"]
    assert [item["id"] for item in listed] == [picture_id, "kitty"]
    creates = [c for c in proxy.calls if c.method == "PUT" and c.path.endswith("/record.json")]
    assert creates and all(c.if_none_match == "*" for c in creates), "the record is created conditionally"

"""The quota is a quota (hostile input, third pass, point 5).

With `CATSITE_MAX_PICTURES=3`, 12 concurrent registrations stored 12 pictures; 300 grants of
25 MiB were all given (7.3 GiB) and pending uploads counted against nothing. Every picture and
every grant is now reserved in the quota ledger before anything is written, by conditional writes
(S3's `If-Match`/`If-None-Match`: of concurrent writers one wins, the others get 412, "Add
preconditions to S3 operations with conditional requests", S3 user guide). The concurrent case
runs on ministack, whose conditional writes are atomic as S3's are (moto's are not: DESIGN.md).
"""

from __future__ import annotations

import threading

import pytest

from catsite.app import create_app
from tests.support.api_errors import assert_error_shape
from tests.support.pictures import image_bytes, presign, upload

MIB = 1024 * 1024


def quota_app(settings, **quota):
    config = {**settings, "TESTING": True, **{f"CATSITE_{k.upper()}": str(v) for k, v in quota.items()}}
    return create_app(config)


def pics_keys(s3, bucket) -> list[str]:
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="pics/")
    return [o["Key"] for page in pages for o in page.get("Contents", [])]


@pytest.mark.strict_s3
def test_twelve_concurrent_registrations_at_a_quota_of_three_store_three(settings, s3, bucket):
    app = quota_app(settings, max_pictures=3)
    locations = [
        upload(app.test_client(), image_bytes("PNG", color=(n * 20, 9, 9)))["location"] for n in range(12)
    ]
    answers: list = [None] * 12
    start = threading.Barrier(12)

    def register(n: int) -> None:
        client = app.test_client()
        start.wait()
        answers[n] = client.post("/cat/pics", json={"location": locations[n]})

    threads = [threading.Thread(target=register, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(a.status_code for a in answers)
    assert statuses.count(201) <= 3
    assert set(statuses) <= {201, 507}, statuses
    for answer in answers:
        if answer.status_code == 507:
            assert_error_shape(answer.get_json(), 507)
    stored = {a.get_json()["id"] for a in answers if a.status_code == 201}
    records = [k for k in pics_keys(s3, bucket) if k.endswith("/record.json")]
    assert len(records) == len(stored) <= 3
    # The refused ones left nothing under pics/: every key there is one of the stored pictures'.
    assert all(any(pid in key for pid in stored) for key in pics_keys(s3, bucket))
    listed = app.test_client().get("/cat/pics").get_json()["items"]
    assert len(listed) == len(stored) + 1  # and the kitty


def test_grants_outstanding_are_capped(settings, bucket_state):
    client = quota_app(settings, max_pending_uploads=5).test_client()
    for _ in range(5):
        assert presign(client, "cat.png", "image/png", 1000).status_code == 201
    refused = presign(client, "cat.png", "image/png", 1000)
    assert refused.status_code == 429  # a state that passes: grants expire within ten minutes
    assert_error_shape(refused.get_json(), 429)
    assert 1 <= int(refused.headers["Retry-After"]) <= 600


def test_pending_uploads_count_against_the_byte_quota(settings):
    client = quota_app(settings, max_picture_bytes=75 * MIB, max_pending_uploads=300).test_client()
    granted = [presign(client, "cat.png", "image/png", 25 * MIB).status_code for _ in range(4)]
    assert granted == [201, 201, 201, 507]


def test_a_registered_grant_stops_counting_as_pending(settings):
    app = quota_app(settings, max_pending_uploads=1)
    client = app.test_client()
    presigned = upload(client, image_bytes("PNG"))
    assert presign(client, "cat.png", "image/png", 100).status_code == 429  # the one grant waits
    assert client.post("/cat/pics", json={"location": presigned["location"]}).status_code == 201
    assert presign(client, "cat.png", "image/png", 100).status_code == 201


def test_a_deleted_picture_gives_its_place_back(settings):
    from tests.support import ADMIN

    client = quota_app(settings, max_pictures=1).test_client()
    first = client.post(
        "/cat/pics", json={"location": upload(client, image_bytes("PNG"))["location"]}
    ).get_json()
    assert presign(client, "cat.png", "image/png", 100).status_code == 507
    assert client.delete(f"/cat/pics/{first['id']}", headers=ADMIN).status_code == 200
    again = upload(client, image_bytes("PNG", color=(1, 2, 3)))
    assert client.post("/cat/pics", json={"location": again["location"]}).status_code == 201


def test_a_refused_registration_takes_no_place(settings, s3, bucket):
    """A file that is no image is refused by its checks, before anything is reserved: with a
    quota of one, the next picture still fits."""
    app = quota_app(settings, max_pictures=1)
    client = app.test_client()
    bad = upload(client, b"\x89PNG\r\n\x1a\n" + b"not really a png" * 10)
    assert client.post("/cat/pics", json={"location": bad["location"]}).status_code == 422
    good = upload(client, image_bytes("PNG"))
    assert client.post("/cat/pics", json={"location": good["location"]}).status_code == 201

"""Direct uploads to S3 and cat pictures registered by their S3 location (real local S3)."""

from __future__ import annotations

import base64
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
import requests
from PIL import Image

from catsite.app import create_app
from tests.support import ADMIN
from tests.support.api_errors import assert_error_shape
from tests.support.pictures import FORMATS, decompression_bomb, image_bytes, presign, register, upload


def policy_of(presigned: dict) -> dict:
    return json.loads(base64.b64decode(presigned["fields"]["policy"]))


# -- POST /uploads ------------------------------------------------------------------------------


def test_presigned_post_allows_exactly_one_object_of_that_type_and_size(client, bucket):
    answer = presign(client, "Mittens at the window.PNG", "image/png", 123_456)
    assert answer.status_code == 201
    body = answer.get_json()
    assert body["code"] == 201
    key = body["fields"]["key"]
    assert body["location"] == f"s3://{bucket}/{key}"
    assert key.startswith("uploads/") and key.endswith("/mittens-at-the-window.png")
    assert len(key.split("/")[1]) == 32
    assert body["max_bytes"] == 123_456

    policy = policy_of(body)
    conditions = policy["conditions"]
    assert {"bucket": bucket} in conditions
    assert {"key": key} in conditions
    assert {"Content-Type": "image/png"} in conditions
    assert ["content-length-range", 1, 123_456] in conditions
    assert {"x-amz-algorithm": "AWS4-HMAC-SHA256"} in conditions
    assert body["fields"]["x-amz-algorithm"] == "AWS4-HMAC-SHA256"
    assert body["fields"]["Content-Type"] == "image/png"
    assert not any(isinstance(c, list) and c[0] == "starts-with" for c in conditions)

    expires = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
    now = datetime.now(UTC)
    assert now < expires <= now + timedelta(minutes=10, seconds=5)
    assert datetime.fromisoformat(body["expires_at"].replace("Z", "+00:00")) <= now + timedelta(
        minutes=10, seconds=5
    )


def test_every_upload_gets_its_own_key(client):
    first = presign(client, "cat.png", "image/png", 10).get_json()["location"]
    second = presign(client, "cat.png", "image/png", 10).get_json()["location"]
    assert first != second


# -- POST /cat/pics: the whole path -------------------------------------------------------------


def test_upload_register_list_thumbnail_and_delete(client, s3, bucket):
    photo = image_bytes("PNG", size=(1200, 800))
    presigned = upload(client, photo)

    created = register(client, presigned["location"], "Mittens, surprised")
    assert created.status_code == 201
    record = created.get_json()
    assert record["caption"] == "Mittens, surprised"
    assert (record["width"], record["height"], record["bytes"]) == (1200, 800, len(photo))
    assert record["content_type"] == "image/png"
    assert len(record["id"]) == 32
    assert datetime.fromisoformat(record["created_at"].replace("Z", "+00:00")) <= datetime.now(UTC)

    assert requests.get(record["url"], timeout=10).content == photo
    thumb = requests.get(record["thumb_url"], timeout=10)
    assert thumb.headers["Content-Type"] == "image/webp"
    with Image.open(io.BytesIO(thumb.content)) as image:
        assert image.size == (480, 320) == (record["thumb_width"], record["thumb_height"])

    listing = client.get("/cat/pics").get_json()
    assert [item["id"] for item in listing["items"]] == [record["id"], "kitty"]
    assert client.get(f"/cat/pics/{record['id']}").get_json()["caption"] == "Mittens, surprised"

    upload_key = presigned["fields"]["key"]
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket, Prefix=upload_key), "the upload was moved"

    deleted = client.delete(f"/cat/pics/{record['id']}", headers=ADMIN)
    assert deleted.status_code == 200
    assert client.get(f"/cat/pics/{record['id']}").status_code == 404
    assert [item["id"] for item in client.get("/cat/pics").get_json()["items"]] == ["kitty"]
    assert s3.list_objects_v2(Bucket=bucket, Prefix="pics/").get("KeyCount") == 0


@pytest.mark.parametrize("content_type", list(FORMATS))
def test_every_allowed_format_registers(client, content_type):
    pillow_format, extension = FORMATS[content_type]
    presigned = upload(client, image_bytes(pillow_format), content_type, f"cat.{extension}")
    answer = register(client, presigned["location"])
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["content_type"] == content_type


def test_registering_the_same_upload_twice_makes_one_picture(client):
    presigned = upload(client, image_bytes("PNG"))
    first = register(client, presigned["location"], "once")
    again = register(client, presigned["location"], "twice")
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.get_json()["id"] == first.get_json()["id"]
    assert again.get_json()["caption"] == "once"
    assert [i["id"] for i in client.get("/cat/pics").get_json()["items"]] == [first.get_json()["id"], "kitty"]


def test_a_registration_that_lost_its_index_marker_is_repaired_by_registering_again(client, s3, bucket):
    presigned = upload(client, image_bytes("PNG"))
    record = register(client, presigned["location"]).get_json()
    marker = next(o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="pics/index/")["Contents"])
    s3.delete_object(Bucket=bucket, Key=marker)  # as if the function died before writing it
    assert [i["id"] for i in client.get("/cat/pics").get_json()["items"]] == ["kitty"]
    # The upload was not deleted yet either in that crash; a retry completes the registration.
    s3.put_object(
        Bucket=bucket, Key=presigned["fields"]["key"], Body=image_bytes("PNG"), ContentType="image/png"
    )
    assert register(client, presigned["location"]).status_code == 200
    assert [i["id"] for i in client.get("/cat/pics").get_json()["items"]] == [record["id"], "kitty"]
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket, Prefix="uploads/")


# -- listing ------------------------------------------------------------------------------------


def test_pictures_are_listed_newest_first_in_pages_with_the_kitty_last(client):
    ids = []
    for n in range(3):
        presigned = upload(client, image_bytes("PNG", color=(n * 60, 0, 0)))
        ids.append(register(client, presigned["location"], f"cat {n}").get_json()["id"])
    newest_first = list(reversed(ids))

    page = client.get("/cat/pics?limit=2").get_json()
    assert [i["id"] for i in page["items"]] == newest_first[:2]
    page2 = client.get(f"/cat/pics?limit=2&cursor={page['next_cursor']}").get_json()
    assert [i["id"] for i in page2["items"]] == [newest_first[2], "kitty"]
    assert page2["next_cursor"] is None

    full = client.get("/cat/pics?limit=3").get_json()
    assert [i["id"] for i in full["items"]] == newest_first
    last = client.get(f"/cat/pics?limit=3&cursor={full['next_cursor']}").get_json()
    assert [i["id"] for i in last["items"]] == ["kitty"] and last["next_cursor"] is None


def test_the_kitty_is_always_there_and_stays(client):
    kitty = client.get("/cat/pics/kitty").get_json()
    assert kitty["url"].endswith("/static/kitty.png")
    answer = client.delete("/cat/pics/kitty", headers=ADMIN)
    assert answer.status_code == 403
    assert client.get("/cat/pics/kitty").status_code == 200


@pytest.mark.parametrize("picture_id", ["0" * 32, "not-an-id", "..%2F..%2Fstate", "A" * 32, "0" * 33])
def test_unknown_or_malformed_picture_ids_are_404_json(client, bucket_state, picture_id):
    before = bucket_state()
    for method in ("get", "delete"):
        answer = getattr(client, method)(f"/cat/pics/{picture_id}", headers=ADMIN)
        assert answer.status_code == 404
        assert answer.get_json()["code"] == 404
    assert bucket_state() == before


# -- hostile registrations ----------------------------------------------------------------------


def put_upload(s3, bucket, data: bytes, content_type: str, name: str = "cat.png") -> str:
    """An object placed under uploads/ directly: what a valid grant lets through (S3 checks the
    key, the declared type and the size, never what the bytes are), so the API must refuse it."""
    key = f"uploads/{'ab' * 16}/{name}"
    s3.put_object(Bucket=bucket, Key=key, Body=data, ContentType=content_type)
    return key


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>'
HTML = b"<!doctype html><script>alert(document.cookie)</script>"


@pytest.mark.parametrize(
    ("why", "data", "content_type", "status"),
    [
        ("text under image/png", b"just some text, honestly a cat", "image/png", 422),
        ("SVG under image/png", SVG, "image/png", 422),
        ("HTML under image/jpeg", HTML, "image/jpeg", 422),
        ("a script under image/gif", b"GIF = 1; alert(1)", "image/gif", 422),
        ("a JPEG declared as PNG", image_bytes("JPEG"), "image/png", 422),
        ("a PNG header with nothing after it", b"\x89PNG\r\n\x1a\n", "image/png", 422),
        ("a decompression bomb", decompression_bomb(), "image/png", 422),
        ("an SVG type", SVG, "image/svg+xml", 422),
    ],
)
def test_objects_that_are_not_acceptable_images_are_refused_and_nothing_is_written(
    client, s3, bucket, bucket_state, why, data, content_type, status
):
    key = put_upload(s3, bucket, data, content_type)
    before = bucket_state()
    answer = register(client, f"s3://{bucket}/{key}")
    assert answer.status_code == status, answer.get_json()
    body = answer.get_json()
    assert body["code"] == status and "location" in body["errors"]
    assert bucket_state() == before


def test_an_object_larger_than_the_maximum_is_refused(settings, s3, bucket, bucket_state):
    client = create_app({**settings, "CATSITE_MAX_UPLOAD_BYTES": "2000"}).test_client()
    key = put_upload(s3, bucket, image_bytes("PNG", size=(300, 300)) + b"\0" * 3000, "image/png")
    before = bucket_state()
    answer = register(client, f"s3://{bucket}/{key}")
    assert answer.status_code == 422
    # The document's 422: too big, `errors` says which field. The stage's limit is stated where
    # the contract states it: the stage's own document, as the most a presigned upload may declare.
    body = assert_error_shape(answer.get_json(), 422)
    assert "location" in body["errors"]
    document = client.get("/openapi.json").get_json()
    assert document["components"]["schemas"]["UploadRequest"]["properties"]["bytes"]["maximum"] == 2000
    assert bucket_state() == before


def test_a_caption_over_its_limit_is_refused(client, bucket_state):
    presigned = upload(client, image_bytes("PNG"))
    before = bucket_state()
    answer = register(client, presigned["location"], "c" * 141)
    assert answer.status_code == 400 and "caption" in answer.get_json()["errors"]
    assert bucket_state() == before


def test_a_registered_pictures_key_cannot_be_registered(client, s3, bucket, bucket_state):
    presigned = upload(client, image_bytes("PNG"))
    record = register(client, presigned["location"]).get_json()
    before = bucket_state()
    for key in (f"pics/{record['id']}/original.png", f"pics/{record['id']}/record.json"):
        answer = register(client, f"s3://{bucket}/{key}")
        assert answer.status_code == 400
    assert bucket_state() == before


def test_another_file_under_a_registered_upload_token_is_a_conflict(client, s3, bucket):
    presigned = upload(client, image_bytes("PNG"))
    register(client, presigned["location"])
    token = presigned["fields"]["key"].split("/")[1]
    s3.put_object(
        Bucket=bucket, Key=f"uploads/{token}/other.png", Body=image_bytes("PNG"), ContentType="image/png"
    )
    answer = register(client, f"s3://{bucket}/uploads/{token}/other.png")
    assert answer.status_code == 409


@pytest.mark.parametrize(
    "location",
    [
        "s3://someone-elses-bucket/uploads/" + "ab" * 16 + "/cat.png",
        "s3://{bucket}/state/cat.json",
        "s3://{bucket}/results/" + "ab" * 16 + ".zip",
        "s3://{bucket}/uploads/" + "ab" * 16 + "/../../state/cat.json",
        "s3://{bucket}/uploads/" + "ab" * 16 + "/..%2F..%2Fstate%2Fcat.json",
        "s3://{bucket}/uploads/%2e%2e/cat.png",
        "s3://{bucket}/uploads//cat.png",
        "s3://{bucket}/uploads/" + "ab" * 16 + "/cat.png?versionId=1",
        "s3://{bucket}/UPLOADS/" + "ab" * 16 + "/cat.png",
        "s3://{bucket}.evil.example/uploads/" + "ab" * 16 + "/cat.png",
        "https://{bucket}.s3.amazonaws.com/uploads/" + "ab" * 16 + "/cat.png",
        "/uploads/" + "ab" * 16 + "/cat.png",
        "s3:/{bucket}/uploads/" + "ab" * 16 + "/cat.png",
        "",
    ],
)
def test_forged_locations_are_400_and_write_nothing(client, bucket, bucket_state, location):
    before = bucket_state()
    answer = register(client, location.format(bucket=bucket))
    assert answer.status_code == 400, answer.get_json()
    assert answer.get_json()["code"] == 400
    assert bucket_state() == before


def test_a_location_with_no_object_is_refused(client, bucket, bucket_state):
    before = bucket_state()
    answer = register(client, f"s3://{bucket}/uploads/{'cd' * 16}/cat.png")
    assert answer.status_code == 422
    # The document's 422: no upload is there, and `errors` says which field.
    assert "location" in assert_error_shape(answer.get_json(), 422)["errors"]
    assert bucket_state() == before


def test_registration_reads_only_what_the_image_needs_not_the_whole_object(app, s3, bucket):
    """A photo followed by 8 MB that no decoder reads: registration fetches a small part of it."""
    from catsite.web.context import current_stores

    photo = image_bytes("JPEG", size=(1600, 1200))
    key = put_upload(s3, bucket, photo + b"\0" * 8_000_000, "image/jpeg", "padded.jpg")
    fetched = []
    current_stores(app).bucket.client.meta.events.register(
        "after-call.s3.GetObject", lambda parsed, **_: fetched.append(int(parsed.get("ContentLength") or 0))
    )
    answer = app.test_client().post("/cat/pics", json={"location": f"s3://{bucket}/{key}"})
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["bytes"] == len(photo) + 8_000_000
    assert sum(fetched) < 4 * len(photo) + 256 * 1024
    assert sum(fetched) < 1_000_000

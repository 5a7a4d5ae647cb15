"""A presigned POST grants one upload: this key, this Content-Type, 1..max_bytes, until it expires.
S3 itself refuses a POST that breaks the grant, before anything is stored (AWS: "Creating a POST
policy", condition matching, and the Amazon S3 error responses). These run against ministack,
which enforces the policy as AWS does; moto stores whatever is posted, so there the API's own
re-check of the object (tests/integration/pictures/test_pictures.py) is what stands.

Each refused upload is followed by proof that nothing landed: not at the granted key, not at the
key asked for, not anywhere in the bucket; and registering the granted location finds no file.
"""

from __future__ import annotations

import base64
import json
import time
from xml.etree import ElementTree

import pytest

from catsite.s3.bucket import Bucket
from catsite.s3.client import make_s3_client
from tests.support import uploaded
from tests.support.api_errors import assert_error_shape
from tests.support.pictures import image_bytes, post_to_s3, presign

pytestmark = pytest.mark.strict_s3

PHOTO = image_bytes("PNG", size=(64, 48))


def grant(client, size: int = len(PHOTO), content_type: str = "image/png") -> dict:
    answer = presign(client, "cat.png", content_type, size)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def s3_error(answer) -> dict[str, str]:
    """S3's XML error document (S3 API reference, "Error responses"): `Code`, `Message` ..."""
    root = ElementTree.fromstring(answer.content)  # noqa: S314 - the local S3 the test started
    assert root.tag == "Error", answer.text
    return {child.tag: child.text or "" for child in root}


def error_code(answer) -> str:
    """The `<Code>` of S3's XML error document."""
    return s3_error(answer)["Code"]


def assert_refused(answer, status: int, code: str, bucket_state, client, presigned: dict) -> None:
    assert (answer.status_code, error_code(answer)) == (status, code), answer.text
    assert uploaded(bucket_state()) == {}, "nothing landed in the bucket (the grant is reserved only)"
    registered = client.post("/cat/pics", json={"location": presigned["location"]})
    assert registered.status_code == 422
    # The document's 422: no upload is there, and `errors` says which field.
    assert "location" in assert_error_shape(registered.get_json(), 422)["errors"]


def test_the_granted_upload_lands_and_fewer_bytes_than_declared_are_within_it(client, bucket_state):
    """The control for the refusals below: exactly what was granted is stored."""
    exact = grant(client)
    assert post_to_s3(exact, PHOTO).status_code == 204  # S3's default success_action_status
    smaller = grant(client, size=len(PHOTO) + 1000)  # the range is 1..max_bytes, not exactly max_bytes
    assert post_to_s3(smaller, PHOTO).status_code == 204
    assert sorted(uploaded(bucket_state())) == sorted([exact["fields"]["key"], smaller["fields"]["key"]])


def test_more_bytes_than_declared_are_refused_by_s3(client, bucket_state):
    presigned = grant(client, size=len(PHOTO) - 1)
    answer = post_to_s3(presigned, PHOTO)
    assert_refused(answer, 400, "EntityTooLarge", bucket_state, client, presigned)


def test_an_empty_file_is_refused_by_s3(client, bucket_state):
    presigned = grant(client)
    answer = post_to_s3(presigned, b"")
    assert_refused(answer, 400, "EntityTooSmall", bucket_state, client, presigned)


@pytest.mark.parametrize(
    "content_type", ["text/html", "image/svg+xml", "image/jpeg", "image/png; charset=utf-8"]
)
def test_another_content_type_is_refused_by_s3(client, bucket_state, content_type):
    presigned = grant(client)
    fields = {**presigned["fields"], "Content-Type": content_type}
    answer = post_to_s3({**presigned, "fields": fields}, PHOTO)
    assert_refused(answer, 403, "AccessDenied", bucket_state, client, presigned)


@pytest.mark.parametrize(
    "other_key",
    [
        "state/cat.json",  # the site's state
        "static/app.js",  # the site's published assets
        "uploads/{token}/other.png",  # another name under the same token
        "uploads/{other}/cat.png",  # another token
        "pictures/{token}.png",  # where registered pictures live
    ],
)
def test_another_key_is_refused_by_s3(client, bucket_state, other_key):
    presigned = grant(client)
    token = presigned["fields"]["key"].split("/")[1]
    fields = {**presigned["fields"], "key": other_key.format(token=token, other="ab" * 16)}
    answer = post_to_s3({**presigned, "fields": fields}, PHOTO)
    assert_refused(answer, 403, "AccessDenied", bucket_state, client, presigned)


def test_a_policy_edited_after_signing_is_refused_by_s3(client, bucket_state):
    """Raising the size limit inside the policy document breaks its signature."""
    presigned = grant(client, size=10)
    policy = json.loads(base64.b64decode(presigned["fields"]["policy"]))
    ranged = ["content-length-range", 1, 10_000_000]
    policy["conditions"] = [
        ranged if isinstance(c, list) and c[0] == ranged[0] else c for c in policy["conditions"]
    ]
    edited = base64.b64encode(json.dumps(policy).encode()).decode()
    answer = post_to_s3({**presigned, "fields": {**presigned["fields"], "policy": edited}}, PHOTO)
    assert_refused(answer, 403, "SignatureDoesNotMatch", bucket_state, client, presigned)


def test_an_expired_grant_is_refused_by_s3(local_s3, bucket, bucket_state, client):
    """The product's presign path with a one-second lifetime (the API grants ten minutes)."""
    store = Bucket(make_s3_client("us-east-1", local_s3.url), bucket)
    key = f"uploads/{'ef' * 16}/cat.png"
    post = store.presign_post(key, "image/png", len(PHOTO), expires_in=1)
    time.sleep(2.1)  # the policy's expiration has second precision
    presigned = {**post, "location": store.location(key)}
    answer = post_to_s3(presigned, PHOTO)
    assert_refused(answer, 403, "AccessDenied", bucket_state, client, presigned)
    # AccessDenied is also a broken condition's Code; only the Message tells expiry apart.
    assert "expired" in s3_error(answer)["Message"].lower()

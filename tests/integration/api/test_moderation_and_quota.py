"""Who may do what: deleting needs the admin token; anonymous writes are bounded by a quota."""

from __future__ import annotations

import pytest

from catsite.app import create_app
from catsite.web.context import current_settings
from tests.support import ADMIN, ADMIN_TOKEN, uploaded
from tests.support.api_errors import assert_error_shape, documented_statuses
from tests.support.headers import challenge
from tests.support.pictures import image_bytes, presign, register, upload


@pytest.fixture
def picture(client) -> dict:
    presigned = upload(client, image_bytes("PNG", size=(64, 48)))
    answer = register(client, presigned["location"])
    assert answer.status_code == 201
    return answer.get_json()


def assert_error(answer, status: int) -> dict:
    """The document's Error object for `status` (the status and shape it states, not a sentence)."""
    assert answer.status_code == status, answer.get_json()
    return assert_error_shape(answer.get_json(), status)


@pytest.mark.parametrize(
    ("headers", "invalid_token"),
    [
        # RFC 6750 section 3.1: no credentials (or none in the Bearer scheme) get a bare challenge;
        # a token that is sent and wrong gets error="invalid_token".
        ({}, False),
        ({"Authorization": "Bearer "}, False),
        ({"Authorization": f"Basic {ADMIN_TOKEN}"}, False),
        ({"Authorization": ADMIN_TOKEN}, False),
        ({"Authorization": "Bearer wrong"}, True),
        ({"Authorization": f"Bearer {ADMIN_TOKEN}x"}, True),
        ({"Authorization": f"Bearer {ADMIN_TOKEN[:-1]}"}, True),
    ],
)
def test_delete_without_the_right_token_is_refused_and_changes_nothing(
    client, picture, bucket_state, headers, invalid_token
):
    before = bucket_state()
    answer = client.delete(f"/cat/pics/{picture['id']}", headers=headers)
    document = client.get("/openapi.json").get_json()
    assert 401 in documented_statuses(document, "DELETE", "/cat/pics/{picture_id}")
    assert_error(answer, 401)
    scheme, params = challenge(answer.headers["WWW-Authenticate"])
    assert scheme == "bearer"
    assert params.get("error") == ("invalid_token" if invalid_token else None)
    assert bucket_state() == before
    assert client.get(f"/cat/pics/{picture['id']}").status_code == 200


def test_delete_with_the_token_removes_the_picture(client, picture):
    assert client.delete(f"/cat/pics/{picture['id']}", headers=ADMIN).status_code == 200
    assert client.get(f"/cat/pics/{picture['id']}").status_code == 404


def test_with_no_token_configured_nobody_may_delete(settings, picture, client, bucket_state):
    unguarded = create_app({**settings, "CATSITE_ADMIN_TOKEN": "", "TESTING": True}).test_client()
    before = bucket_state()
    for headers in ({}, ADMIN, {"Authorization": "Bearer "}):
        answer = unguarded.delete(f"/cat/pics/{picture['id']}", headers=headers)
        assert_error(answer, 403)
    assert bucket_state() == before


def test_openapi_documents_the_admin_token_on_delete(client):
    doc = client.get("/openapi.json").get_json()
    assert doc["components"]["securitySchemes"]["adminToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": doc["components"]["securitySchemes"]["adminToken"]["description"],
    }
    delete = doc["paths"]["/cat/pics/{picture_id}"]["delete"]
    assert delete["security"] == [{"adminToken": []}]
    assert {"401", "403"} <= set(delete["responses"])
    assert "security" not in doc["paths"]["/cat/pics/{picture_id}"]["get"]


# -- quotas -------------------------------------------------------------------------------------


def quota_client(settings, **quota):
    config = {**settings, "TESTING": True, **{f"CATSITE_{k.upper()}": str(v) for k, v in quota.items()}}
    return create_app(config).test_client()


def test_presign_over_the_picture_count_is_507_and_writes_nothing(settings, picture, bucket_state):
    client = quota_client(settings, max_pictures=1)
    before = bucket_state()
    answer = presign(client, "cat.png", "image/png", 100)
    assert_error(answer, 507)
    assert bucket_state() == before


def test_presign_over_the_byte_quota_is_507(settings, bucket_state):
    client = quota_client(settings, max_picture_bytes=1000)
    before = bucket_state()
    assert_error(presign(client, "cat.png", "image/png", 1001), 507)
    assert presign(client, "cat.png", "image/png", 1000).status_code == 201
    assert uploaded(bucket_state()) == uploaded(before)  # a grant stores nothing: it is reserved


def test_registration_rechecks_the_quota_before_writing(settings, client, picture, bucket_state):
    # Presigned while there was room; by the time it is registered, the quota is full.
    presigned = upload(client, image_bytes("PNG", size=(64, 48), color=(1, 2, 3)))
    full = quota_client(settings, max_pictures=1)
    before = bucket_state()
    assert_error(register(full, presigned["location"]), 507)
    assert bucket_state() == before
    # Room again (a higher quota): the same upload registers.
    assert register(quota_client(settings, max_pictures=2), presigned["location"]).status_code == 201


def test_registration_rechecks_the_byte_quota(settings, client, picture, bucket_state, s3, bucket):
    presigned = upload(client, image_bytes("PNG", size=(64, 48), color=(9, 9, 9)))
    used = sum(obj["Size"] for obj in s3.list_objects_v2(Bucket=bucket, Prefix="pics/")["Contents"])
    full = quota_client(settings, max_picture_bytes=used + 10)
    before = bucket_state()
    assert_error(register(full, presigned["location"]), 507)
    assert bucket_state() == before


def test_registering_an_existing_picture_again_is_not_counted_twice(settings, client, bucket_state):
    presigned = upload(client, image_bytes("PNG", size=(64, 48)))
    assert register(client, presigned["location"]).status_code == 201
    full = quota_client(settings, max_pictures=1)
    assert register(full, presigned["location"]).status_code == 200


def test_the_ledger_counts_each_picture_and_its_stored_bytes(client, app, picture, s3, bucket):
    """A picture is reserved with its original, renditions and record (the record's size is
    reserved up front, as RECORD_BYTES), so the ledger covers every byte it stores."""
    from catsite.pictures.quota import RECORD_BYTES
    from catsite.web.context import current_stores

    with app.app_context():
        ledger, _ = current_stores(app).quota.read()
    listed = s3.list_objects_v2(Bucket=bucket, Prefix="pics/")["Contents"]
    stored = sum(obj["Size"] for obj in listed)
    assert list(ledger.pictures) == [picture["id"]]
    reserved = ledger.pictures[picture["id"]][0]
    assert stored <= reserved <= stored + RECORD_BYTES
    assert ledger.grants == {}  # the grant became the picture


def test_one_presigned_upload_is_capped_and_scoped_to_one_key(client, app):
    """The per-upload cap: the declared size bounds the policy, and the key is exact."""
    import base64
    import json

    answer = presign(client, "cat.png", "image/png", 1234).get_json()
    policy = json.loads(base64.b64decode(answer["fields"]["policy"]))
    assert ["content-length-range", 1, 1234] in policy["conditions"]
    assert {"key": answer["fields"]["key"]} in policy["conditions"]
    assert not any(isinstance(c, list) and c[0] == "starts-with" for c in policy["conditions"])
    too_big = presign(client, "cat.png", "image/png", current_settings(app).max_upload_bytes + 1)
    assert too_big.status_code == 400

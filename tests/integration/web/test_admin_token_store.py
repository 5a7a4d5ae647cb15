"""The admin token of a deployed stage lives in SSM Parameter Store (a SecureString), read on
first use and kept for a bounded time: a rotation is honoured without a redeploy, an old token
is refused as any wrong one is (401, RFC 6750 section 3.1), and a store that cannot be read is a
503 JSON error with nothing deleted. Against moto's server, which speaks SSM's API (SSM API
reference, PutParameter and GetParameter with WithDecryption)."""

from __future__ import annotations

import time

import boto3
import pytest

from catsite.app import create_app
from catsite.awslambda.startup import prepare_for_snapshot, refresh_after_restore
from catsite.web.admin import CACHE
from catsite_tools.local.s3 import free_port
from tests.support.api_errors import assert_error_shape
from tests.support.pictures import image_bytes, upload

PARAMETER = "/catsite/test/admin-token"


@pytest.fixture
def ssm(local_s3, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSM", local_s3.url)
    client = boto3.client("ssm", endpoint_url=local_s3.url, region_name="us-east-1")
    client.put_parameter(Name=PARAMETER, Value="first-token", Type="SecureString", Overwrite=True)
    yield client
    client.delete_parameter(Name=PARAMETER)


def stored_app(settings, **more):
    config = {**settings, "CATSITE_ADMIN_TOKEN_PARAMETER": PARAMETER, "TESTING": True, **more}
    config.pop("CATSITE_ADMIN_TOKEN")
    return create_app(config)


def picture(client) -> str:
    location = upload(client, image_bytes("PNG", size=(30, 20)))["location"]
    return client.post("/cat/pics", json={"location": location}).get_json()["id"]


def delete(client, picture_id: str, token: str):
    return client.delete(f"/cat/pics/{picture_id}", headers={"Authorization": f"Bearer {token}"})


def test_the_token_is_read_from_parameter_store_and_a_rotation_is_honoured(ssm, settings):
    app = stored_app(settings, CATSITE_ADMIN_TOKEN_TTL_SECONDS="1")
    client = app.test_client()
    first, second = picture(client), picture(client)
    assert CACHE not in app.extensions, "nothing read before the first delete"

    assert delete(client, first, "first-token").status_code == 200
    ssm.put_parameter(Name=PARAMETER, Value="second-token", Type="SecureString", Overwrite=True)
    time.sleep(1.2)  # past the TTL
    third = picture(client)
    old = delete(client, third, "first-token")
    assert_error_shape(old.get_json(), 401)
    assert 'error="invalid_token"' in old.headers["WWW-Authenticate"]
    assert client.get(f"/cat/pics/{third}").status_code == 200, "nothing deleted"
    assert delete(client, second, "second-token").status_code == 200


def test_a_new_token_is_checked_against_a_fresh_read_at_once(ssm, settings, monkeypatch):
    """Within the TTL, a token that does not match the kept copy is checked once against a fresh
    read (at most once per MISMATCH_REREAD_SECONDS, here 0)."""
    monkeypatch.setattr("catsite.web.admin.MISMATCH_REREAD_SECONDS", 0.0)
    app = stored_app(settings, CATSITE_ADMIN_TOKEN_TTL_SECONDS="300")
    client = app.test_client()
    assert delete(client, "0" * 32, "first-token").status_code == 404  # authorised; no such picture
    ssm.put_parameter(Name=PARAMETER, Value="second-token", Type="SecureString", Overwrite=True)
    assert delete(client, "0" * 32, "second-token").status_code == 404
    assert delete(client, "0" * 32, "first-token").status_code == 401


def test_the_kept_copy_is_bounded_and_read_again_after_it(ssm, settings):
    app = stored_app(settings, CATSITE_ADMIN_TOKEN_TTL_SECONDS="300")
    client = app.test_client()
    assert delete(client, "0" * 32, "first-token").status_code == 404  # authorised, no such picture
    read_at = app.extensions[CACHE][1]
    assert delete(client, "0" * 32, "first-token").status_code == 404
    assert app.extensions[CACHE][1] == read_at, "kept, not read per request"


def test_a_store_that_cannot_be_read_is_503_json_and_deletes_nothing(ssm, settings, monkeypatch):
    app = stored_app(settings)
    client = app.test_client()
    kept = picture(client)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSM", f"http://127.0.0.1:{free_port()}")  # nobody listens
    answer = delete(client, kept, "first-token")
    assert_error_shape(answer.get_json(), 503)
    assert answer.headers["Retry-After"]
    assert client.get(f"/cat/pics/{kept}").status_code == 200


def test_a_missing_parameter_is_503_and_deletes_nothing(ssm, settings):
    app = stored_app(settings, CATSITE_ADMIN_TOKEN_PARAMETER="/catsite/test/no-such-token")
    client = app.test_client()
    kept = picture(client)
    assert_error_shape(delete(client, kept, "first-token").get_json(), 503)
    assert client.get(f"/cat/pics/{kept}").status_code == 200


def test_a_snapshot_never_holds_the_token(ssm, settings):
    """SnapStart: the before-snapshot preparation reads no secret, and a restore forgets any copy
    (Lambda developer guide, "Handling uniqueness with Lambda SnapStart")."""
    app = stored_app(settings)
    prepare_for_snapshot(app)
    assert CACHE not in app.extensions
    assert delete(app.test_client(), "0" * 32, "first-token").status_code == 404
    assert CACHE in app.extensions
    refresh_after_restore(app)
    assert CACHE not in app.extensions


def test_without_a_parameter_the_local_setting_is_the_token(settings):
    client = create_app({**settings, "TESTING": True}).test_client()
    assert delete(client, "0" * 32, settings["CATSITE_ADMIN_TOKEN"]).status_code == 404
    assert delete(client, "0" * 32, "first-token").status_code == 401

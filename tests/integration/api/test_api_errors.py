"""Every API error is JSON {"message", "code"} (plus "errors" per field), and changes nothing.
Hostile bodies and requests are one table: tests/integration/web/test_hostile.py."""

import json

import pytest

from catsite.app import create_app

MIB = 1024 * 1024


def assert_json_error(response, status):
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["code"] == status
    assert isinstance(body["message"], str) and len(body["message"]) > 10
    assert "Traceback" not in response.get_data(as_text=True)
    return body


def test_validation_errors_name_the_field(client):
    body = assert_json_error(client.post("/cat", json={"says": ""}), 400)
    assert "says" in body["errors"]
    assert body["errors"]["says"]


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_wrong_method_is_405_json_with_allow(client, bucket_state, method):
    before = bucket_state()
    response = client.open("/cat", method=method, json={"says": "x"})
    assert_json_error(response, 405)
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
    assert bucket_state() == before


def test_an_unknown_method_is_refused(client, bucket_state):
    before = bucket_state()
    response = client.open("/cat", method="BREW")
    assert response.status_code in (405, 501)
    assert response.get_json()["code"] == response.status_code
    assert bucket_state() == before


@pytest.mark.parametrize(
    "path",
    [
        "/cat/nope",
        "/cat/../cat/x",
        "/cat/%2e%2e/%2e%2e/etc/passwd",
        "/cat%2Fpics%2F..%2F..",
        "/jobs",
        "/cat/pics/..%2F..%2Fstate%2Fcat.json",
    ],
)
def test_unknown_api_paths_are_404_json(client, bucket_state, path):
    before = bucket_state()
    assert_json_error(client.get(path), 404)
    assert_json_error(client.post(path, json={"says": "x"}), 404)
    assert bucket_state() == before


def test_a_client_asking_for_json_gets_json_404_anywhere(client):
    assert_json_error(client.get("/no/such/thing", headers={"Accept": "application/json"}), 404)


def test_an_unexpected_error_is_500_json_without_a_traceback(settings):
    app = create_app(settings)

    @app.get("/cat/explode")
    def explode():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/cat/explode")
    body = assert_json_error(response, 500)
    assert "secret internals" not in json.dumps(body)


def test_s3_down_is_a_quick_503_json(bucket):
    from catsite_tools.local.s3 import free_port

    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens here
    client = create_app({"CATSITE_BUCKET": bucket, "AWS_ENDPOINT_URL_S3": dead}).test_client()
    response = client.get("/cat")
    assert_json_error(response, 503)
    assert response.headers["Retry-After"]
    assert_json_error(client.post("/cat", json={"says": "x"}), 503)


def test_healthz_answers_without_s3(bucket):
    from catsite_tools.local.s3 import free_port

    dead = f"http://127.0.0.1:{free_port()}"
    client = create_app({"CATSITE_BUCKET": bucket, "AWS_ENDPOINT_URL_S3": dead}).test_client()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_pictures_collection_holds_the_kitty(client):
    body = client.get("/cat/pics").get_json()
    assert body["code"] == 200
    kitty = body["items"][0]
    assert kitty["id"] == "kitty"
    assert kitty["content_type"] == "image/png"
    image = client.get(kitty["url"])
    assert image.status_code == 200
    assert image.data.startswith(b"\x89PNG\r\n\x1a\n")


def test_marshmallow_and_botocore_load_only_when_a_request_needs_them(settings):
    """Cold start: /healthz validates nothing and reads no S3, so neither library is imported;
    the first body that is validated loads marshmallow, and its errors still answer 400 JSON."""
    from tests.support.processes import run_fresh_python

    script = """
import json, sys
from catsite.app import create_app
client = create_app().test_client()
assert client.get("/healthz").status_code == 200
loaded = {name: name in sys.modules for name in ("marshmallow", "botocore", "boto3")}
bad = client.post("/cat", json={"says": ""})
print(json.dumps([loaded, bad.status_code, bad.get_json(), "marshmallow" in sys.modules]))
"""
    loaded, status, body, later = json.loads(run_fresh_python(script, settings).splitlines()[-1])
    assert loaded == {"marshmallow": False, "botocore": False, "boto3": False}
    assert status == 400 and "says" in body["errors"]
    assert later is True

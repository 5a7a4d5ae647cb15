"""What the cat says lives in S3 (`state/cat.json`), written with conditional PUTs."""

import json

import boto3
import pytest

from catsite.app import create_app
from catsite.s3.bucket import Bucket
from catsite.s3.keys import STATE_KEY
from catsite.stores.says import Says


def test_the_state_is_stored_in_s3_as_json(client, s3, bucket):
    client.post("/cat", json={"says": "purr"})
    stored = s3.get_object(Bucket=bucket, Key=STATE_KEY)
    assert json.loads(stored["Body"].read()) == {"says": "purr"}
    assert stored["ContentType"] == "application/json"


def test_another_app_instance_sees_the_change(settings):
    """Two apps with their own clients stand for two Lambda instances."""
    writer = create_app(settings).test_client()
    reader = create_app(settings).test_client()
    writer.post("/cat", json={"says": "from the other instance"})
    assert reader.get("/cat").get_json()["says"] == "from the other instance"


def _text(value):
    return value.decode() if isinstance(value, bytes) else value


def record_put_conditions(client) -> list[dict]:
    """Observe the conditional headers boto3 sends on each PutObject (botocore's event hook)."""
    seen = []

    def before_send(request, **_):
        if request.method == "PUT":
            seen.append({k: _text(request.headers.get(k)) for k in ("If-Match", "If-None-Match")})

    client.meta.events.register("before-send.s3.PutObject", before_send)
    return seen


@pytest.fixture
def says(local_s3, bucket):
    client = boto3.client("s3", endpoint_url=local_s3.url, region_name="us-east-1")
    return Says(Bucket(client, bucket))


def test_first_write_creates_with_if_none_match_and_later_writes_use_if_match(says, s3, bucket):
    seen = record_put_conditions(says.bucket.client)
    says.set("one")
    etag = s3.head_object(Bucket=bucket, Key=STATE_KEY)["ETag"]
    says.set("two")
    assert seen[0] == {"If-Match": None, "If-None-Match": "*"}
    assert seen[1] == {"If-Match": etag, "If-None-Match": None}
    assert says.get() == "two"


def test_a_concurrent_write_is_detected_and_retried_not_overwritten_blindly(says, s3, bucket):
    """Another writer changes the object between our read and our PUT: S3 answers 412, and
    the write is retried against the new ETag."""
    says.set("before")
    seen = record_put_conditions(says.bucket.client)
    interfered = []

    def other_writer(request, **_):
        if request.method == "PUT" and not interfered:
            interfered.append(True)
            s3.put_object(Bucket=bucket, Key=STATE_KEY, Body=b'{"says": "sneaky"}')

    says.bucket.client.meta.events.register("before-send.s3.PutObject", other_writer)
    says.set("after")
    assert len(seen) == 2, "the first PUT met a 412 and was retried once"
    assert seen[0]["If-Match"] != seen[1]["If-Match"], "the retry used the ETag of the newer object"
    assert says.get() == "after"


def test_retries_are_bounded_and_end_in_409(app, s3, bucket):
    """A writer that always loses gives up after a few attempts with a clear 409."""
    client = app.test_client()
    client.post("/cat", json={"says": "first"})
    from catsite.web.context import current_stores

    says = current_stores(app).says
    attempts = []

    def always_interfere(request, **_):
        if request.method == "PUT":
            attempts.append(True)
            s3.put_object(Bucket=bucket, Key=STATE_KEY, Body=json.dumps({"says": f"other {len(attempts)}"}))

    says.bucket.client.meta.events.register("before-send.s3.PutObject", always_interfere)
    response = client.post("/cat", json={"says": "never lands"})
    assert response.status_code == 409
    assert response.get_json()["code"] == 409
    assert len(attempts) == says.write_attempts
    assert client.get("/cat").get_json()["says"] != "never lands"


def test_a_damaged_state_object_reads_as_meow_and_is_repaired_by_the_next_write(client, s3, bucket):
    s3.put_object(Bucket=bucket, Key=STATE_KEY, Body=b"not json")
    assert client.get("/cat").get_json()["says"] == "meow"
    assert client.post("/cat", json={"says": "fixed"}).status_code == 200
    assert client.get("/cat").get_json()["says"] == "fixed"


def test_storage_requests_per_operation(app, client):
    """GET /cat costs one S3 request and POST /cat two (read for the ETag, conditional PUT)."""
    from catsite.web.context import current_stores

    calls = []
    current_stores(app).bucket.client.meta.events.register(
        "before-call.s3", lambda model, **_: calls.append(model.name)
    )
    client.get("/cat")
    assert calls == ["GetObject"]
    calls.clear()
    client.post("/cat", json={"says": "two requests"})
    assert calls == ["GetObject", "PutObject"]

"""What the cat says lives in S3 (`state/cat.json`), set by one PUT: the last writer wins."""

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


def record_puts(client) -> list[dict]:
    """The conditional headers botocore sends on each PutObject (its own event hook)."""
    seen = []

    def before_send(request, **_):
        if request.method == "PUT":
            seen.append({k: request.headers.get(k) for k in ("If-Match", "If-None-Match")})

    client.meta.events.register("before-send.s3.PutObject", before_send)
    return seen


@pytest.fixture
def says(local_s3, bucket):
    client = boto3.client("s3", endpoint_url=local_s3.url, region_name="us-east-1")
    return Says(Bucket(client, bucket))


def test_a_set_is_one_unconditional_put(says):
    """A plain set: the new text does not depend on the old, so nothing is read first and no
    condition can refuse it (S3 user guide, "Amazon S3 data consistency model")."""
    seen = record_puts(says.bucket.client)
    says.set("one")
    says.set("two")
    assert seen == [{"If-Match": None, "If-None-Match": None}] * 2
    assert says.get() == "two"


def test_a_write_in_between_never_refuses_a_set_the_last_writer_wins(app, s3, bucket):
    """Another writer stores its text just before every PUT of ours: ours still lands, at once."""
    client = app.test_client()
    client.post("/cat", json={"says": "first"})
    from catsite.web.context import current_stores

    says = current_stores(app).says
    interfered = []

    def other_writer(request, **_):
        if request.method == "PUT":
            interfered.append(True)
            s3.put_object(Bucket=bucket, Key=STATE_KEY, Body=json.dumps({"says": "other"}))

    says.bucket.client.meta.events.register("before-send.s3.PutObject", other_writer)
    response = client.post("/cat", json={"says": "lands"})
    assert response.status_code == 200
    assert response.get_json() == {"says": "lands", "code": 200}
    assert len(interfered) == 1, "one PUT, no retry"
    assert client.get("/cat").get_json()["says"] == "lands"


def test_a_damaged_state_object_reads_as_meow_and_is_repaired_by_the_next_write(client, s3, bucket):
    s3.put_object(Bucket=bucket, Key=STATE_KEY, Body=b"not json")
    assert client.get("/cat").get_json()["says"] == "meow"
    assert client.post("/cat", json={"says": "fixed"}).status_code == 200
    assert client.get("/cat").get_json()["says"] == "fixed"


def test_storage_requests_per_operation(app, client):
    """GET /cat costs one S3 request, and so does POST /cat (one PUT, nothing read first)."""
    from catsite.web.context import current_stores

    calls = []
    current_stores(app).bucket.client.meta.events.register(
        "before-call.s3", lambda model, **_: calls.append(model.name)
    )
    client.get("/cat")
    assert calls == ["GetObject"]
    calls.clear()
    client.post("/cat", json={"says": "one request"})
    assert calls == ["PutObject"]

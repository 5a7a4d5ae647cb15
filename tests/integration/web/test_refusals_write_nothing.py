"""A refused request writes nothing, its error document included (hostile input, third pass,
point 2).

`POST /cat` with about 85,000 unknown keys, under 1 MiB, used to answer 303: its 3.4 MB error
document was larger than the ALB carries, so it was written to `results/` like an oversize answer.
The document's Error schema bounds `errors` (at most 20 fields, 5 messages each, 200 characters)
and counts the rest in `omitted`; an error answer is never moved to S3.
"""

from __future__ import annotations

import json

from tests.support.api_errors import assert_error_shape

KEYS = 85_000


def many_unknown_keys() -> bytes:
    body = json.dumps({f"k{n}": 0 for n in range(KEYS)}, separators=(",", ":")).encode()
    assert len(body) < 1024 * 1024
    return body


def test_a_body_of_many_unknown_keys_is_a_small_400_and_writes_nothing(client, bucket_state, app):
    before = bucket_state()
    answer = client.post("/cat", data=many_unknown_keys(), content_type="application/json")
    assert answer.status_code == 400
    body = assert_error_shape(answer.get_json(), 400)
    assert len(body["errors"]) == 20
    assert body["omitted"] == KEYS + 1 - 20  # every unknown key, and the missing `says`
    assert all(len(messages) <= 5 for messages in body["errors"].values())
    assert len(answer.get_data()) < 16 * 1024
    assert bucket_state() == before


def test_long_field_names_are_cut_in_the_error_document(client, bucket_state):
    before = bucket_state()
    answer = client.post("/cat", json={"x" * 500_000: 1, "says": "purr"})
    assert answer.status_code == 400
    body = assert_error_shape(answer.get_json(), 400)
    assert all(len(name) <= 200 for name in body["errors"])
    assert len(answer.get_data()) < 4 * 1024
    assert bucket_state() == before


def test_an_error_answer_larger_than_the_door_carries_is_never_moved_to_s3(app, client, bucket_state):
    """Even an error the app made large stays an error: no 303, nothing under results/."""
    from flask import abort

    @app.get("/cat/test-big-error")
    def big_error():
        abort(400, description="m" * (2 * 1024 * 1024))

    before = bucket_state()
    answer = client.get("/cat/test-big-error")
    assert answer.status_code == 400
    assert bucket_state() == before

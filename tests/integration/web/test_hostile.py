"""The hostile-input catalogue: one table of what a stranger on the internet might send.

Every case asserts its status and what the contract says of it, not the words of today's
messages: for the API, the OpenAPI document's Error object with the field `errors` names (or none),
`Allow` on a 405 (RFC 9110 section 15.5.6), a Bearer challenge on a 401 (RFC 6750 section 3) and
the way to upload a large file on a 413 (DESIGN: "a JSON hint (`POST /uploads`)"); for a page form,
an error tied to its control, or the site's own error page. No cookie is set, no traceback shown,
and S3 holds exactly what it held before. Add a row to CASES to add a case; `{bucket}`, `{upload}`
(an object under uploads/ that is not an image) and `{text_upload}` (one declared text/html) in
any string are filled in per test.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field

import pytest

from tests.support import ADMIN, ADMIN_TOKEN
from tests.support.api_errors import LEAKS, assert_error_shape
from tests.support.headers import challenge, field_list
from tests.support.html import assert_error_page, described_by, document

HEX = "ab" * 16
UPLOAD = f"uploads/{HEX}/cat.png"
TEXT_UPLOAD = f"uploads/{'cd' * 16}/page.png"
MIB = 1024 * 1024


@dataclass(frozen=True)
class Case:
    id: str
    method: str
    path: str
    status: int
    #: The field `errors` must name (the OpenAPI document's 400 and 422: "errors says which"), or
    #: for a page form the control its error is tied to; None: the refusal is about no one field.
    field: str | None
    json: object = None  # sent as JSON
    data: bytes | str | None = None  # sent as is
    content_type: str | None = None
    headers: dict = field(default_factory=dict)
    page: bool = False  # a page form: the answer is HTML


def says(value) -> dict:
    return {"says": value}


def presign_body(**changes) -> dict:
    return {"filename": "cat.png", "content_type": "image/png", "bytes": 1000, **changes}


def location(loc, **more) -> dict:
    return {"location": loc, **more}


def nested(depth: int) -> str:
    return '{"says": ' + "[" * depth + "]" * depth + "}"


def cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


JSON = "application/json"

CASES = [
    # -- POST /cat: malformed JSON -------------------------------------------------------------
    Case("cat-truncated-json", "POST", "/cat", 400, None, data="{", content_type=JSON),
    Case("cat-empty-body", "POST", "/cat", 400, None, data="", content_type=JSON),
    Case("cat-null", "POST", "/cat", 400, None, data="null", content_type=JSON),
    Case("cat-array", "POST", "/cat", 400, None, data="[]", content_type=JSON),
    Case("cat-string-body", "POST", "/cat", 400, None, data='"purr"', content_type=JSON),
    Case("cat-deep-arrays", "POST", "/cat", 400, None, data="[" * 200_000, content_type=JSON),
    Case("cat-deep-nesting-in-says", "POST", "/cat", 400, "says", data=nested(500), content_type=JSON),
    Case("cat-nan", "POST", "/cat", 400, None, data='{"says": NaN}', content_type=JSON),
    Case("cat-infinity", "POST", "/cat", 400, None, data='{"says": -Infinity}', content_type=JSON),
    Case("cat-huge-float", "POST", "/cat", 400, "says", data='{"says": 1e999999}', content_type=JSON),
    Case(
        "cat-huge-int",
        "POST",
        "/cat",
        400,
        None,
        data='{"says": ' + "9" * 5000 + "}",
        content_type=JSON,
    ),
    Case(
        "cat-invalid-utf8",
        "POST",
        "/cat",
        400,
        None,
        data=b'{"says": "\xff\xfe"}',
        content_type=JSON,
    ),
    Case("cat-lone-surrogate", "POST", "/cat", 400, "says", data='{"says": "\\ud800"}', content_type=JSON),
    Case(
        "cat-duplicate-keys", "POST", "/cat", 400, "says", data='{"says": "a", "says": 7}', content_type=JSON
    ),
    Case(
        "cat-trailing-garbage",
        "POST",
        "/cat",
        400,
        None,
        data='{"says": "a"} x',
        content_type=JSON,
    ),
    # -- POST /cat: wrong types and values ------------------------------------------------------
    Case("cat-number", "POST", "/cat", 400, "says", json=says(123)),
    Case("cat-boolean", "POST", "/cat", 400, "says", json=says(True)),
    Case("cat-null-says", "POST", "/cat", 400, "says", json=says(None)),
    Case("cat-list", "POST", "/cat", 400, "says", json=says(["meow"])),
    Case("cat-object", "POST", "/cat", 400, "says", json=says({"$ne": ""})),
    Case("cat-missing", "POST", "/cat", 400, "says", json={}),
    Case("cat-empty", "POST", "/cat", 400, "says", json=says("")),
    Case("cat-blank", "POST", "/cat", 400, "says", json=says(" \t\n ")),
    Case("cat-too-long", "POST", "/cat", 400, "says", json=says("m" * 281)),
    Case("cat-huge-string", "POST", "/cat", 400, "says", json=says("m" * 900_000)),
    Case("cat-unknown-field", "POST", "/cat", 400, "admin", json={"says": "hi", "admin": True}),
    # -- POST /cat: Unicode edge cases and header injection -------------------------------------
    Case("cat-nul", "POST", "/cat", 400, "says", json=says("pu\u0000rr")),
    Case("cat-rtl-override", "POST", "/cat", 400, "says", json=says("\u202eruprr")),
    Case("cat-zero-width", "POST", "/cat", 400, "says", json=says("pu\u200brr")),
    Case("cat-escape-sequence", "POST", "/cat", 400, "says", json=says("\x1b[31mred")),
    Case("cat-bom-inside", "POST", "/cat", 400, "says", json=says("\ufeffpurr")),
    Case("cat-crlf-injection", "POST", "/cat", 400, "says", json=says("purr\r\nSet-Cookie: pwned=1")),
    Case("cat-private-use-is-fine-but-long", "POST", "/cat", 400, "says", json=says("\ue000" * 281)),
    # Text that draws over the page (third pass, point 7): UAX #15's stream-safe bound is 30.
    Case("cat-stacked-marks", "POST", "/cat", 400, "says", json=says("meow" + "\u0301" * 276)),
    Case("cat-31-marks-on-one", "POST", "/cat", 400, "says", json=says("a" + "\u0301" * 31)),
    Case("cat-tag-characters", "POST", "/cat", 400, "says", json=says("purr\U000e0041\U000e0042")),
    # A refusal writes nothing, its error document included (third pass, point 2).
    Case(
        "cat-85000-unknown-keys",
        "POST",
        "/cat",
        400,
        "k0",
        data=json.dumps({f"k{n}": 0 for n in range(85_000)}, separators=(",", ":")),
        content_type=JSON,
    ),
    # -- content types, sizes, methods ----------------------------------------------------------
    Case("cat-text-plain", "POST", "/cat", 415, None, data='{"says": "a"}', content_type="text/plain"),
    Case(
        "cat-form-encoded",
        "POST",
        "/cat",
        415,
        None,
        data="says=a",
        content_type="application/x-www-form-urlencoded",
    ),
    Case("cat-oversize", "POST", "/cat", 413, None, data="x" * (2 * MIB), content_type=JSON),
    Case("cat-put", "PUT", "/cat", 405, None, json=says("a")),
    Case("cat-patch", "PATCH", "/cat", 405, None, json=says("a")),
    Case("cat-delete", "DELETE", "/cat", 405, None, headers=ADMIN),
    Case(
        "cat-override-header",
        "POST",
        "/cat",
        400,
        "says",
        json=says(None),
        headers={"X-HTTP-Method-Override": "DELETE"},
    ),
    Case("cat-override-query", "POST", "/cat?_method=DELETE", 400, "says", json=says(None)),
    Case(
        "picture-post-override",
        "POST",
        f"/cat/pics/{HEX}",
        405,
        None,
        headers={"X-HTTP-Method-Override": "DELETE", **ADMIN},
    ),
    Case(
        "picture-delete-override-get",
        "DELETE",
        f"/cat/pics/{HEX}",
        401,
        None,
        headers={"X-HTTP-Method-Override": "GET"},
    ),
    Case("picture-trace", "TRACE", "/cat/pics", 405, None),
    # -- path tricks ----------------------------------------------------------------------------
    Case("path-encoded-traversal", "GET", "/cat/pics/..%2F..%2Fstate%2Fcat.json", 404, None),
    Case("path-delete-traversal", "DELETE", "/cat/pics/..%2Fstate", 404, None, headers=ADMIN),
    Case("path-dot-dot", "DELETE", "/cat/pics/..", 404, None, headers=ADMIN),
    Case("path-nul", "GET", "/cat/pics/kitty%00", 404, None),
    Case("path-crlf", "GET", "/cat/pics/x%0d%0aSet-Cookie:%20pwned=1", 404, None),
    Case("path-upper-hex-id", "DELETE", f"/cat/pics/{HEX.upper()}", 404, None, headers=ADMIN),
    Case("path-dot-segments", "GET", "/cat/pics/kitty/../../../state/cat.json", 404, None),
    Case("path-unknown-api", "GET", "/cat/pics/x/y", 404, None),
    Case("path-jobs-traversal", "GET", "/jobs/..%2F..%2Fstate", 404, None),
    # -- GET /cat/pics queries ------------------------------------------------------------------
    Case("list-limit-zero", "GET", "/cat/pics?limit=0", 400, "limit"),
    Case("list-limit-negative", "GET", "/cat/pics?limit=-5", 400, "limit"),
    Case("list-limit-huge", "GET", "/cat/pics?limit=" + "9" * 400, 400, "limit"),
    Case("list-limit-text", "GET", "/cat/pics?limit=all", 400, "limit"),
    Case("list-limit-over-max", "GET", "/cat/pics?limit=101", 400, "limit"),
    Case("list-cursor-garbage", "GET", "/cat/pics?cursor=%00%ff", 400, "cursor"),
    Case("list-cursor-forged", "GET", f"/cat/pics?cursor={cursor('../../state/cat.json')}", 400, "cursor"),
    Case("list-cursor-long", "GET", "/cat/pics?cursor=" + "A" * 5000, 400, "cursor"),
    # -- POST /uploads: presign abuse -----------------------------------------------------------
    Case(
        "presign-filename-tags",
        "POST",
        "/uploads",
        400,
        "filename",
        json=presign_body(filename="c\U000e0041.png"),
    ),
    Case("presign-zero-bytes", "POST", "/uploads", 400, "bytes", json=presign_body(bytes=0)),
    Case("presign-negative-bytes", "POST", "/uploads", 400, "bytes", json=presign_body(bytes=-1)),
    Case("presign-over-max", "POST", "/uploads", 400, "bytes", json=presign_body(bytes=10**12)),
    Case("presign-astronomical", "POST", "/uploads", 400, "bytes", json=presign_body(bytes=10**300)),
    Case("presign-bytes-as-text", "POST", "/uploads", 400, "bytes", json=presign_body(bytes="1000")),
    Case("presign-bytes-float", "POST", "/uploads", 400, "bytes", json=presign_body(bytes=1.5)),
    Case("presign-bytes-bool", "POST", "/uploads", 400, "bytes", json=presign_body(bytes=True)),
    Case(
        "presign-html-type",
        "POST",
        "/uploads",
        400,
        "content_type",
        json=presign_body(content_type="text/html"),
    ),
    Case(
        "presign-svg-type",
        "POST",
        "/uploads",
        400,
        "content_type",
        json=presign_body(content_type="image/svg+xml"),
    ),
    Case(
        "presign-type-injection",
        "POST",
        "/uploads",
        400,
        "content_type",
        json=presign_body(content_type="image/png\r\nX-Amz-Acl: public-read"),
    ),
    Case("presign-empty-name", "POST", "/uploads", 400, "filename", json=presign_body(filename="")),
    Case("presign-long-name", "POST", "/uploads", 400, "filename", json=presign_body(filename="a" * 256)),
    Case(
        "presign-nul-name", "POST", "/uploads", 400, "filename", json=presign_body(filename="cat\u0000.png")
    ),
    Case(
        "presign-rtl-name",
        "POST",
        "/uploads",
        400,
        "filename",
        json=presign_body(filename="gnp.\u202ecat.exe"),
    ),
    Case("presign-forced-key", "POST", "/uploads", 400, "key", json=presign_body(key="state/cat.json")),
    Case(
        "presign-forced-policy",
        "POST",
        "/uploads",
        400,
        "conditions",
        json=presign_body(conditions=[["starts-with", "$key", ""]]),
    ),
    Case("presign-missing-fields", "POST", "/uploads", 400, "content_type", json={"filename": "cat.png"}),
    # -- POST /cat/pics: forged S3 locations ----------------------------------------------------
    Case(
        "location-other-bucket",
        "POST",
        "/cat/pics",
        400,
        "location",
        json=location(f"s3://someone-else/{UPLOAD}"),
    ),
    Case(
        "location-https",
        "POST",
        "/cat/pics",
        400,
        "location",
        json=location("https://{bucket}.s3.amazonaws.com/" + UPLOAD),
    ),
    Case(
        "location-state-key",
        "POST",
        "/cat/pics",
        400,
        "location",
        json=location("s3://{bucket}/state/cat.json"),
    ),
    Case(
        "location-picture-key",
        "POST",
        "/cat/pics",
        400,
        "location",
        json=location(f"s3://{{bucket}}/pics/{HEX}/record.json"),
    ),
    Case(
        "location-traversal",
        "POST",
        "/cat/pics",
        400,
        "location",
        json=location(f"s3://{{bucket}}/uploads/{HEX}/../../state/cat.json"),
    ),
    Case(
        "location-upper-hex",
        "POST",
        "/cat/pics",
        400,
        "location",
        json=location(f"s3://{{bucket}}/uploads/{HEX.upper()}/cat.png"),
    ),
    Case(
        "location-nul",
        "POST",
        "/cat/pics",
        400,
        "location",
        json=location("s3://{bucket}/" + UPLOAD + "\u0000"),
    ),
    Case(
        "location-bucket-prefix-trick",
        "POST",
        "/cat/pics",
        400,
        "location",
        json=location("s3://{bucket}-evil/" + UPLOAD),
    ),
    Case("location-too-long", "POST", "/cat/pics", 400, "location", json=location("s3://" + "a" * 2000)),
    Case("location-number", "POST", "/cat/pics", 400, "location", json=location(42)),
    Case(
        "location-missing-object",
        "POST",
        "/cat/pics",
        422,
        "location",
        json=location(f"s3://{{bucket}}/uploads/{'ef' * 16}/cat.png"),
    ),
    Case(
        "location-not-an-image",
        "POST",
        "/cat/pics",
        422,
        "location",
        json=location("s3://{bucket}/{upload}"),
    ),
    Case(
        "location-html-type",
        "POST",
        "/cat/pics",
        422,
        "location",
        json=location("s3://{bucket}/{text_upload}"),
    ),
    Case(
        "caption-rtl",
        "POST",
        "/cat/pics",
        400,
        "caption",
        json=location("s3://{bucket}/{upload}", caption="\u202e"),
    ),
    Case(
        "caption-tag-characters",
        "POST",
        "/cat/pics",
        400,
        "caption",
        json=location("s3://{bucket}/{upload}", caption="a cat\U000e0020\U000e0069\U000e0067"),
    ),
    Case(
        "caption-stacked-marks",
        "POST",
        "/cat/pics",
        400,
        "caption",
        json=location("s3://{bucket}/{upload}", caption="c" + "\u0308" * 40),
    ),
    Case(
        "caption-object",
        "POST",
        "/cat/pics",
        400,
        "caption",
        json=location("s3://{bucket}/{upload}", caption={}),
    ),
    # -- DELETE /cat/pics/<id>: moderation ------------------------------------------------------
    Case("delete-no-token", "DELETE", f"/cat/pics/{HEX}", 401, None),
    Case(
        "delete-wrong-token",
        "DELETE",
        f"/cat/pics/{HEX}",
        401,
        None,
        headers={"Authorization": "Bearer guess"},
    ),
    Case("delete-token-in-query", "DELETE", f"/cat/pics/{HEX}?token={ADMIN_TOKEN}", 401, None),
    Case(
        "delete-token-as-basic",
        "DELETE",
        f"/cat/pics/{HEX}",
        401,
        None,
        headers={"Authorization": "Basic " + base64.b64encode(f"admin:{ADMIN_TOKEN}".encode()).decode()},
    ),
    Case("delete-kitty", "DELETE", "/cat/pics/kitty", 403, None, headers=ADMIN),
    # -- page forms ------------------------------------------------------------------------------
    Case(
        "page-empty-says",
        "POST",
        "/",
        400,
        "says",
        data="says=",
        content_type="application/x-www-form-urlencoded",
        page=True,
    ),
    Case(
        "page-stacked-marks",
        "POST",
        "/",
        400,
        "says",
        data="says=a" + "%CC%81" * 31,
        content_type="application/x-www-form-urlencoded",
        page=True,
    ),
    Case(
        "page-nul",
        "POST",
        "/",
        400,
        "says",
        data="says=pu%00rr",
        content_type="application/x-www-form-urlencoded",
        page=True,
    ),
    Case(
        "page-rtl",
        "POST",
        "/",
        400,
        "says",
        data="says=%E2%80%AEruprr",
        content_type="application/x-www-form-urlencoded",
        page=True,
    ),
    Case(
        "page-too-long",
        "POST",
        "/",
        400,
        "says",
        data="says=" + "m" * 5000,
        content_type="application/x-www-form-urlencoded",
        page=True,
    ),
    Case(
        "page-no-field",
        "POST",
        "/",
        400,
        "says",
        data="purr=1",
        content_type="application/x-www-form-urlencoded",
        page=True,
    ),
    Case(
        "page-oversize",
        "POST",
        "/",
        413,
        None,
        data="says=" + "m" * (2 * MIB),
        content_type="application/x-www-form-urlencoded",
        page=True,
    ),
    Case(
        "page-gallery-post",
        "POST",
        "/pics",
        405,
        None,
        data="x=1",
        content_type="application/x-www-form-urlencoded",
        page=True,
    ),
    # -- POST /cat/pics/archive and GET /jobs/<id>: long work ------------------------------------
    Case(
        "archive-oversize",
        "POST",
        "/cat/pics/archive",
        413,
        None,
        data="x" * (2 * MIB),
        content_type=JSON,
    ),
    Case("archive-put", "PUT", "/cat/pics/archive", 405, None),
    Case("archive-delete", "DELETE", "/cat/pics/archive", 405, None, headers=ADMIN),
    Case(
        "archive-override",
        "POST",
        "/cat/pics/archive",
        413,
        None,
        data="x" * (2 * MIB),
        headers={"X-HTTP-Method-Override": "DELETE", "Prefer": "respond-async"},
    ),
    Case("job-unknown", "GET", f"/jobs/{HEX}", 404, None),
    Case("job-malformed", "GET", "/jobs/not-a-job", 404, None),
    Case("job-traversal", "GET", "/jobs/..%2F..%2Fstate%2Fcat", 404, None),
    Case("job-upper-hex", "GET", f"/jobs/{HEX.upper()}", 404, None),
    Case("job-too-long", "GET", f"/jobs/{HEX}0", 404, None),
    Case("job-post", "POST", f"/jobs/{HEX}", 405, None, json={"status": "done"}),
    Case("job-delete", "DELETE", f"/jobs/{HEX}", 405, None, headers=ADMIN),
    Case("job-query-injection", "GET", f"/jobs/{HEX}?status=done&progress=1", 404, None),
    # -- merged from the API-error, presign, registration, listing and job tables ---------------
    Case("cat-form-text-as-json", "POST", "/cat", 400, None, data="says=purr", content_type=JSON),
    Case("cat-truncated-string", "POST", "/cat", 400, None, data='{"says": "pu', content_type=JSON),
    Case("cat-array-of-strings", "POST", "/cat", 400, None, json=["says", "purr"]),
    Case("cat-number-body", "POST", "/cat", 400, None, json=42),
    Case(
        "cat-deep-balanced-arrays",
        "POST",
        "/cat",
        400,
        None,
        data="[" * 50_000 + "]" * 50_000,
        content_type=JSON,
    ),
    Case("cat-rtl-extension-spoof", "POST", "/cat", 400, "says", json=says("purr\u202egnp.exe")),
    Case("cat-no-content-type", "POST", "/cat", 415, None, data='{"says": "purr"}'),
    Case(
        "presign-no-filename",
        "POST",
        "/uploads",
        400,
        "filename",
        json={"content_type": "image/png", "bytes": 10},
    ),
    Case("presign-acl", "POST", "/uploads", 400, "acl", json=presign_body(acl="public-read")),
    Case("location-null", "POST", "/cat/pics", 400, "location", json={"location": None}),
    Case("location-absent", "POST", "/cat/pics", 400, "location", json={}),
    Case("location-list", "POST", "/cat/pics", 400, "location", json={"location": ["s3://x"]}),
    Case(
        "caption-number", "POST", "/cat/pics", 400, "caption", json=location("s3://x/uploads/a/b", caption=5)
    ),
    Case("list-limit-fraction", "GET", "/cat/pics?limit=1.5", 400, "limit"),
    Case("list-cursor-not-base64", "GET", "/cat/pics?cursor=not-a-cursor", 400, "cursor"),
]


def fill(value, names: dict):
    if isinstance(value, str):
        for name, text in names.items():
            value = value.replace("{" + name + "}", text)
        return value
    if isinstance(value, dict):
        return {k: fill(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, names) for v in value]
    return value


@pytest.fixture
def seeded(client, s3, bucket):
    """A bucket with something in it: what the cat says, and two uploads that are not images."""
    assert client.post("/cat", json={"says": "purr"}).status_code == 200
    s3.put_object(Bucket=bucket, Key=UPLOAD, Body=b"not a picture at all", ContentType="image/png")
    s3.put_object(Bucket=bucket, Key=TEXT_UPLOAD, Body=b"<script>alert(1)</script>", ContentType="text/html")
    return {"bucket": bucket, "upload": UPLOAD, "text_upload": TEXT_UPLOAD}


def test_the_catalogue_is_large_and_covers_every_operation():
    from catsite.api.openapi import OPERATIONS

    assert len(CASES) >= 60
    assert len({case.id for case in CASES}) == len(CASES)
    hit = {(c.method.lower(), c.path.split("?")[0]) for c in CASES}
    for operation in OPERATIONS:
        if (
            operation.method in ("get",)
            and not operation.body
            and not operation.query
            and "{" not in operation.path
        ):
            continue  # nothing to send but the path: GET /cat, /healthz, /openapi.json
        pattern = operation.path.replace("{picture_id}", "").replace("{job_id}", "")
        assert any(m == operation.method and p.startswith(pattern) for m, p in hit), operation.path


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_hostile_request_is_refused_clearly_and_changes_nothing(client, seeded, bucket_state, case):
    before = bucket_state()
    body = fill(case.json, seeded)
    data = json.dumps(body) if case.json is not None else case.data
    content_type = JSON if case.json is not None else case.content_type
    answer = client.open(
        fill(case.path, seeded),
        method=case.method,
        data=data,
        content_type=content_type,
        headers=case.headers,
    )

    assert answer.status_code == case.status, answer.get_data(as_text=True)[:500]
    assert "Set-Cookie" not in answer.headers
    text = answer.get_data(as_text=True)
    assert "Traceback" not in text
    if case.status == 405:
        allowed = field_list(answer.headers.get("Allow"))
        assert allowed and case.method not in allowed, answer.headers.get("Allow")
    if case.page:
        assert answer.mimetype == "text/html"
        assert_page_refusal(text, case.field)
    else:
        assert answer.mimetype == "application/json"
        payload = assert_error_shape(answer.get_json(), case.status)
        assert len(payload["message"]) >= 15
        named = set(payload.get("errors", {}))
        assert case.field in named if case.field else not named, payload
        if case.status == 401:
            assert_bearer_challenge(answer.headers.get("WWW-Authenticate"), case.headers)
        if case.status == 413:
            assert "POST /uploads" in payload["message"], payload  # DESIGN's hint: upload to S3 instead
    assert bucket_state() == before
    assert client.get("/cat").get_json()["says"] == "purr"


def assert_page_refusal(html: str, control: str | None) -> None:
    """A refused page form shows the form again with an error tied to `control` (an alert among the
    elements its aria-describedby names, as WCAG 2.1's 3.3.1 "Error Identification" asks); a
    refusal of no one field is the site's own error page."""
    if control is None:
        assert_error_page(html, LEAKS)
        return
    page = document(html)
    [named] = page.find_all("input", name=control) + page.find_all("textarea", name=control)
    alerts = [e for e in described_by(page, named) if e.attrs.get("role") == "alert"]
    assert alerts and all(alert.text() for alert in alerts), html


def assert_bearer_challenge(value: str | None, sent: dict) -> None:
    """RFC 6750 section 3: a 401 challenges with the Bearer scheme; a bearer token that was sent
    and is wrong is `error="invalid_token"` (3.1), and a request without one gets no error code."""
    assert value, "a 401 carries WWW-Authenticate (RFC 9110 section 15.5.2)"
    scheme, params = challenge(value)
    assert scheme == "bearer", value
    sent_scheme, _, token = sent.get("Authorization", "").partition(" ")
    sent_token = sent_scheme.lower() == "bearer" and token.strip()
    assert params.get("error") == ("invalid_token" if sent_token else None), value

"""The Lambda role holds only what catsite calls: checked against the S3 operations a run of the
API's main paths really makes (recorded from botocore's own events), not against a list kept by
hand."""

from __future__ import annotations

import fnmatch
import json
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest

from catsite.app import create_app
from catsite.deadline import Deadline, OutOfTime
from catsite.jobs.janitor import Janitor
from catsite.jobs.runner import create_job
from catsite.pictures.archive import build_archive
from catsite.pictures.kitty import kitty_path
from catsite.s3.bucket import Bucket
from catsite.s3.client import S3_CLIENT_CONFIG
from catsite.web.context import current_settings, current_stores
from catsite_tools.deploy.iam import policy, render, stage_policies
from catsite_tools.deploy.zappa_stage import function_name, stage_config
from tests.support import ADMIN
from tests.support.deadlines import ExpiresAfter
from tests.support.pictures import image_bytes, upload

ROOT = Path(__file__).resolve().parents[3]
SETTINGS_FILE = ROOT / "zappa_settings.json"
SETTINGS = json.loads(SETTINGS_FILE.read_text())

#: The IAM action each S3 API operation needs (object operations on their key).
OBJECT_ACTIONS = {
    "GetObject": ["s3:GetObject"],
    "HeadObject": ["s3:GetObject"],
    "PutObject": ["s3:PutObject"],
    "DeleteObject": ["s3:DeleteObject"],
    "CreateMultipartUpload": ["s3:PutObject"],
    "UploadPart": ["s3:PutObject"],
    "CompleteMultipartUpload": ["s3:PutObject"],
    "AbortMultipartUpload": ["s3:AbortMultipartUpload"],
}


def statements(document: dict) -> list[dict]:
    return [
        {
            **s,
            "Action": s["Action"] if isinstance(s["Action"], list) else [s["Action"]],
            "Resource": s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]],
        }
        for s in document["Statement"]
    ]


def allowed(document: dict, action: str, resource: str) -> bool:
    return any(
        s["Effect"] == "Allow"
        and action in s["Action"]
        and any(fnmatch.fnmatchcase(resource, pattern) for pattern in s["Resource"])
        and "Condition" not in s
        for s in statements(document)
    )


@pytest.mark.parametrize("stage", sorted(SETTINGS))
def test_each_stage_attaches_its_generated_policy(stage):
    config = stage_config(stage, SETTINGS_FILE)
    path, expected = stage_policies(SETTINGS_FILE)[stage]
    assert config["attach_policy"] == str(path)
    assert config.get("manage_roles", True) is True  # Zappa puts the file as the role's only policy
    assert (ROOT / path).read_text() == render(expected), "run scripts/iam-policy"


@pytest.mark.parametrize("stage", sorted(SETTINGS))
def test_nothing_broader_than_the_stage_is_granted(stage):
    config = stage_config(stage, SETTINGS_FILE)
    bucket = config["aws_environment_variables"]["CATSITE_BUCKET"]
    function = function_name(stage, SETTINGS_FILE)
    document = json.loads((ROOT / stage_policies(SETTINGS_FILE)[stage][0]).read_text())
    env = config["aws_environment_variables"]
    for s in statements(document):
        assert s["Effect"] == "Allow" and "NotAction" not in s and "NotResource" not in s
        for action in s["Action"]:
            assert "*" not in action, f"wildcard action {action}"
        for resource in s["Resource"]:
            if resource == "*":
                # X-Ray's segment actions take no resource but `*` (Service Authorization
                # Reference, "Actions defined by AWS X-Ray"): active tracing, nothing else.
                assert config.get("xray_tracing") is True
                assert s["Action"] == ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
                continue
            assert not resource.startswith("arn:aws:s3:::*")
            service = resource.split(":")[2]
            if service == "s3":
                assert resource == f"arn:aws:s3:::{bucket}" or resource.startswith(f"arn:aws:s3:::{bucket}/")
                assert resource != f"arn:aws:s3:::{bucket}/*", "objects are granted by prefix"
            elif service == "lambda":
                assert s["Action"] == ["lambda:InvokeFunction"]
                # the function itself (tasks), or the alias API Gateway invokes (SnapStart)
                assert resource.split(":function:")[1] in (function, f"{function}:snapstart")
            elif service == "ssm":
                # the admin token's one parameter, read only
                assert s["Action"] == ["ssm:GetParameter"]
                assert resource.endswith(":parameter" + env["CATSITE_ADMIN_TOKEN_PARAMETER"])
            elif service == "sqs":
                # the failed-work queue, sent to only (Lambda's on-failure destination)
                assert s["Action"] == ["sqs:SendMessage"] and resource.endswith(f":{function}-failed")
            else:
                assert service == "logs" and f"/aws/lambda/{function}" in resource
    services = {r.split(":")[2] for s in statements(document) for r in s["Resource"] if r != "*"}
    assert services == {"s3", "lambda", "logs", "ssm", "sqs"}


def needed(bucket: str, operation: str, params: dict) -> list[tuple[str, str]]:
    """(action, resource ARN) pairs one S3 call needs."""
    if operation == "CreateBucket":
        # botocore builds a presigned POST on CreateBucket's model; nothing is sent. The POST it
        # signs needs s3:PutObject on its one key, checked with the presigned answer below.
        assert set(params) == {"Bucket"}
        return []
    if operation == "ListObjectsV2":
        return [("s3:ListBucket", f"arn:aws:s3:::{bucket}")]
    if operation == "CopyObject":
        source = params["CopySource"]
        return [
            ("s3:GetObject", f"arn:aws:s3:::{source['Bucket']}/{source['Key']}"),
            ("s3:PutObject", f"arn:aws:s3:::{bucket}/{params['Key']}"),
        ]
    if operation == "DeleteObjects":
        return [("s3:DeleteObject", f"arn:aws:s3:::{bucket}/{o['Key']}") for o in params["Delete"]["Objects"]]
    return [(action, f"arn:aws:s3:::{bucket}/{params['Key']}") for action in OBJECT_ACTIONS[operation]]


def recording_client(local_s3):
    """An S3 client on its own botocore session, so a recording hook sees its calls only."""
    return boto3.session.Session().client(
        "s3", region_name="us-east-1", endpoint_url=local_s3.url, config=S3_CLIENT_CONFIG
    )


def record_calls(s3, bucket: str) -> list[tuple[str, dict]]:
    """Every S3 operation `s3` makes from now on, with its parameters (botocore's own event)."""
    calls: list[tuple[str, dict]] = []

    def record(params, model, **_):
        assert params.get("Bucket") == bucket, f"{model.name} on another bucket"
        calls.append((model.name, dict(params)))

    s3.meta.events.register("provide-client-params.s3.*", record)
    return calls


def test_every_s3_call_of_the_main_paths_is_allowed_and_every_grant_is_used(settings, local_s3, bucket):
    s3 = recording_client(local_s3)
    app = create_app({**settings, "TESTING": True}, bucket=Bucket(s3, bucket))
    stores = current_stores(app)
    client = app.test_client()
    calls = record_calls(s3, bucket)

    # The main paths: what the cat says (create, then replace), uploads, pictures, moderation.
    assert client.get("/cat").status_code == 200
    assert client.post("/cat", json={"says": "purr"}).status_code == 200
    assert client.post("/cat", json={"says": "hiss"}).status_code == 200
    presigned = upload(client, image_bytes("PNG", size=(64, 48)))
    record_answer = client.post("/cat/pics", json={"location": presigned["location"]})
    assert record_answer.status_code == 201
    picture = record_answer.get_json()
    assert client.post("/cat/pics", json={"location": presigned["location"]}).status_code == 200
    assert client.get("/cat/pics").status_code == 200
    assert client.get(f"/cat/pics/{picture['id']}").status_code == 200
    assert client.delete(f"/cat/pics/{picture['id']}", headers=ADMIN).status_code == 200
    assert client.delete(f"/cat/pics/{picture['id']}", headers=ADMIN).status_code == 404
    with app.app_context():
        _, result_url = stores.results.put(b"{}", "application/json", "json")  # an oversize answer
    # Long work: an archive (multipart upload), one stopped half-way (aborted), a job's state.
    presigned = upload(client, image_bytes("PNG", size=(32, 24)))
    assert client.post("/cat/pics", json={"location": presigned["location"]}).status_code == 201
    archive = client.post("/cat/pics/archive")
    assert archive.status_code == 201
    with pytest.raises(OutOfTime):
        build_archive(stores, kitty_path(current_settings(app).root), ExpiresAfter(checks=1))
    job = create_job(stores.jobs, "archive")
    assert client.get(f"/jobs/{job.id}").status_code == 200

    document = policy(bucket, "catsite-test", "us-east-1")
    used = set()
    for operation, params in calls:
        for action, resource in needed(bucket, operation, params):
            assert allowed(document, action, resource), f"{operation} needs {action} on {resource}"
            used |= {
                (s["Sid"], action)
                for s in statements(document)
                if action in s["Action"] and any(fnmatch.fnmatchcase(resource, p) for p in s["Resource"])
            }

    # Presigned URLs act with the role's credentials: one key each, and short-lived.
    fields = presigned["fields"]
    assert allowed(document, "s3:PutObject", f"arn:aws:s3:::{bucket}/{fields['key']}")
    # Renditions are read unsigned (a stage's distribution reads pics/public/*, not the role).
    assert "X-Amz-Signature" not in picture["thumb_url"] and "/pics/public/" in picture["thumb_url"]
    for url in (picture["url"], result_url, archive.get_json()["url"]):
        parts = urlsplit(url)
        key = parts.path.split(f"/{bucket}/", 1)[1]
        assert allowed(document, "s3:GetObject", f"arn:aws:s3:::{bucket}/{key}")
        assert int(parse_qs(parts.query)["X-Amz-Expires"][0]) <= 15 * 60
        used.add(("S3" + key.split("/")[0].title(), "s3:GetObject"))
    used.add(("S3Uploads", "s3:PutObject"))

    granted = {(s["Sid"], a) for s in statements(document) if s["Sid"].startswith("S3") for a in s["Action"]}
    assert granted <= used, f"granted but never used: {sorted(granted - used)}"


def test_every_s3_call_of_the_janitor_is_allowed(settings, local_s3, bucket):
    """The janitor, run over every kind of leftover it removes and a silent job it records as
    failed, calls nothing the stage's role lacks."""
    s3 = recording_client(local_s3)
    app = create_app({**settings, "TESTING": True}, bucket=Bucket(s3, bucket))
    stores = current_stores(app)
    client = app.test_client()
    kept = upload(client, image_bytes("PNG", size=(32, 24)))
    assert client.post("/cat/pics", json={"location": kept["location"]}).status_code == 201
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    record = next(k for k in keys if k.endswith("/record.json"))
    s3.put_object(Bucket=bucket, Key=kept["fields"]["key"], Body=b"x")  # its upload, left behind
    s3.put_object(Bucket=bucket, Key=f"pics/{'1' * 32}/original.png", Body=b"x")  # no record
    s3.copy_object(
        Bucket=bucket, Key=f"pics/{'2' * 32}/record.json", CopySource={"Bucket": bucket, "Key": record}
    )
    s3.put_object(Bucket=bucket, Key=f"pics/index/0000000000001-{'3' * 32}", Body=b"")  # no record
    job = create_job(stores.jobs, "archive")
    s3.put_object(
        Bucket=bucket,
        Key=f"jobs/{job.id}.json",
        Body=json.dumps({**job.to_json(), "updated_at": "2020-01-01T00:00:00.000Z"}),
    )

    calls = record_calls(s3, bucket)
    later = Janitor(stores, 60, Deadline(600), clock=lambda: time.time() + 3600)
    report = later.run()
    assert report.removed_files and report.removed_records and report.removed_markers
    assert report.removed_uploads == 1 and report.jobs_failed == 1 and not report.stopped_early

    document = policy(bucket, "catsite-test", "us-east-1")
    assert {operation for operation, _ in calls} == {
        "ListObjectsV2",
        "GetObject",
        "DeleteObjects",
        "PutObject",
    }
    for operation, params in calls:
        for action, resource in needed(bucket, operation, params):
            assert allowed(document, action, resource), (
                f"the janitor's {operation} needs {action} on {resource}"
            )

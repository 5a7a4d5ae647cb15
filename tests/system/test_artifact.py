"""The built Lambda zip, run as Lambda runs it.

`scripts/package dev` builds the zip once per test session. It is unzipped into a read-only folder
and its entry point (`lambda_handler` in zappa_settings.json) is called in a fresh `python -I -S`
process whose path holds only that folder and a folder with boto3, as Lambda's runtime provides it
(catsite_tools.local.lambda_worker). Every front door's event goes in; pages, JSON, the base64 PNG and JSON
errors come out, and every module of the artifact was loaded from valid bytecode.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from catsite_tools.local.events import CUSTOM_DOMAIN, alb_event, function_url_event, http_event, rest_event
from catsite_tools.local.lambda_worker import LambdaProcess, unpack
from tests.support import ROOT
from tests.support.buckets import new_bucket
from tests.support.html import document

KITTY = (ROOT / "static" / "kitty.png").read_bytes()
#: zappa_settings.json's runtime for every stage: python3.13 (python3.11 is deprecated in 2027).
LAMBDA_PYTHON = (3, 13)
RUNTIME = ROOT / "build" / "lambda-runtime"

DOORS = {
    "rest-execute-api": (lambda m, p, **kw: rest_event(m, p, stage="dev", **kw), "/dev"),
    "rest-custom-domain": (lambda m, p, **kw: rest_event(m, p, stage="dev", host=CUSTOM_DOMAIN, **kw), ""),
    "http-api": (lambda m, p, **kw: http_event(m, p, stage="$default", **kw), ""),
    "function-url": (function_url_event, ""),
    "alb": (lambda m, p, **kw: alb_event(m, p, multi_value=False, **kw), ""),
    "alb-multi-value": (lambda m, p, **kw: alb_event(m, p, multi_value=True, **kw), ""),
}


@pytest.fixture(scope="session")
def task_folder(lambda_zip, tmp_path_factory) -> Path:
    return unpack(lambda_zip, tmp_path_factory.mktemp("var-task") / "task")


def lambda_env(local_s3, bucket) -> dict:
    """The environment Lambda gives the function: its configuration's variables, credentials."""
    keep = {k: os.environ[k] for k in ("PATH", "LANG") if k in os.environ}
    return {
        **keep,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_LAMBDA_FUNCTION_NAME": "catsite-dev",
        "CATSITE_BUCKET": bucket,
        "AWS_ENDPOINT_URL_S3": local_s3.url,
    }


@pytest.fixture
def artifact(task_folder, local_s3):
    bucket = new_bucket(local_s3)
    with LambdaProcess([task_folder, RUNTIME], env=lambda_env(local_s3, bucket), cwd=task_folder) as worker:
        yield worker


def read(answer: dict) -> tuple[int, dict, bytes]:
    body = answer.get("body") or ""
    raw = base64.b64decode(body) if answer.get("isBase64Encoded") else body.encode("utf-8")
    headers = {k.lower(): v[0] for k, v in (answer.get("multiValueHeaders") or {}).items()}
    headers.update({k.lower(): v for k, v in (answer.get("headers") or {}).items()})
    return answer["statusCode"], headers, raw


@pytest.mark.parametrize("door", list(DOORS))
def test_every_door_gets_pages_json_the_png_and_json_errors(artifact, door):
    build, prefix = DOORS[door]

    status, headers, body = read(artifact.invoke(build("GET", "/", headers={"Accept": "text/html"})))
    assert status == 200 and headers["content-type"].startswith("text/html")
    # The page's script takes its API base from the form the page renders (DESIGN, "Front doors").
    forms = document(body.decode()).find_all("form")
    assert [form.attrs.get("data-api") for form in forms] == [f"{prefix}/cat"]

    status, headers, body = read(artifact.invoke(build("GET", "/cat")))
    assert (status, json.loads(body)) == (200, {"says": "meow", "code": 200})

    said = {"says": f"hello from the zip via {door}"}
    post = build("POST", "/cat", body=json.dumps(said), headers={"Content-Type": "application/json"})
    assert read(artifact.invoke(post))[0] == 200
    assert json.loads(read(artifact.invoke(build("GET", "/cat")))[2])["says"] == said["says"]

    answer = artifact.invoke(build("GET", "/static/kitty.png"))
    assert answer["isBase64Encoded"] is True
    assert read(answer)[2] == KITTY

    status, headers, body = read(artifact.invoke(build("GET", "/cat/no-such-thing")))
    assert status == 404 and headers["content-type"] == "application/json"
    assert json.loads(body)["code"] == 404

    bad = build("POST", "/cat", body="{not json", headers={"Content-Type": "application/json"})
    status, headers, body = read(artifact.invoke(bad))
    assert status == 400 and json.loads(body)["code"] == 400


def test_every_module_of_the_artifact_loads_from_valid_bytecode(artifact):
    for build, _ in DOORS.values():
        artifact.invoke(build("GET", "/"))
        artifact.invoke(
            build("POST", "/cat", body='{"says": "x"}', headers={"Content-Type": "application/json"})
        )
    for path in ("/pics", "/docs", "/openapi.json", "/cat/pics"):
        status, _, _ = read(artifact.invoke(rest_event("GET", path, headers={"Accept-Encoding": "gzip"})))
        assert status == 200, path
    report = artifact.report()
    loaded = set(report["modules"])
    assert {
        "catsite.awslambda.handler",
        "catsite.api.cat",
        "flask",
        "werkzeug",
        "jinja2",
        "flask_restful",
    } <= loaded
    assert {"marshmallow", "zappa_settings", "botocore", "apispec", "catsite.api.openapi"} <= loaded
    assert "boto3" not in loaded and "s3transfer" not in loaded  # the S3 client is botocore's own
    assert report["task_modules"] > 100
    assert report["compiled"] == [], "compiled from source at cold start"
    assert report["stale"] == []


#: Packages cold start must not pay for unless the request needs them (catsite.lazy).
HEAVY = ("boto3", "botocore", "s3transfer", "marshmallow", "apispec", "zappa", "PIL", "asyncio")


def top_level(modules) -> set[str]:
    return {name.split(".", 1)[0] for name in modules}


def first_request_loads(task_folder, env, event) -> set[str]:
    """The top-level packages a fresh function process holds after its first event."""
    with LambdaProcess([task_folder, RUNTIME], env=env, cwd=task_folder) as worker:
        answer = worker.invoke(event)
        assert answer["statusCode"] == 200, answer
        return top_level(worker.report()["modules"])


def test_healthz_loads_none_of_the_heavy_packages(task_folder, local_s3):
    """Liveness needs no S3, no schema, no document and no Zappa: none of them loads."""
    env = lambda_env(local_s3, "no-such-bucket")
    loaded = first_request_loads(task_folder, env, alb_event("GET", "/healthz"))
    assert loaded & set(HEAVY) == set()
    assert {"catsite", "flask", "werkzeug", "jinja2"} <= loaded


def test_the_home_page_loads_botocore_and_nothing_else_heavy(task_folder, local_s3):
    """`GET /` reads what the cat says from S3 (botocore, no boto3), and validates nothing."""
    env = lambda_env(local_s3, new_bucket(local_s3))
    loaded = first_request_loads(task_folder, env, rest_event("GET", "/"))
    assert loaded & set(HEAVY) == {"botocore"}


def test_the_first_answer_is_built_with_the_collector_paused_and_start_up_is_frozen(task_folder, local_s3):
    env = lambda_env(local_s3, "no-such-bucket")
    with LambdaProcess([task_folder, RUNTIME], env=env, cwd=task_folder) as worker:
        before = worker.report()["gc"]
        assert worker.invoke(rest_event("GET", "/healthz"))["statusCode"] == 200
        after_first = worker.report()["gc"]
        assert worker.invoke(rest_event("GET", "/healthz"))["statusCode"] == 200
        after_second = worker.report()["gc"]
    assert before == {"enabled": True, "frozen": 0}
    # Flask, the app and the first answer's objects now sit outside every collection...
    assert after_first["enabled"] and after_first["frozen"] > 50_000
    # ...and a warm event freezes nothing more (the pause happens once per process); reference
    # counting still frees frozen objects, like the first answer's, so the count may only drop.
    assert after_second["enabled"] and after_second["frozen"] <= after_first["frozen"]


PILLOW_CHECK = r"""
import io, sys
sys.path[:0] = sys.argv[1:]
from PIL import Image, features
assert features.check("jpg") and features.check("webp") and features.check("zlib"), features.pilinfo
for fmt in ("PNG", "JPEG", "GIF", "WEBP"):
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(out, fmt)
    image = Image.open(io.BytesIO(out.getvalue()))
    image.thumbnail((16, 16))
    assert image.size == (16, 12), (fmt, image.size)
print("ok")
"""


def test_the_artifact_carries_the_pillow_codecs_the_site_uses(task_folder):
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", PILLOW_CHECK, str(task_folder)],
        capture_output=True,
        text=True,
        cwd=task_folder,
        check=False,
    )
    assert done.stdout.strip() == "ok", done.stderr


def test_the_artifact_is_run_and_compiled_for_the_lambda_runtimes_python(lambda_zip):
    # The interpreter every test here runs the artifact with (`python -I -S`, as Lambda does).
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", "import sys; print(*sys.version_info[:2])"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert tuple(map(int, done.stdout.split())) == LAMBDA_PYTHON
    tag = "cpython-{}{}".format(*LAMBDA_PYTHON)
    with zipfile.ZipFile(lambda_zip) as archive:
        names = archive.namelist()
        pycs = [name for name in names if name.endswith(".pyc")]
        headers = {name: archive.read(name)[:8] for name in pycs}
        pillow_wheel = next(
            archive.read(n).decode() for n in names if re.fullmatch(r"pillow-[^/]+\.dist-info/WHEEL", n)
        )
    assert len(pycs) > 100
    assert [name for name in pycs if f".{tag}.pyc" not in name] == []
    # PEP 552: the 3.13 magic number, then flags 0b11 (hash-based, checked against the source).
    assert {header[:4] for header in headers.values()} == {importlib.util.MAGIC_NUMBER}
    assert {int.from_bytes(header[4:8], "little") for header in headers.values()} == {0b11}
    extensions = [name for name in names if name.startswith("PIL/") and name.endswith(".so")]
    assert extensions and all(f".{tag}-x86_64-linux-gnu.so" in name for name in extensions), extensions
    wheel_tag = "cp{0}{1}-cp{0}{1}-manylinux".format(*LAMBDA_PYTHON)
    assert re.search(rf"^Tag: {wheel_tag}", pillow_wheel, re.MULTILINE), pillow_wheel

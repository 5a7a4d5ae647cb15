"""Fixtures for every tier: no real AWS, one local S3 (moto server over HTTP) per session, a fresh
bucket per test, the app over it, and the site served in its own process.

Nothing here patches boto3: every test that stores something talks to a real S3-compatible
server in another process. Plain helpers the tests share live in `tests/support`.
"""

from __future__ import annotations

import os
import sys

import boto3
import pytest

from catsite import create_app
from catsite_tools.local_s3 import DUMMY_CREDENTIALS, LocalS3, free_port
from tests.support import ADMIN_TOKEN, ROOT
from tests.support.buckets import new_bucket
from tests.support.processes import serve_site, serving


@pytest.fixture(scope="session", autouse=True)
def _no_real_aws():
    """Dummy credentials and no AWS config files: nothing in the tests can reach a real account."""
    saved = dict(os.environ)
    os.environ.update(DUMMY_CREDENTIALS)
    os.environ.update(
        {
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        }
    )
    os.environ.pop("AWS_PROFILE", None)
    # Processes the tests start import the local-only tools as the scripts do.
    tools = str(ROOT / "scripts" / "lib")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [tools, saved.get("PYTHONPATH")]))
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture(scope="session")
def local_s3():
    with LocalS3() as server:
        yield server


@pytest.fixture
def s3(local_s3):
    return boto3.client("s3", endpoint_url=local_s3.url, region_name="us-east-1")


@pytest.fixture
def bucket(local_s3):
    return new_bucket(local_s3)


@pytest.fixture
def settings(local_s3, bucket):
    return {"CATSITE_BUCKET": bucket, "AWS_ENDPOINT_URL_S3": local_s3.url, "CATSITE_ADMIN_TOKEN": ADMIN_TOKEN}


@pytest.fixture
def app(settings):
    return create_app({**settings, "TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def bucket_state(s3, bucket):
    """A function returning {key: etag} of everything in the test's bucket, to prove a rejected
    request changed nothing."""

    def state() -> dict[str, str]:
        pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
        return {obj["Key"]: obj["ETag"] for page in pages for obj in page.get("Contents", [])}

    return state


@pytest.fixture
def live_server(settings, local_s3):
    with serve_site(settings, local_s3.url) as url:
        yield url


@pytest.fixture
def live_server_static_from_s3(settings, local_s3):
    """The site as deployed: static/ published to the test's bucket, pages pointing there."""
    with serve_site(settings, local_s3.url, "--static-from-s3") as url:
        yield url


@pytest.fixture
def lambda_door(settings):
    """The site behind a local API Gateway REST door (`./scripts/serve --lambda`), stage `dev`:
    every request becomes a REST event for the function Lambda calls, in its own process."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "catsite_tools.devserver",
        "--lambda",
        "--door",
        "rest",
        "--stage",
        "dev",
    ]
    url = f"http://127.0.0.1:{port}/dev"
    with serving([*command, "--port", str(port)], {**os.environ, **settings}, url, f"{url}/healthz", 60):
        yield url

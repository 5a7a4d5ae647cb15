"""Fixtures for every tier: no real AWS, local S3 servers over HTTP (one process per server per
session), a fresh bucket per test, the app over it, and the site served in its own process.

The tests that exercise S3 itself (S3_TESTS) run once per local S3 server, with ids `[moto]` and
`[ministack]`: ministack enforces presigned-POST policies and conditional multipart completion as
AWS does, moto does not. Tests marked `strict_s3` assert that enforcement and run on ministack
alone. Every other test runs on moto alone. `--local-s3 moto|ministack` narrows S3_TESTS to one.

Nothing here patches boto3: every test that stores something talks to a real S3-compatible
server in another process. Plain helpers the tests share live in `tests/support`.
"""

from __future__ import annotations

import os
from pathlib import Path

import boto3
import pytest

from catsite.app import create_app
from catsite_tools.local.s3 import DUMMY_CREDENTIALS, SERVERS, LocalS3, free_port
from tests.support import ADMIN_TOKEN, ROOT
from tests.support.buckets import new_bucket
from tests.support.processes import lambda_door_command, serve_site, serving


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


#: The tests that exercise S3 (state, uploads and registration, pictures, archive and multipart,
#: jobs, faults and concurrency, static publishing), as paths from the repository's root.
S3_TESTS = (
    "tests/integration/api/test_cat_state.py",
    "tests/integration/pictures/",
    "tests/integration/jobs/",
    "tests/integration/s3/",
    "tests/integration/web/test_static_assets.py",
)
#: The local S3 that enforces what the `strict_s3` tests assert.
STRICT = "ministack"


def pytest_addoption(parser):
    parser.addoption(
        "--local-s3",
        choices=("both", *SERVERS),
        default="both",
        help="the local S3 server(s) the S3 tests run against (default: both)",
    )


def pytest_generate_tests(metafunc):
    """Run each S3 test once per server (`[moto]`, `[ministack]`), a strict_s3 test on ministack."""
    if "local_s3" not in metafunc.fixturenames:
        return
    chosen = metafunc.config.getoption("--local-s3")
    if metafunc.definition.get_closest_marker("strict_s3"):
        servers = [STRICT] if chosen in ("both", STRICT) else []
    elif Path(metafunc.definition.path).relative_to(ROOT).as_posix().startswith(S3_TESTS):
        servers = list(SERVERS) if chosen == "both" else [chosen]
    else:
        return  # on moto alone, with the ids it always had
    metafunc.parametrize("local_s3", servers, indirect=True)


@pytest.fixture(scope="session")
def s3_servers():
    """The session's local S3 servers, each started on first use and stopped at the end."""
    started: dict[str, LocalS3] = {}

    def get(server: str) -> LocalS3:
        if server not in started:
            candidate = LocalS3(server=server)
            try:
                started[server] = candidate.start()
            finally:  # a failed or interrupted start leaves no process behind
                if server not in started:
                    candidate.stop()
        return started[server]

    yield get
    for server in started.values():
        server.stop()


@pytest.fixture(scope="session")
def local_s3(request, s3_servers) -> LocalS3:
    """The local S3 of this test: moto, or the server the test is parametrized with."""
    return s3_servers(getattr(request, "param", "moto"))


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
    command = lambda_door_command("rest", port, "--stage", "dev")
    url = f"http://127.0.0.1:{port}/dev"
    with serving(command, {**os.environ, **settings}, url, f"{url}/healthz", 60):
        yield url

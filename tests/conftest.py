"""Shared fixtures: one local S3 (moto server over HTTP) per session, a fresh bucket per test.

Nothing here patches boto3: every test that stores something talks to a real S3-compatible
server in another process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import boto3
import pytest

from catsite import create_app
from catsite_tools.local_s3 import DUMMY_CREDENTIALS, LocalS3, create_bucket, free_port

ROOT = Path(__file__).resolve().parent.parent
#: The moderation secret every test app is configured with; send `ADMIN` to delete.
ADMIN_TOKEN = "test-admin-token-" + uuid.uuid4().hex
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


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
def lambda_zip() -> Path:
    """dist/catsite-dev.zip, built once per session by `scripts/package dev`."""
    done = subprocess.run(
        [str(ROOT / "scripts" / "package"), "dev"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    path = Path(done.stdout.strip().splitlines()[-1])
    assert path == ROOT / "dist" / "catsite-dev.zip" and path.is_file()
    return path


@pytest.fixture(scope="session")
def local_s3():
    with LocalS3() as server:
        yield server


@pytest.fixture
def s3(local_s3):
    return boto3.client("s3", endpoint_url=local_s3.url, region_name="us-east-1")


def new_bucket(local_s3, origins=("http://127.0.0.1",)) -> str:
    name = f"cat-{uuid.uuid4().hex[:16]}"
    create_bucket(local_s3.url, name, list(origins))
    return name


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


def run_fresh_python(script: str, settings: dict) -> str:
    """Run `script` in a fresh interpreter with the app's settings; return what it printed.
    For checks about what a process imports, which the test process has long since loaded."""
    done = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, **settings},
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return done.stdout.strip()


def wait_for_http(url: str, process: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except (urllib.error.URLError, OSError):
            time.sleep(0.1)
    raise RuntimeError(f"no answer from {url} within {timeout} s")


def stop_process(process: subprocess.Popen, sig=None) -> None:
    if process.poll() is None:
        if sig is None:
            process.terminate()
        else:
            process.send_signal(sig)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def serve_site(settings, local_s3, *options: str):
    """The site served by `python -m catsite_tools.devserver` in its own process, on a free port; its
    bucket's CORS admits the site's origin, so browsers can upload straight to the local S3."""
    port = free_port()
    create_bucket(local_s3.url, settings["CATSITE_BUCKET"], [f"http://127.0.0.1:{port}"])
    env = {**os.environ, **settings}
    process = subprocess.Popen(
        [sys.executable, "-m", "catsite_tools.devserver", "--port", str(port), *options],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{url}/healthz", process)
        yield url
    finally:
        stop_process(process)


@pytest.fixture
def live_server(settings, local_s3):
    yield from serve_site(settings, local_s3)


@pytest.fixture
def live_server_static_from_s3(settings, local_s3):
    """The site as deployed: static/ published to the test's bucket, pages pointing there."""
    yield from serve_site(settings, local_s3, "--static-from-s3")


@pytest.fixture
def lambda_door(settings):
    """The site behind a local API Gateway REST door (`./scripts/serve --lambda`), stage `dev`:
    every request becomes a REST event for the function Lambda calls, in its own process."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "catsite_tools.devserver", "--lambda", "--door", "rest", "--stage", "dev"]
        + ["--port", str(port)],
        cwd=ROOT,
        env={**os.environ, **settings},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/dev"
    try:
        wait_for_http(f"{url}/healthz", process, timeout=60)
        yield url
    finally:
        stop_process(process)


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright launches Debian's Chromium (Playwright's own download needs internet)."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }

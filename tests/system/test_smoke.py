"""scripts/smoke against live local sites: the site as `./scripts/serve` runs it, with assets
from S3 as deployed, and behind the local REST door with its `/dev` stage prefix. It must also
fail, with a clear message, when the site does not answer as it should."""

from __future__ import annotations

import json
import re
import subprocess
from urllib.parse import urlsplit

import pytest
import requests

from catsite_tools.local.s3 import free_port
from tests.support import ADMIN_TOKEN, ROOT


def smoke(url: str, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(ROOT / "scripts" / "smoke"), url, "--admin-token", ADMIN_TOKEN, *extra],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


@pytest.mark.parametrize("site", ["live_server", "live_server_static_from_s3", "lambda_door"])
def test_smoke_passes_on_a_working_site(site, request, s3, bucket):
    url = request.getfixturevalue(site)
    done = smoke(url)
    # Its docstring: it stops at the first failure, and exits 0 only when everything answered.
    assert done.returncode == 0, done.stdout + done.stderr
    if site == "live_server_static_from_s3":
        assert f"/{bucket}/static/css/site." in done.stdout  # the stylesheet it fetched is the bucket's
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    # Its last check ran to the end: one archive job, done, and the archive it wrote (DESIGN's keys).
    [job] = [k for k in keys if k.startswith("jobs/")]
    assert json.loads(s3.get_object(Bucket=bucket, Key=job)["Body"].read())["status"] == "done"
    assert [k for k in keys if k.startswith("results/") and k.endswith(".zip")]
    # And it cleaned up: what the cat says is back, and no picture is left in the bucket.
    assert requests.get(f"{url}/cat", timeout=10).json()["says"] == "meow"
    assert not [k for k in keys if k.startswith("pics/")], keys


def test_smoke_reaches_a_site_by_a_name_no_resolver_knows(lambda_door):
    # curl's --resolve: the requests go to the address given, under the site's own name (the
    # rehearsal reaches ministack's `<api>.execute-api.localhost` this way)
    port = urlsplit(lambda_door).port
    url = lambda_door.replace("127.0.0.1", "cats.rehearsal.invalid", 1)
    assert smoke(url).returncode == 1  # without it, no answer
    done = smoke(url, "--resolve", f"cats.rehearsal.invalid:{port}:127.0.0.1")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"http://cats.rehearsal.invalid:{port}/" in done.stdout  # the site it checked, by name


def test_smoke_refuses_a_malformed_resolve():
    done = smoke("http://127.0.0.1:9/", "--resolve", "no-port-here")
    assert done.returncode == 2  # a usage error, as argparse exits
    assert "no-port-here" in done.stderr  # it names the value it cannot read


def test_smoke_fails_clearly_on_a_wrong_site(live_server):
    done = smoke(f"{live_server}/not-the-site")
    assert done.returncode == 1
    # It stops at the first check, the home page, saying what answered and what it expected.
    [failure] = done.stderr.strip().splitlines()[-1:]
    assert "/not-the-site/" in failure and re.search(r"\b404\b.*\b200\b", failure), done.stderr


def test_smoke_fails_clearly_when_nothing_answers():
    port = free_port()
    done = smoke(f"http://127.0.0.1:{port}")
    assert done.returncode == 1
    assert re.search(rf"\b{port}\b", done.stderr.strip().splitlines()[-1])  # where nothing answered

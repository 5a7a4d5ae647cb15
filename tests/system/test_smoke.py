"""scripts/smoke against live local sites: the site as `./scripts/serve` runs it, with assets
from S3 as deployed, and behind the local REST door with its `/dev` stage prefix. It must also
fail, with a clear message, when the site does not answer as it should."""

from __future__ import annotations

import subprocess
from urllib.parse import urlsplit

import pytest

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
    assert done.returncode == 0, done.stdout + done.stderr
    for check in (
        "ok   page /pics",
        "ok   asset ",
        "ok   /cat round trip",
        "ok   registered picture",
        "ok   its picture and renditions download",
        "shows its rendition",  # the picture's page, sharing its rendition as og:image
        "ok   job ",  # an archive job watched to its end, its ZIP downloaded
    ):
        assert check in done.stdout, check
    assert done.stdout.strip().endswith("smoke: passed")
    if site == "live_server_static_from_s3":
        assert f"/{bucket}/static/css/site." in done.stdout  # the stylesheet came from the bucket
    # it cleans up: what the cat says is back, and no picture is left in the bucket
    assert "ok   /cat says 'meow' again" in done.stdout
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert not [k for k in keys if k.startswith("pics/")], keys


def test_smoke_reaches_a_site_by_a_name_no_resolver_knows(lambda_door):
    # curl's --resolve: the requests go to the address given, under the site's own name (the
    # rehearsal reaches ministack's `<api>.execute-api.localhost` this way)
    port = urlsplit(lambda_door).port
    url = lambda_door.replace("127.0.0.1", "cats.rehearsal.invalid", 1)
    assert smoke(url).returncode == 1  # without it, no answer
    done = smoke(url, "--resolve", f"cats.rehearsal.invalid:{port}:127.0.0.1")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"smoke test of http://cats.rehearsal.invalid:{port}/" in done.stdout


def test_smoke_refuses_a_malformed_resolve():
    done = smoke("http://127.0.0.1:9/", "--resolve", "no-port-here")
    assert done.returncode == 2 and "expected HOST:PORT:ADDRESS" in done.stderr


def test_smoke_fails_clearly_on_a_wrong_site(live_server):
    done = smoke(f"{live_server}/not-the-site")
    assert done.returncode == 1
    assert "smoke: FAILED: page /: GET" in done.stderr and "answered 404, expected 200" in done.stderr


def test_smoke_fails_clearly_when_nothing_answers():
    done = smoke(f"http://127.0.0.1:{free_port()}")
    assert done.returncode == 1
    assert "smoke: FAILED: no answer" in done.stderr


def test_smoke_fails_when_the_bucket_lets_anyone_read_what_the_site_serves(live_server_static_from_s3):
    # The local bucket lets browsers read static/ (the local site has no distribution): exactly
    # what --private-bucket must catch on a stage, whose bucket only its distribution reads.
    done = smoke(live_server_static_from_s3, "--private-bucket")
    assert done.returncode == 1
    assert "smoke: FAILED: an unsigned GET of " in done.stderr and "expected 403" in done.stderr

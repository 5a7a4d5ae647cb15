"""scripts/upload: a file sent and its record printed, one clear line on any failure, and its default
site from CATSITE_SITE_URL."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import urllib.request

from tests.support import ROOT
from tests.support.pictures import LiveSite, image_bytes, refused_registration

NOT_A_PICTURE = b"not a picture at all"


def run_upload(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "CATSITE_SITE_URL"}
    return subprocess.run(
        [str(ROOT / "scripts" / "upload"), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**environment, **(env or {})},
    )


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again when the block ends: nothing listens there


def test_an_unreachable_site_is_one_line_without_a_traceback(tmp_path):
    picture = tmp_path / "cat.png"
    picture.write_bytes(image_bytes("PNG", size=(16, 16)))
    site = f"127.0.0.1:{closed_port()}"
    done = run_upload(str(picture), "--site", f"http://{site}", "--quiet")
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("upload: ") and site in lines[0]  # it names where it tried
    assert "Traceback" not in done.stderr and done.stdout == ""


def site_refusal(live_server) -> dict:
    """The site's own Error for registering a file that is not a picture (what the script relays)."""
    return refused_registration(LiveSite(live_server), NOT_A_PICTURE)


def test_a_refusal_is_said_once(live_server, tmp_path):
    refusal = site_refusal(live_server)
    fake = tmp_path / "cat.png"
    fake.write_bytes(NOT_A_PICTURE)
    done = run_upload(str(fake), "--site", live_server, "--quiet")
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    said = [refusal["message"], *(text for texts in refusal.get("errors", {}).values() for text in texts)]
    assert all(lines[0].count(text) == 1 for text in said), (lines[0], said)


def test_the_default_site_comes_from_catsite_site_url(live_server, tmp_path):
    picture = tmp_path / "cat.png"
    picture.write_bytes(image_bytes("PNG", size=(40, 30)))
    done = run_upload(str(picture), "--quiet", env={"CATSITE_SITE_URL": live_server})
    assert done.returncode == 0, done.stderr
    assert (json.loads(done.stdout)["width"], done.stderr) == (40, "")


def test_scripts_upload_sends_a_file_and_prints_the_record(live_server, tmp_path):
    picture = tmp_path / "Garfield On Monday.jpg"
    picture.write_bytes(image_bytes("JPEG", size=(800, 600)))
    done = subprocess.run(
        [
            str(ROOT / "scripts" / "upload"),
            str(picture),
            "--caption",
            "from a terminal",
            "--site",
            live_server,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    assert record["caption"] == "from a terminal"
    assert (record["width"], record["height"], record["content_type"]) == (800, 600, "image/jpeg")
    assert re.search(r"\b100%", done.stderr), done.stderr  # the progress bar, run to its end
    with urllib.request.urlopen(f"{live_server}/cat/pics", timeout=10) as answer:
        assert json.load(answer)["items"][0]["id"] == record["id"]


def test_scripts_upload_explains_a_refusal(live_server, tmp_path):
    refusal = site_refusal(live_server)
    fake = tmp_path / "cat.png"
    fake.write_bytes(NOT_A_PICTURE)
    done = subprocess.run(
        [str(ROOT / "scripts" / "upload"), str(fake), "--site", live_server, "--quiet"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    # The site's own words and its status (the script's docstring: "the site's own words").
    assert refusal["message"] in done.stderr and re.search(r"\b422\b", done.stderr), done.stderr

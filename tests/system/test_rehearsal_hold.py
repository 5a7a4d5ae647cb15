"""`scripts/rehearse --stage dev --hold`: a stage deployed to the local AWS and kept for a person to
click through, then real Chromium through its distribution, then SIGTERM.

The held stage is the rehearsal's own (ministack, the deployed zip, its smoke passed before it
holds). What it prints is one JSON line on stdout, everything else on stderr. Every page, loaded
through the distribution's host as a browser on the same machine reaches it
(`<id>.cloudfront.localhost`: browsers resolve `*.localhost` to the loopback), loads with no
console error, no CSP violation and no failed request; its assets and renditions come from that
same host; an upload from the gallery goes straight to the bucket, whose CORS admits the site's
public origin. SIGTERM then undeploys and checks, and the rehearsal exits 0 with its emulator gone.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import threading
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from catsite_tools.bench.page_budgets import PAGE_PATHS
from tests.support import ROOT
from tests.support.pictures import image_bytes

pytestmark = pytest.mark.browser


def first_line(stream, seconds: float) -> str:
    got: list[str] = []
    reader = threading.Thread(target=lambda: got.append(stream.readline()), daemon=True)
    reader.start()
    reader.join(seconds)
    return got[0] if got else ""


@pytest.fixture(scope="module")
def held(lambda_zip, tmp_path_factory):
    """The held stage: (what it printed, the process, its stderr file)."""
    log = tmp_path_factory.mktemp("hold") / "stderr.log"
    with open(log, "w") as errors:
        process = subprocess.Popen(
            [str(ROOT / "scripts" / "rehearse"), "--stage", "dev", "--hold", "--zip", f"dev={lambda_zip}"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
    try:
        line = first_line(process.stdout, 600)
        assert line, f"no line on stdout; stderr ends: {log.read_text()[-3000:]}"
        yield json.loads(line), process, log
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=300)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_hold_says_where_the_stage_is_in_one_json_line(held):
    where, _process, _log = held
    assert set(where) == {"stage", "endpoint", "site", "doors", "function", "bucket"}
    assert (where["stage"], where["function"]) == ("dev", "catsite-dev")
    assert re.fullmatch(r"https://[a-z0-9]+\.cloudfront\.net/", where["site"])
    label = urlsplit(where["site"]).hostname.split(".")[0]
    port = urlsplit(where["endpoint"]).port
    assert where["doors"]["cdn"] == f"http://{label}.cloudfront.localhost:{port}/"
    assert set(where["doors"]) == {"cdn", "rest"}  # dev has no load balancer
    assert where["bucket"] == "catsite-dev-rehearsal"


@pytest.mark.parametrize("path", PAGE_PATHS)
def test_every_page_through_the_distribution_breaks_nothing(page: Page, held, path):
    where, _process, _log = held
    site = where["doors"]["cdn"].rstrip("/")
    errors, requests = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: errors.append(f"failed: {r.url} {r.failure}"))
    page.on("requestfinished", lambda r: requests.append(r))
    page.add_init_script(
        "window.__csp = []; document.addEventListener('securitypolicyviolation',"
        " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    answer = page.goto(f"{site}{path}")
    page.wait_for_load_state("networkidle")
    assert answer.status == 200
    assert errors == [] and page.evaluate("window.__csp") == []
    assert all(r.response().status < 400 for r in requests)
    assets = [r.url for r in requests if r.resource_type in ("stylesheet", "script", "image")]
    assert assets and all(
        url.startswith(f"{site}/static/") or url.startswith(f"{site}/pics/public/") for url in assets
    )


def test_an_upload_from_the_gallery_goes_to_the_bucket_and_shows_through_the_site(page: Page, held, tmp_path):
    where, _process, _log = held
    site = where["doors"]["cdn"].rstrip("/")
    picture = tmp_path / "edge-cat.png"
    picture.write_bytes(image_bytes("PNG", size=(300, 200)))
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{site}/pics")
    page.get_by_label("Picture: PNG, JPEG, GIF or WebP").set_input_files(str(picture))
    page.get_by_label("Caption (optional)").fill("A cat at the edge")
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#upload-status")).to_have_text("Added to the gallery.", timeout=60_000)
    shown = page.locator("#gallery img").first
    expect(shown).to_have_attribute("alt", "A cat at the edge")
    assert shown.get_attribute("src").startswith(f"{site}/pics/public/")
    assert errors == []


def test_sigterm_undeploys_checks_and_stops_the_emulator(held):
    _where, process, log = held
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=300) == 0, log.read_text()[-4000:]
    assert process.stdout.read() == ""  # the one line was all stdout carried
    errors = log.read_text()
    assert "DIFF" not in errors and "rehearsal passed on ministack" in errors
    assert "distributions left: []" in errors
    pid = int(re.search(r"emulator: ministack, .*, pid (\d+)", errors).group(1))
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)

"""Fixtures of the system tier: the Lambda zip, the browser."""

from __future__ import annotations

import fcntl
import subprocess
from pathlib import Path

import pytest

from tests.support import ROOT
from tests.support.browser import collect_console_errors

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def lambda_zip(tmp_path_factory, worker_id) -> Path:
    """dist/catsite-dev.zip, built once per run by `scripts/package dev`; with pytest-xdist, the
    first worker builds it under a lock and the others use that build."""
    if worker_id == "master":
        return _package()
    shared = tmp_path_factory.getbasetemp().parent  # the same folder for every worker of the run
    built = shared / "lambda-zip-built"
    with open(shared / "lambda-zip.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not built.exists():
            built.write_text(str(_package()))
    return Path(built.read_text())


def _package() -> Path:
    done = subprocess.run(
        [str(ROOT / "scripts" / "package"), "dev"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    path = Path(done.stdout.strip().splitlines()[-1])
    assert path == ROOT / "dist" / "catsite-dev.zip" and path.is_file()
    return path


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


@pytest.fixture
def console_errors(page) -> list[str]:
    """What the test's page logs as an error or throws, collected from before its first load."""
    return collect_console_errors(page)

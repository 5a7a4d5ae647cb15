"""Starting, waiting for and stopping the processes some tests need (each stopped by its id)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

from catsite_tools.local.s3 import create_bucket, free_port
from tests.support import ROOT


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
            time.sleep(0.05)
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


@contextlib.contextmanager
def serving(command: list[str], env: dict, url: str, ready: str, timeout: float = 30.0):
    """Run `command` (a server) until the block ends; yields `url` once `ready` answers."""
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for_http(ready, process, timeout)
        yield url
    finally:
        stop_process(process)


@contextlib.contextmanager
def serve_site(settings: dict, local_s3_url: str, *options: str):
    """The site served by `python -m catsite_tools.local.devserver` in its own process, on a free port; its
    bucket's CORS admits the site's origin, so browsers can upload straight to the local S3."""
    port = free_port()
    create_bucket(local_s3_url, settings["CATSITE_BUCKET"], [f"http://127.0.0.1:{port}"])
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "catsite_tools.local.devserver", "--port", str(port), *options]
    with serving(command, {**os.environ, **settings}, url, f"{url}/healthz") as served:
        yield served


def lambda_door_command(door: str, port: int, *options: str) -> list[str]:
    """`./scripts/serve --lambda --door DOOR`: the site behind a local front door, on `port`."""
    return [
        sys.executable,
        "-m",
        "catsite_tools.local.devserver",
        "--lambda",
        "--door",
        door,
        *options,
        "--port",
        str(port),
    ]

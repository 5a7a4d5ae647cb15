"""Fixtures the integration tier's packages share."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from catsite_tools.iam import copy_zappa_settings
from tests.support import ROOT
from tests.support.s3_faults import FaultyS3


@pytest.fixture(scope="session")
def zappa_settings_dir(tmp_path_factory) -> Path:
    """The Python settings module Zappa bakes into the zip, written by Zappa's own CLI.

    Run from a folder holding only zappa_settings.json, as scripts/package does: Zappa scans every
    .py file under its working folder for WebSocket handlers, and would find build/'s copies."""
    folder = tmp_path_factory.mktemp("zappa-settings")
    copy_zappa_settings(ROOT, folder)  # with the attach_policy files Zappa opens
    zappa = Path(sys.executable).parent / "zappa"
    subprocess.run(
        [str(zappa), "save-python-settings-file", "dev", "-o", str(folder / "zappa_settings.py")],
        cwd=folder,
        check=True,
        capture_output=True,
        env={**os.environ, "AWS_DEFAULT_REGION": "us-east-1"},
    )
    return folder


@pytest.fixture
def proxy(local_s3):
    with FaultyS3(local_s3.url) as faulty:
        yield faulty

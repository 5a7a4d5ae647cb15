"""The unit tier is the fast inner loop: no S3, no processes, no sockets. This guard makes that
promise checkable: a unit test that starts a process or opens a connection fails, and belongs in
tests/integration.

The tier mirrors the code: `<package>/` tests `catsite.<package>` (site/<package>/), `tools/` tests
scripts/ and its tools (`catsite_tools`, scripts/lib/), `docs/` the README and docs/, and the top
level holds what belongs to no one package: catsite's top-level modules (`test_lazy.py`), the
package's shape as a whole (`test_layout.py`, `test_layers.py`) and the repository's own files
(`test_zappa_settings.py`, `test_settings_docs.py`)."""

from __future__ import annotations

import socket
import subprocess

import pytest


def _refuse(*_args, **_kwargs):
    raise AssertionError(
        "a unit test starts no process and opens no connection: move it to tests/integration"
    )


@pytest.fixture(autouse=True)
def _no_processes_no_network(monkeypatch):
    monkeypatch.setattr(subprocess.Popen, "__init__", _refuse)
    monkeypatch.setattr(socket.socket, "connect", _refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", _refuse)
    monkeypatch.setattr(socket.socket, "bind", _refuse)

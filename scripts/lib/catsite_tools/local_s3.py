"""A local S3 for development and tests: moto in server mode, a separate process on 127.0.0.1.

The same boto3 code path runs against it as against AWS (real HTTP, path-style addressing,
SigV4). moto ships only with the `dev` extra; nothing on Lambda imports this module.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

#: moto accepts any credentials; boto3 refuses to sign without some.
DUMMY_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",  # noqa: S105 - moto's placeholder, not a secret
    "AWS_SESSION_TOKEN": "testing",
}


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


class LocalS3:
    """Start with `start()` (or `with LocalS3() as s3:`), stop with `stop()`; `url` is the endpoint."""

    def __init__(self, host: str = "127.0.0.1", port: int | None = None):
        self.host = host
        self.port = port
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 30.0) -> LocalS3:
        for _ in range(3):  # another process may take the free port between our probe and moto's bind
            self.port = self.port or free_port(self.host)
            self.process = subprocess.Popen(
                self.server_command(),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env={**os.environ, **DUMMY_CREDENTIALS},
            )
            if self._wait_ready(timeout):
                return self
            self.stop()
            self.port = None
        raise RuntimeError("the local S3 (moto server) did not start")

    def server_command(self) -> list[str]:
        """The server's command line (the deploy rehearsal's emulator runs an extended moto)."""
        return [sys.executable, "-m", "moto.server", "-H", self.host, "-p", str(self.port)]

    def _wait_ready(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(f"{self.url}/moto-api/", timeout=2):
                    return True
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def reset(self) -> None:
        """Forget every bucket and object (moto's own reset endpoint)."""
        request = urllib.request.Request(f"{self.url}/moto-api/reset", method="POST")
        with urllib.request.urlopen(request, timeout=10):
            pass

    def __enter__(self) -> LocalS3:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def create_bucket(endpoint_url: str, bucket: str, origins: list[str], region: str = "us-east-1") -> None:
    """Create and configure `bucket` on the local S3 exactly as a deployed stage's bucket, with
    CORS for the local site's origins."""
    import boto3

    from catsite_tools.bucket_setup import configure_bucket

    s3 = boto3.client("s3", endpoint_url=endpoint_url, region_name=region, **_lower(DUMMY_CREDENTIALS))
    configure_bucket(s3, bucket, origins, region, log=lambda message: None)


def _lower(credentials: dict[str, str]) -> dict[str, str]:
    return {key.lower(): value for key, value in credentials.items()}

"""A local S3 for development and tests, a separate process on 127.0.0.1 and a free port.

Two servers, one interface (`url`, `start()`, `stop()`, `reset()`):
- `moto` (the default): moto in server mode, from the project's own virtualenv.
- `ministack`: stricter where the project's security rests on S3 itself. It enforces a presigned
  POST's policy (content-length-range, the exact key, Content-Type, the expiry) and `If-Match` on
  CompleteMultipartUpload, which moto accepts whatever they say. It pins a botocore older than
  catsite's boto3 needs, so it runs from a virtualenv of its own, `.venv-ministack`, which
  `ensure_venv ministack` (scripts/lib/setup.sh) builds from requirements-ministack.lock.

The same boto3 code path runs against either as against AWS (real HTTP, path-style addressing,
SigV4). Neither ships in the Lambda zip; nothing on Lambda imports this module.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from catsite_tools import ROOT

#: The local S3 servers `LocalS3(server=...)` can run.
SERVERS = ("moto", "ministack")
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


def ministack_python() -> Path:
    """The interpreter of ministack's own virtualenv, built (or brought up to date with its lock
    file) first: a quick check when it already is."""
    subprocess.run(
        ["bash", "-c", "source scripts/lib/setup.sh && ensure_venv ministack"],
        cwd=ROOT,
        check=True,
        stdout=sys.stderr,  # progress lines only when it installs; never on the caller's stdout
    )
    return ROOT / ".venv-ministack" / "bin" / "python"


class LocalS3:
    """Start with `start()` (or `with LocalS3() as s3:`), stop with `stop()`; `url` is the endpoint.
    `server` is one of SERVERS."""

    #: Start the server in a session of its own, so a terminal's Ctrl-C (SIGINT to the foreground
    #: process group) reaches only whoever started it, which then stops it in its own time.
    own_session = False

    def __init__(self, host: str = "127.0.0.1", port: int | None = None, server: str = "moto"):
        if server not in SERVERS:
            raise ValueError(f"unknown local S3 server {server!r} (one of {', '.join(SERVERS)})")
        self.host = host
        self.port = port
        self.server = server
        self.process: subprocess.Popen | None = None
        self._scratch: str | None = None

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
                env={**os.environ, **DUMMY_CREDENTIALS, **self.server_env()},
                start_new_session=self.own_session,
            )
            if self._wait_ready(timeout):
                return self
            self.stop()
            self.port = None
        raise RuntimeError(f"the local S3 ({self.server} server) did not start")

    def server_command(self) -> list[str]:
        """The server's command line (the deploy rehearsal's emulator runs an extended moto)."""
        if self.server == "ministack":
            return [str(ministack_python()), "-m", "ministack"]
        return [sys.executable, "-m", "moto.server", "-H", self.host, "-p", str(self.port)]

    def server_env(self) -> dict[str, str]:
        """ministack takes its settings from the environment: its port, the one interface, S3
        alone, objects in memory, and its pid file in a folder of its own (removed on stop)."""
        if self.server != "ministack":
            return {}
        import tempfile

        self._scratch = self._scratch or tempfile.mkdtemp(prefix="catsite-ministack-")
        return {
            "GATEWAY_PORT": str(self.port),
            "BIND_HOST": self.host,
            "MINISTACK_HOST": self.host,
            "SERVICES": "s3",
            "S3_PERSIST": "0",
            "PERSIST_STATE": "0",
            "AUTH": "true",  # signatures checked, private objects private, the bucket's own CORS
            "LOG_LEVEL": "WARNING",
            "TMPDIR": self._scratch,
        }

    @property
    def _control(self) -> str:
        """The root of the server's own endpoints (`<root>/reset` forgets everything)."""
        return "/_ministack" if self.server == "ministack" else "/moto-api"

    @property
    def _ready_url(self) -> str:
        """What answers once the server serves."""
        return f"{self.url}{self._control}/{'health' if self.server == 'ministack' else ''}"

    def _wait_ready(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(self._ready_url, timeout=2):
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
        if self._scratch:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None

    def reset(self) -> None:
        """Forget every bucket and object (the server's own reset endpoint)."""
        request = urllib.request.Request(f"{self.url}{self._control}/reset", method="POST")
        with urllib.request.urlopen(request, timeout=10):
            pass

    def __enter__(self) -> LocalS3:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def create_bucket(endpoint_url: str, bucket: str, origins: list[str], region: str = "us-east-1") -> None:
    """Create and configure `bucket` on the local S3 as a deployed stage's bucket, with CORS for
    the local site's origins; then let browsers read what a stage's distribution reads for them
    (`allow_browser_reads`): the local site has no distribution."""
    import boto3

    from catsite_tools.deploy.bucket_setup import configure_bucket

    s3 = boto3.client("s3", endpoint_url=endpoint_url, region_name=region, **_lower(DUMMY_CREDENTIALS))
    configure_bucket(s3, bucket, origins, region, log=lambda message: None)
    allow_browser_reads(s3, bucket)


#: What a local bucket's public access block admits: a public policy, never a public ACL.
LOCAL_PUBLIC_ACCESS_BLOCK = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": False,
    "RestrictPublicBuckets": False,
}


def browser_reads_policy(bucket: str) -> dict:
    """Local buckets only: any browser may read `static/*` and `pics/public/*` (published assets,
    picture renditions), as a deployed stage's distribution reads them for its visitors."""
    from catsite.s3.keys import PUBLIC_PICS_PREFIX, STATIC_PREFIX

    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "LocalBrowsersReadAssetsAndRenditions",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": [
                    f"arn:aws:s3:::{bucket}/{prefix}*" for prefix in (STATIC_PREFIX, PUBLIC_PICS_PREFIX)
                ],
            }
        ],
    }


def allow_browser_reads(s3, bucket: str) -> None:
    """The local site's bucket: the public access block relaxed for one policy, then the policy
    (`browser_reads_policy`). `s3` is a boto3 S3 client of the local S3. Never for a stage."""
    import json

    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=LOCAL_PUBLIC_ACCESS_BLOCK)
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(browser_reads_policy(bucket)))


def _lower(credentials: dict[str, str]) -> dict[str, str]:
    return {key.lower(): value for key, value in credentials.items()}

"""The local AWS a rehearsal deploys to: each its own process on 127.0.0.1 and a free port.

- `ministack` (the default, and CI's): ministack 1.5.33 with `catsite_tools.rehearse.ministack_emulator`'s
  additions, every service on one port, signatures and IAM policies checked (`AUTH=true`). Its
  Lambda runs the deployed zip (on `.venv-ministack`'s Python 3.13, the stage's runtime, beside
  the boto3 Lambda's runtime provides), API Gateway and the ALB carry requests to it: the
  rehearsal serves traffic.
- `moto`: moto's server with `catsite_tools.rehearse.aws_emulator`'s additions. It checks what a deploy
  creates but cannot run a function (moto's Invoke needs Docker): a second opinion on the
  resources, and a quicker one.

`site_url(aws_url)` is where the emulator serves a URL that AWS would serve, and `resolve` the
names that URL needs (curl's `--resolve`), since `*.localhost` is not in every resolver.
"""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import urlsplit

from catsite_tools.local.s3 import LocalS3, ministack_python


class AwsEmulator(LocalS3):
    """moto's server with the extensions of `catsite_tools.rehearse.aws_emulator`."""

    name = "moto"
    serves = False
    own_session = True  # the rehearsal undeploys before it stops the emulator, even on Ctrl-C

    def server_command(self) -> list[str]:
        script = Path(__file__).with_name("aws_emulator.py")  # run by path, as moto's own process
        return [sys.executable, str(script), "-H", self.host, "-p", str(self.port)]


class MinistackEmulator(LocalS3):
    """ministack with the extensions of `catsite_tools.rehearse.ministack_emulator`, every service on."""

    name = "ministack"
    serves = True
    own_session = True  # the rehearsal undeploys before it stops the emulator, even on Ctrl-C
    #: ministack routes `<api>.execute-api.<MINISTACK_HOST>` to the REST API `<api>`.
    HOST = "localhost"

    def __init__(self, host: str = "127.0.0.1", port: int | None = None):
        super().__init__(host, port, server="ministack")

    def server_command(self) -> list[str]:
        script = Path(__file__).with_name("ministack_emulator.py")  # by path, in ministack's own venv
        return [str(ministack_python()), str(script)]

    def server_env(self) -> dict[str, str]:
        env = super().server_env()
        env.pop("SERVICES")  # all of them: Lambda, API Gateway, ELBv2, IAM, CloudFormation, ...
        # the host in the names it serves, and in the endpoint its functions are given
        return {**env, "MINISTACK_HOST": self.HOST}

    #: Where a distribution is served: ministack answers `<label>.cloudfront.<MINISTACK_HOST>` as
    #: it answers `<label>.cloudfront.net`. Under `localhost` the name needs no resolver (browsers
    #: map `*.localhost` to the loopback) and browsers treat the page as a secure context.
    CLOUDFRONT_ADDRESS = "http://{label}.cloudfront." + HOST + ":{port}"

    def site_url(self, aws_url: str) -> str:
        """`https://<api>.execute-api.<region>.amazonaws.com/<stage>/` is served at
        `http://<api>.execute-api.localhost:<port>/<stage>/`, a distribution's
        `https://<label>.cloudfront.net/` at `http://<label>.cloudfront.localhost:<port>/`, a load
        balancer's `https://<name>.<region>.elb.amazonaws.com/` at `http://<that name>:<port>/`
        (all plain http: the emulator has no certificates)."""
        parts = urlsplit(aws_url)
        host = parts.hostname or ""
        if ".execute-api." in host:
            host = f"{host.split('.', 1)[0]}.execute-api.{self.HOST}"
        elif host.endswith(".cloudfront.net"):
            host = f"{host.split('.', 1)[0]}.cloudfront.{self.HOST}"
        return f"http://{host}:{self.port}{parts.path or '/'}"

    def distribution_address(self) -> str:
        """The stage setting `catsite_edge.served_at` for this emulator (`{label}` left to fill)."""
        return self.CLOUDFRONT_ADDRESS.replace("{port}", str(self.port))

    def resolve(self, url: str) -> str:
        """`HOST:PORT:ADDRESS` for scripts/smoke's `--resolve`."""
        parts = urlsplit(url)
        return f"{parts.hostname}:{parts.port}:{self.host}"


EMULATORS = {"ministack": MinistackEmulator, "moto": AwsEmulator}

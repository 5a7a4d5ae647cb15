"""The local ways to run the site: `python main.py` (with its embedded S3) and the Dockerfile's
gunicorn command."""

from __future__ import annotations

import json
import os
import posixpath
import re
import select
import shlex
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet

from catsite_tools.local.s3 import free_port
from tests.support import ROOT
from tests.support.processes import stop_process, wait_for_http


def read_until(process: subprocess.Popen, pattern: str, timeout: float = 60.0) -> re.Match:
    """Read the process's output line by line until `pattern` matches (or fail after `timeout`)."""
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 0.2)
        if ready:
            line = process.stdout.readline().decode()
            if not line and process.poll() is not None:
                break
            seen.append(line)
            match = re.search(pattern, line)
            if match:
                return match
    raise AssertionError(f"{pattern!r} not printed; output was: {''.join(seen)!r}")


def served_port(log: Path, process: subprocess.Popen, timeout: float = 60.0) -> int:
    """The port the server printed in `log` (it was started with `--port 0`)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        match = re.search(r"catsite at http://127\.0\.0\.1:(\d+)", log.read_text())
        if match:
            return int(match.group(1))
        time.sleep(0.1)
    raise AssertionError(f"no port printed; output was: {log.read_text()!r}")


def port_is_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


#: The two documented ways to serve locally: the tutorial's `python main.py` inside the venv, and
#: `./scripts/serve`, which checks the venv (a quick stamp check here) and then execs the server,
#: so a supervisor's SIGTERM reaches the server itself.
LOCAL_COMMANDS = {
    "main.py": [sys.executable, "main.py"],
    "scripts/serve": ["./scripts/serve"],
}


@pytest.mark.parametrize("command", LOCAL_COMMANDS.values(), ids=LOCAL_COMMANDS.keys())
@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_serving_starts_its_own_s3_and_a_stop_signal_stops_both(command, stop_signal):
    env = {k: v for k, v in os.environ.items() if k not in ("CATSITE_BUCKET", "AWS_ENDPOINT_URL_S3")}
    # Port 0: the server binds a free port itself, before its S3 starts, and prints it.
    process = subprocess.Popen(
        [*command, "--port", "0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        s3_port = int(read_until(process, r"local S3 \(moto server\) at http://127\.0\.0\.1:(\d+)").group(1))
        port = int(read_until(process, r"catsite at http://127\.0\.0\.1:(\d+)").group(1))
        url = f"http://127.0.0.1:{port}"
        wait_for_http(f"{url}/healthz", process)
        request = urllib.request.Request(
            f"{url}/cat",
            data=json.dumps({"says": "embedded"}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert json.load(response) == {"says": "embedded", "code": 200}
        with urllib.request.urlopen(f"{url}/cat", timeout=10) as response:
            assert json.load(response)["says"] == "embedded"
        assert port_is_open(s3_port)

        process.send_signal(stop_signal)
        assert process.wait(timeout=20) == 0, "a stop signal is a clean exit"
        assert not port_is_open(port)
        assert not port_is_open(s3_port), "the embedded S3 outlived the site"
    finally:
        stop_process(process)


def test_the_local_server_logs_one_line_per_request(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("CATSITE_BUCKET", "AWS_ENDPOINT_URL_S3")}
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "main.py", "--port", "0"], cwd=ROOT, env=env, stdout=out, stderr=out
        )
        try:
            port = served_port(log, process)
            wait_for_http(f"http://127.0.0.1:{port}/healthz", process)
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/cat", timeout=10) as response:
                assert response.status == 200
            time.sleep(0.5)  # the line is written after the answer
        finally:
            stop_process(process)
    lines = [line for line in log.read_text().splitlines() if "GET" in line and "/cat" in line]
    assert len(lines) == 1, lines
    assert json.loads(lines[0])["path"] == "/cat"  # catsite's JSON request log, not Werkzeug's


def dockerfile() -> list[tuple[str, str]]:
    """The Dockerfile's instructions in order, as (INSTRUCTION, arguments): comment lines dropped,
    lines ending in the escape character joined (Dockerfile reference, "Format")."""
    instructions, pending = [], ""
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if line.lstrip().startswith("#") or not (pending or line.strip()):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        name, _, arguments = (pending + line).strip().partition(" ")
        instructions.append((name.upper(), arguments.strip()))
        pending = ""
    return instructions


def exec_form(arguments: str) -> list[str]:
    """An instruction's exec form, a JSON array of strings (Dockerfile reference, "Shell and exec
    form"); the shell form is run by `/bin/sh -c`."""
    if arguments.startswith("["):
        return json.loads(arguments)
    return ["/bin/sh", "-c", arguments]


def shell_commands(arguments: str) -> list[list[str]]:
    """The commands of a shell-form RUN, split at `&&`."""
    commands: list[list[str]] = [[]]
    for word in shlex.split(arguments):
        if word == "&&":
            commands.append([])
        else:
            commands[-1].append(word)
    return commands


def dockerfile_command() -> list[str]:
    """The CMD of the Dockerfile, as an argument list (the last CMD is the one that counts)."""
    [*_, command] = [exec_form(args) for name, args in dockerfile() if name == "CMD"]
    return command


def test_the_dockerfiles_gunicorn_command_serves_the_api(settings):
    command = dockerfile_command()
    assert command[0] == "gunicorn"
    bind = command[command.index("--bind") + 1]
    host, _, exposed = bind.rpartition(":")
    assert host == "0.0.0.0"  # every interface of the container, so a published port reaches it
    assert [exposed] == [args for name, args in dockerfile() if name == "EXPOSE"]
    port = free_port()
    # The same command, bound to loopback on a free port instead of the container's address.
    command = [str(Path(sys.executable).parent / "gunicorn")] + [
        f"127.0.0.1:{port}" if arg == bind else arg for arg in command[1:]
    ]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, **settings},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/healthz", process)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/cat", timeout=10) as response:
            assert response.status == 200
            assert json.load(response) == {"says": "meow", "code": 200}
    finally:
        stop_process(process)


def test_the_dockerfile_builds_from_the_slim_image_and_installs_the_package():
    steps = dockerfile()
    [base] = [args for name, args in steps if name == "FROM"]
    image, _, tag = base.partition(":")
    assert image == "python" and tag.endswith("-slim")
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert SpecifierSet(requires).contains(tag.removesuffix("-slim") + ".0"), (tag, requires)

    # What the steps have copied into the image (paths as the image sees them) when each pip
    # install runs.
    workdir, present, installs = "/", set(), []
    for name, args in steps:
        if name == "WORKDIR":
            workdir = posixpath.join(workdir, args)
        elif name == "COPY":
            *sources, destination = shlex.split(args)
            into = destination.endswith("/") or len(sources) > 1  # a folder: each source inside it
            for source in sources:
                path = posixpath.join(workdir, destination, source if into else "")
                present.add(posixpath.normpath(path))
        elif name == "RUN":
            for command in shell_commands(args):
                if command[:2] == ["pip", "install"]:
                    installs.append((command[2:], set(present)))
    assert installs and all("--no-cache-dir" in options for options, _ in installs)  # no cache in a layer

    def installed_after(wanted) -> set[str]:
        [(_, copied)] = [(options, copied) for options, copied in installs if wanted(options)]
        return copied

    requirements = installed_after(lambda options: "requirements.lock" in options and "-r" in options)
    assert posixpath.join(workdir, "requirements.lock") in requirements
    package = installed_after(lambda options: "." in options and "--no-deps" in options)
    sources = {posixpath.join(workdir, name) for name in ("pyproject.toml", "site", "templates", "static")}
    assert sources <= package, "the package is installed from its copied sources"

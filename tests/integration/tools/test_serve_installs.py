"""`./scripts/serve` installs what it runs: the site serves with only the distributions of the lock
file the command installs.

Each mode is run twice. First the command itself, in a copy of the scripts with a stand-in for
`.venv/bin/python` that writes down the `-m pip` and `-m <module>` commands it is given instead of
running them: so the test reads which lock file the command installs and which server it then
runs from the script, not from a list of its own. Then that server, from the test's `.venv`
(which holds every lock), with every distribution that lock does not pin made unimportable in
every Python process it starts (the server, its local S3, the Lambda door's function, Zappa's
CLI), as in a virtualenv that has only the lock: an optional import falls back as it would there,
a needed one fails as it would there. The site must then answer a request of each kind.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import time
from importlib.metadata import distributions
from pathlib import Path

import pytest
import requests

from catsite_tools.local.s3 import free_port
from tests.support import ROOT
from tests.support.processes import stop_process, wait_for_http

SITE_PACKAGES = {Path(sysconfig.get_paths()[key]).resolve() for key in ("purelib", "platlib")}
#: The modes of ./scripts/serve: its arguments, and the path prefix the site is served under.
MODES = {"flask": ([], ""), "lambda door": (["--lambda"], "/dev")}
#: In every virtualenv whatever its lock: `python -m venv` installs pip.
EVERY_VENV = {"pip"}

#: Stands in for .venv/bin/python: records what scripts/serve asks of the virtualenv's Python.
STAND_IN = """#!/bin/sh
if [ "$1" = -m ]; then echo "$*" >> "$CATSITE_RECORD"; exit 0; fi
exec {python} "$@"
"""

#: On the children's path: the modules of the distributions CATSITE_UNINSTALLED lists cannot be
#: found; each process writes the ones it asked for into that file's folder at exit (and on
#: SIGTERM, which stops the local S3).
SITECUSTOMIZE = """
import json, os, signal, sys

class Uninstalled:
    def __init__(self, names):
        self.names, self.refused = names, set()

    def find_spec(self, name, path=None, target=None):
        if path is None and name in self.names:
            self.refused.add(name)
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

def write():
    path = os.path.join(os.path.dirname(os.environ["CATSITE_UNINSTALLED"]), f"refused-{os.getpid()}.json")
    with open(path, "w") as file:
        json.dump({"argv": sys.argv, "refused": sorted(finder.refused)}, file)

def on_sigterm(signum, frame):
    write()
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGTERM)

if os.environ.get("CATSITE_UNINSTALLED"):
    import atexit
    with open(os.environ["CATSITE_UNINSTALLED"]) as file:
        finder = Uninstalled(set(json.load(file)))
    sys.meta_path.insert(0, finder)
    atexit.register(write)
    signal.signal(signal.SIGTERM, on_sigterm)
"""


def what_serve_runs(tmp_path: Path, arguments: list[str]) -> tuple[set[str], list[str]]:
    """(the lock files `./scripts/serve ARGUMENTS` installs, the `-m` command it then execs)."""
    copy = tmp_path / "checkout"
    (copy / "scripts" / "lib").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "serve", copy / "scripts")
    shutil.copy(ROOT / "scripts" / "lib" / "setup.sh", copy / "scripts" / "lib")
    for name in ["pyproject.toml", *(p.name for p in ROOT.glob("requirements*.lock"))]:
        shutil.copy(ROOT / name, copy)
    python = copy / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(STAND_IN.format(python=sys.executable))
    python.chmod(0o755)
    record = tmp_path / "record.txt"
    subprocess.run(
        [str(copy / "scripts" / "serve"), *arguments],
        env={**os.environ, "CATSITE_RECORD": str(record)},
        capture_output=True,
        check=True,
    )
    lines = [line.split() for line in record.read_text().splitlines()]
    installs = [line for line in lines if line[:3] == ["-m", "pip", "install"]]
    locks = {line[i + 1] for line in installs for i, word in enumerate(line) if word == "-r"}
    (server,) = [line for line in lines if line not in installs]
    return locks, server


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned(lock: Path) -> set[str]:
    return {normalized(n) for n in re.findall(r"^([A-Za-z0-9][\w.-]*)==", lock.read_text(), re.MULTILINE)}


def top_level_modules() -> dict[str, set[str]]:
    """Each installed distribution's top-level modules (from the files its RECORD lists)."""
    modules: dict[str, set[str]] = {}
    for dist in distributions():
        names = modules.setdefault(normalized(dist.metadata["Name"]), set())
        for file in dist.files or []:
            path = Path(dist.locate_file(file)).resolve()
            for root in SITE_PACKAGES & set(path.parents):
                first = path.relative_to(root).parts[0]
                if not first.endswith((".dist-info", ".pth")) and first != "__pycache__":
                    names.add(first.split(".")[0])
    return modules


def uninstalled(allowed: set[str]) -> list[str]:
    """The top-level modules only distributions outside `allowed` provide."""
    modules = top_level_modules()
    kept = set().union(*(names for dist, names in modules.items() if dist in allowed))
    return sorted(set().union(*(names for dist, names in modules.items() if dist not in allowed)) - kept)


def exercise(base: str) -> None:
    """A request of each kind: pages, the API, an upload grant, a job run to its end."""
    with requests.Session() as http:
        for path in ("/", "/pics", "/docs", "/cat", "/cat/pics", "/openapi.json"):
            assert http.get(base + path, timeout=30).status_code == 200, path
        assert http.get(base + "/nope", timeout=30).status_code == 404
        assert http.post(base + "/cat", json={"says": "purr"}, timeout=30).status_code == 200
        grant = {"filename": "cat.png", "content_type": "image/png", "bytes": 100}
        assert http.post(base + "/uploads", json=grant, timeout=30).status_code in (200, 201)
        started = http.post(base + "/cat/pics/archive", headers={"Prefer": "respond-async"}, timeout=30)
        assert started.status_code == 202, started.text
        job, deadline = f"{base}/jobs/{started.json()['job']}", time.monotonic() + 60
        while (status := http.get(job, timeout=30).json()["status"]) not in ("done", "failed"):
            assert time.monotonic() < deadline, "the archive job did not finish"
            time.sleep(0.2)
        assert status == "done"


@pytest.mark.parametrize("mode", MODES, ids=MODES)
def test_the_site_serves_with_only_the_lock_serve_installs(mode, tmp_path):
    arguments, prefix = MODES[mode]
    locks, server = what_serve_runs(tmp_path, arguments)
    assert locks, "scripts/serve installed nothing into a fresh virtualenv"
    allowed = EVERY_VENV | {"catsite"} | set().union(*(pinned(ROOT / lock) for lock in locks))

    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(SITECUSTOMIZE)
    (tmp_path / "uninstalled.json").write_text(json.dumps(uninstalled(allowed)))
    env = {k: v for k, v in os.environ.items() if k not in ("CATSITE_BUCKET", "AWS_ENDPOINT_URL_S3")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(hooks), env.get("PYTHONPATH")]))
    env["CATSITE_UNINSTALLED"] = str(tmp_path / "uninstalled.json")
    port = free_port()
    base = f"http://127.0.0.1:{port}{prefix}"
    process = subprocess.Popen(
        [sys.executable, *server, "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    failure = None
    try:
        wait_for_http(f"{base}/healthz", process, 60)
        exercise(base)
    except (AssertionError, RuntimeError, requests.RequestException) as error:
        failure = error
    finally:
        stop_process(process)
        log = process.stderr.read()
        process.stderr.close()
    reports = [json.loads(p.read_text()) for p in tmp_path.glob("refused-*.json")]
    refused = {" ".join(r["argv"]): r["refused"] for r in reports if r["refused"]}
    assert failure is None, (
        f"{' '.join(server)} failed with only {', '.join(sorted(locks))} installed: {failure}\n"
        f"imports refused (not in the lock): {refused}\n{log[-3000:]}"
    )
    assert len(reports) >= (4 if arguments else 2), reports  # the server, its S3, the door's function, Zappa

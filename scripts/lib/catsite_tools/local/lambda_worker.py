"""Run a Lambda handler in its own Python process, as Lambda does, and talk to it over pipes.

Development and test tooling (the local gateway, the artifact tests, the benchmark); nothing on
Lambda imports it. Standard library only, so it can run beside an unzipped artifact:

    python -I -S lambda_worker.py --path TASK --path RUNTIME \
        --handler catsite.awslambda.handler.lambda_handler

`-I -S` leave only the standard library on `sys.path`; the worker adds the `--path` folders (the
unzipped zip, then a folder holding boto3 as Lambda's runtime provides it). Requests are JSON
lines on stdin, answers JSON lines on the worker's original stdout (the handler's own prints go to
stderr, as Lambda sends them to its log):

    {"event": {...}, "remaining_ms": 30000}  ->  {"response": {...}} or {"error": "traceback"}
    {"event": {...}, "repeat": 500}          ->  the last answer, and "seconds" the calls took
    {"report": true}                         ->  {"modules": [...], "compiled": [...], "stale": [...],
                                                  "gc": {"enabled": ..., "frozen": ..., "tracked": ...}}

The report tells how every module under the first `--path` was loaded: `compiled` lists modules
whose bytecode was missing or invalid (so Python compiled their source), `stale` lists cached
bytecode files that do not validate against their source.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve()


def _context_class():
    """catsite_tools.local.events.LambdaContext, the one fake context, loaded from its file beside this
    one: under `-I -S` neither catsite_tools nor this folder is on `sys.path` (events.py is
    standard library only for this reason)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("_catsite_tools_events", HERE.parent / "events.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.LambdaContext


def _watch_compilation(compiled: list[str]) -> None:
    """Record every module Python compiles from source (its bytecode was missing or invalid)."""
    from importlib.machinery import SourceFileLoader

    original = SourceFileLoader.source_to_code

    def source_to_code(self, data, path, *args, **kwargs):
        compiled.append(str(path))
        return original(self, data, path, *args, **kwargs)

    SourceFileLoader.source_to_code = source_to_code


def _stale_bytecode(module_files: list[tuple[str, str | None]]) -> list[str]:
    """Cached bytecode that is absent, or does not validate against its source."""
    import importlib.util

    stale = []
    for source, cached in module_files:
        if not cached or not os.path.exists(cached):
            stale.append(f"{source}: no bytecode")
            continue
        with open(cached, "rb") as file:
            header = file.read(16)
        flags = int.from_bytes(header[4:8], "little")
        with open(source, "rb") as file:
            data = file.read()
        if flags & 0b1:  # hash-based: the source's hash must match
            if header[8:16] != importlib.util.source_hash(data):
                stale.append(f"{source}: hash differs")
        else:  # timestamp-based: the source's mtime and size must match
            stat = os.stat(source)
            mtime, size = int.from_bytes(header[8:12], "little"), int.from_bytes(header[12:16], "little")
            if mtime != (int(stat.st_mtime) & 0xFFFFFFFF) or size != (stat.st_size & 0xFFFFFFFF):
                stale.append(f"{source}: timestamp bytecode does not match its source")
    return stale


def serve(paths: list[str], handler_name: str, function_name: str) -> None:
    protocol = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1)
    sys.stdout = sys.stderr  # the handler's prints go to the log, not into the protocol
    sys.dont_write_bytecode = True  # Lambda's task folder is read-only
    compiled: list[str] = []
    _watch_compilation(compiled)
    sys.path[:0] = paths
    task = os.path.realpath(paths[0]) + os.sep if paths else None

    import importlib

    module_name, function = handler_name.rsplit(".", 1)
    handler = None
    context_class = _context_class()
    for line in sys.stdin:
        request = json.loads(line)
        if request.get("report"):
            mine = [
                (m.__file__, getattr(m, "__cached__", None))
                for m in list(sys.modules.values())
                if getattr(m, "__file__", None)
                and task
                and os.path.realpath(m.__file__).startswith(task)
                and m.__file__.endswith(".py")
            ]
            import gc

            answer = {
                # tracked: what the collector still walks (the permanent generation aside)
                "gc": {
                    "enabled": gc.isenabled(),
                    "frozen": gc.get_freeze_count(),
                    "tracked": len(gc.get_objects()),
                },
                "modules": sorted(sys.modules),
                "task_modules": len(mine),
                "compiled": [p for p in compiled if task and os.path.realpath(p).startswith(task)],
                "stale": _stale_bytecode(mine),
            }
        else:
            try:
                if handler is None:
                    handler = getattr(importlib.import_module(module_name), function)
                context = context_class(int(request.get("remaining_ms", 30_000)), function_name, "local")
                repeat = int(request.get("repeat", 1))
                started = time.perf_counter()
                for _ in range(repeat):
                    response = handler(json.loads(json.dumps(request["event"])), context)
                answer = {"response": response, "seconds": time.perf_counter() - started}
            except Exception:
                import traceback

                answer = {"error": traceback.format_exc()}
        protocol.write(json.dumps(answer) + "\n")


# -- the parent's side ----------------------------------------------------------------------------


class LambdaProcess:
    """One Lambda execution environment: a worker process that keeps its handler warm.

    `isolated=True` runs `python -I -S` with only `paths` added (an unzipped artifact); otherwise
    the worker inherits the interpreter's own packages (the site from source)."""

    def __init__(
        self,
        paths,
        *,
        handler="catsite.awslambda.handler.lambda_handler",
        env=None,
        cwd=None,
        python=sys.executable,
        isolated=True,
        function_name="catsite-dev",
    ):
        command = [python, *(["-I", "-S"] if isolated else []), str(HERE)]
        for path in paths:
            command += ["--path", str(path)]
        command += ["--handler", handler, "--function-name", function_name]
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None if os.environ.get("CATSITE_WORKER_LOGS") else subprocess.DEVNULL,
            cwd=cwd,
            env=env,
            text=True,
            bufsize=1,
        )

    def _ask(self, request: dict, timeout: float | None) -> dict:
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        if timeout is not None:
            import selectors

            with selectors.DefaultSelector() as selector:
                selector.register(self.process.stdout, selectors.EVENT_READ)
                if not selector.select(timeout):
                    raise TimeoutError(f"no answer within {timeout} s")
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the Lambda worker exited ({self.process.wait()})")
        return json.loads(line)

    def invoke(self, event: dict, *, timeout: float | None = None) -> dict:
        """The handler's answer; TimeoutError when it takes longer than `timeout` seconds."""
        remaining = int((timeout or 900) * 1000)
        answer = self._ask({"event": event, "remaining_ms": remaining}, timeout)
        if "error" in answer:
            raise RuntimeError(answer["error"])
        return answer["response"]

    def warm_rate(self, event: dict, repeat: int) -> float:
        """Requests per second the warm handler serves, timed inside the worker."""
        answer = self._ask({"event": event, "repeat": repeat}, None)
        if "error" in answer:
            raise RuntimeError(answer["error"])
        return repeat / answer["seconds"]

    def report(self) -> dict:
        return self._ask({"report": True}, 30)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process.stdout.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def unpack(zip_path, folder) -> Path:
    """Unzip an artifact into `folder` and make it read-only, as Lambda's /var/task is."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(folder)
    for root, _dirs, files in os.walk(folder):
        for name in files:
            os.chmod(os.path.join(root, name), 0o444)
        os.chmod(root, 0o555)  # noqa: S103 - read-only, as Lambda's task folder
    return folder


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--path", action="append", default=[], help="folder to put on sys.path, in order")
    parser.add_argument("--handler", default="catsite.awslambda.handler.lambda_handler")
    parser.add_argument("--function-name", default="catsite-dev")
    args = parser.parse_args(argv)
    serve(args.path, args.handler, args.function_name)


if __name__ == "__main__":
    main()

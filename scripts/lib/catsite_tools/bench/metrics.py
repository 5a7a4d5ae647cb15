"""What metrics cost a cold start, by writer; and a burst's latency quartiles.

`measure_writers`: three ways to write the request log's metrics as one Embedded Metric Format
line, each in fresh `python -I -S` processes on the same Python (interleaved, so load hits all
alike), timed inside the process from before the writer's first import to the line written. Each
process first loads what a cold `GET /` has loaded anyway (every module `catsite.wsgi` brings but
catsite's own: Flask, json, logging, ...), so the figure is what the writer adds to a cold start:

- `own`: `catsite.metrics.MetricLine` (from the unzipped catsite artifact), what catsite ships;
- `powertools`: Powertools for AWS Lambda's `Metrics` (add_metric, add_dimension, flush);
- `aws_embedded_metrics`: AWS's `aws-embedded-metrics` (create_metrics_logger, put_metric,
  flush; its Lambda environment writes to standard output).

The two libraries are installed, at the pins below, into a virtualenv of their own under build/
(never into catsite's: they are measured, not used). Each median is also given against the
median cold `GET /` of catsite measured in the same section (`metrics_<writer>_cold_share`):
the issue allows metrics at most 3% of it.

`measure_burst`: `catsite_tools.bench.burst` (32 visitors, reads and sets of what the cat says,
and the home page) against the local server and the local Lambda door, each over its own local
S3: the latencies' quartiles.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from catsite_tools import ROOT
from catsite_tools.bench.report import wait_for
from catsite_tools.local.events import rest_event

PINS = ("aws-lambda-powertools==3.37.0", "aws-embedded-metrics==3.5.0")
VENV = ROOT / "build" / "metrics-venv"

WRITERS = {
    "own": r"""
from catsite.metrics import MetricLine, directive
line = MetricLine(directive(("function", "door", "status_class"), ("requests", "duration_ms")))
sys.stdout.write(line.render({"door": "rest", "duration_ms": 1.5, "function": "bench", "requests": 1,
                              "status_class": "2xx"}) + "\n")
""",
    "powertools": r"""
from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit
metrics = Metrics(namespace="catsite", service="bench")
metrics.add_dimension(name="door", value="rest")
metrics.add_dimension(name="status_class", value="2xx")
metrics.add_metric(name="requests", unit=MetricUnit.Count, value=1)
metrics.add_metric(name="duration_ms", unit=MetricUnit.Milliseconds, value=1.5)
metrics.flush_metrics()
""",
    "aws_embedded_metrics": r"""
import asyncio
from aws_embedded_metrics.logger.metrics_logger_factory import create_metrics_logger
async def emit():
    metrics = create_metrics_logger()
    metrics.set_namespace("catsite")
    metrics.put_dimensions({"door": "rest", "status_class": "2xx"})
    metrics.put_metric("requests", 1, "Count")
    metrics.put_metric("duration_ms", 1.5, "Milliseconds")
    await metrics.flush()
asyncio.run(emit())
""",
}

TIMED = r"""
import importlib, sys, time
sys.path[:0] = {paths!r}
for name in {preload!r}:
    try:
        importlib.import_module(name)
    except Exception:
        pass
started = time.perf_counter()
{body}
sys.stdout.flush()
sys.stderr.write("elapsed %f\n" % ((time.perf_counter() - started) * 1000))
"""


def metrics_venv() -> Path:
    """The libraries' own virtualenv (made once; the pins above)."""
    python = VENV / "bin" / "python"
    stamp = VENV / ".pins"
    if not python.exists() or not stamp.exists() or stamp.read_text() != "\n".join(PINS):
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", *PINS], check=True
        )
        stamp.write_text("\n".join(PINS))
    return python


def site_packages(python: Path) -> str:
    return subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


#: What a cold `GET /` has loaded before it writes its line: every module but catsite's own.
LOADED = r"""
import json, sys
sys.path[:0] = json.loads(sys.argv[1])
import catsite.wsgi  # the app, as a cold start builds it
print(json.dumps(sorted(m for m in sys.modules if not m.startswith(("catsite", "__main__")))))
"""


def loaded_by_a_cold_start(python: Path, paths: list[str], env: dict) -> list[str]:
    done = subprocess.run(
        [str(python), "-I", "-S", "-c", LOADED, json.dumps(paths)],
        capture_output=True,
        text=True,
        env={**env, "CATSITE_BUCKET": "bench"},
        check=True,
    )
    return json.loads(done.stdout)


def one_run(python: Path, paths: list[str], body: str, env: dict, preload: list[str]) -> float:
    done = subprocess.run(
        [str(python), "-I", "-S", "-c", TIMED.format(paths=paths, body=body, preload=preload)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode or '"_aws"' not in done.stdout:
        raise RuntimeError(f"metrics writer failed: {done.stderr[-500:]}")
    return float(done.stderr.rsplit("elapsed ", 1)[1])


def measure_writers(bench, runs: int) -> dict:
    python = metrics_venv()
    paths = [str(bench.catsite), site_packages(python)]
    env = {
        "PATH": os.environ.get("PATH", ""),
        "AWS_LAMBDA_FUNCTION_NAME": "bench",
        "POWERTOOLS_SERVICE_NAME": "bench",
    }
    preload = loaded_by_a_cold_start(python, paths, env)
    samples: dict[str, list[float]] = {name: [] for name in WRITERS}
    cold: list[float] = []
    for _ in range(runs):
        for name, body in WRITERS.items():
            samples[name].append(one_run(python, paths, body, env, preload))
        if len(cold) < 5:
            cold.append(bench.first_answer_ms("catsite", rest_event("GET", "/")))
    cold_ms = statistics.median(cold)
    figures: dict = {"metrics_cold_get_ms": round(cold_ms, 1), "metrics_pins": list(PINS)}
    for name, values in samples.items():
        median = statistics.median(values)
        figures[f"metrics_{name}_ms"] = round(median, 2)
        figures[f"metrics_{name}_cold_share"] = round(median / cold_ms, 4)
    return figures


def measure_burst(bench) -> dict:
    """The burst against the local server and the local Lambda door (REST, stage dev)."""
    from catsite_tools.bench.burst import quartiles as burst_quartiles
    from catsite_tools.bench.burst import run_burst
    from catsite_tools.local.s3 import create_bucket, free_port

    figures = {}
    for name, options, prefix in (
        ("server", [], ""),
        ("lambda_door", ["--lambda", "--door", "rest", "--stage", "dev"], "/dev"),
    ):
        bucket = f"bench-burst-{name.replace('_', '-')}"
        create_bucket(bench.s3.url, bucket, ["http://127.0.0.1"])
        port = free_port()
        env = {
            **os.environ,
            **bench.env,
            "CATSITE_BUCKET": bucket,
            "PYTHONPATH": str(ROOT / "scripts" / "lib"),
        }
        command = [sys.executable, "-m", "catsite_tools.local.devserver", *options, "--port", str(port)]
        server = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            site = f"http://127.0.0.1:{port}{prefix}"
            wait_for(f"{site}/healthz", server)
            answers = run_burst(site)
        finally:
            server.terminate()
            server.wait(timeout=15)
        statuses = sorted({a.status for a in answers})
        figures[f"burst_{name}_ms"] = burst_quartiles(answers)
        figures[f"burst_{name}_statuses"] = statuses
    return figures

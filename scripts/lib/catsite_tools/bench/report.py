"""The benchmark's report: the machine, the table of figures, the targets."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from catsite_tools import ROOT

#: Figures other parts of the project measure with their own scripts (and their arguments); each
#: merges its keys into bench/results.json itself. Skipped with a note while the script does not
#: exist. Lighthouse's performance score moves with machine load: the median of three runs counts.
EXTERNAL = [("Lighthouse", "scripts/lighthouse", ["--runs", "3"])]


def run_external(results_path: Path) -> list[str]:
    """Run each external script; answer the ones that failed (their merged figures are kept)."""
    failed = []
    for title, script, arguments in EXTERNAL:
        path = ROOT / script
        if not path.exists():
            print(f"-- {title}: {script} is not here yet; skipped")
            continue
        print(f"-- {title}: {script} {' '.join(arguments)}", flush=True)
        done = subprocess.run([str(path), *arguments, "--results", str(results_path)], cwd=ROOT, check=False)
        if done.returncode:
            print(f"-- {title}: {script} exited with {done.returncode}")
            failed.append(script)
    return failed


def per_run(mine: list[float], theirs: list[float]) -> list[float]:
    """Ratios of interleaved runs, one per run: their spread is the figure's."""
    return [m / t for m, t in zip(mine, theirs, strict=True)]


def quartiles(values: list[float]) -> list[float]:
    """[min, 25th, median, 75th, max]: the spread of one figure's runs."""
    q1, q2, q3 = statistics.quantiles(values, n=4)
    digits = 3 if max(values) < 10 else 1
    return [round(v, digits) for v in (min(values), q1, q2, q3, max(values))]


def wait_for(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    """Until `url` answers 2xx or 3xx; SystemExit when `process` exits first or `timeout` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the site exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    raise SystemExit(f"no answer from {url}")


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Linux {platform.release()}, Python {platform.python_version()}"


TABLE = [
    ("cold start, first answer (ms, median)", "cold_start_ms", "catsite_get_home", "anchor_get_cat"),
    ("cold start, `/healthz` (ms, median)", "cold_start_ms", "catsite_get_healthz", "anchor_get_cat"),
    ("warm `/healthz` vs anchor `/cat` (req/s)", "warm_rps", "catsite_get_healthz", "anchor_get_cat"),
    ("warm `GET /cat` (req/s; catsite reads S3)", "warm_rps", "catsite_get_cat", "anchor_get_cat"),
    ("zip (MiB)", "zip_mib", "catsite", "anchor"),
]
RATIOS = [
    ("cold_start_ratio", "<= 0.48"),
    ("cold_start_ratio_healthz", "<= 0.24"),
    ("warm_ratio_healthz", ">= 1.2"),
    ("zip_ratio", "<= 1.0"),
    ("snapstart_first_answer_ratio", "<= 0.15"),
]


def table(results: dict) -> str:
    lines = ["| measure | catsite | anchor | ratio |", "|---|---:|---:|---:|"]
    ratio_of = {
        TABLE[0][0]: "cold_start_ratio",
        TABLE[1][0]: "cold_start_ratio_healthz",
        TABLE[2][0]: "warm_ratio_healthz",
        TABLE[4][0]: "zip_ratio",
    }
    for title, group, mine, theirs in TABLE:
        values = results.get(group, {})
        ratio = results.get(ratio_of.get(title, ""), "")
        lines.append(f"| {title} | {values.get(mine, '-')} | {values.get(theirs, '-')} | {ratio} |")
    s3 = results.get("s3_requests", {})
    lines.append(
        f"| S3 requests: `GET /cat`, `POST /cat` | {s3.get('GET /cat')}, {s3.get('POST /cat')} | 0, 0 | |"
    )
    return "\n".join(lines)


def targets_report(results: dict) -> str:
    """Each target and whether the figures meet it."""
    lines = []
    for key, target in RATIOS:
        if key not in results:
            lines.append(f"{key}: not measured")
            continue
        value = results[key]
        met = value <= float(target[3:]) if target.startswith("<=") else value >= float(target[3:])
        lines.append(f"{key} = {value} (target {target}: {'met' if met else 'MISSED'})")
    spread = results.get("cold_start_spread", {})
    if spread:
        lines.append(
            f"cold_start_ratio per run [min, q1, median, q3, max] = {spread['ratio_per_run_quartiles']}"
        )
    warm = results.get("warm_spread", {})
    if warm:
        lines.append(
            f"warm_ratio_healthz per round of {warm['rounds']} [min, q1, median, q3, max] = "
            f"{warm['ratio_per_round_quartiles']}"
        )
    if "snapstart_init_ms" in results:
        lines.append(
            f"snapstart_init_ms = {results['snapstart_init_ms']}, "
            f"snapstart_first_answer_ms = {results['snapstart_first_answer_ms']} "
            f"(per-run ratio {results['snapstart_spread']['ratio_per_run_quartiles']})"
        )
    s3 = results.get("s3_requests", {})
    lines.append(f"s3_requests GET /cat = {s3.get('GET /cat')} (target 1), ")
    lines[-1] += f"POST /cat = {s3.get('POST /cat')} (target <= 2)"
    uploads = {k: v for k, v in results.items() if k.startswith("upload_register_")}
    if uploads:
        lines.append(
            f"upload_register_cpu_ratio = {uploads.get('upload_register_cpu_ratio')} (target <= 1.3), "
            f"upload_register_peak_mib_200mb = {uploads.get('upload_register_peak_mib_200mb')} (target < 150)"
        )
    lighthouse = {k: v for k, v in results.items() if k.startswith("lighthouse_")}
    if lighthouse:
        lines.append(
            "Lighthouse: "
            + ", ".join(f"{k.removeprefix('lighthouse_')} {v}" for k, v in sorted(lighthouse.items()))
        )
    return "\n".join(lines)

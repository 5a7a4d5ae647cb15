"""SnapStart's figures: what a restored environment's first `GET /` costs, against a cold one's.

A fresh `python -I -S` process on the unzipped artifact (boto3 as Lambda provides it, and the
`snapshot_restore_py` module alone on the path, as Lambda's runtime provides it) imports the
entry module, runs every before-snapshot hook (what Lambda runs once, when it publishes the
version, and bills as initialisation) and says so; then it runs every after-restore hook and
answers the first `GET /` (which reads S3), timing those two steps itself.

- `snapstart_init_ms`: spawn to the end of the before-snapshot hooks (the snapshotted init);
- `snapstart_first_answer_ms`: after-restore hooks plus the first `GET /`;
- `snapstart_first_answer_ratio`: that against a cold process's first `GET /` (spawn to answer),
  measured in the same loop (interleaved), median of each; target at most 0.15.

Lambda's restore of the memory snapshot itself is not modelled (it happens before any hook runs).
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import snapshot_restore_py

from catsite_tools.bench.report import quartiles
from catsite_tools.local.events import rest_event

SCRIPT = r"""
import json, sys, time
sys.path[:0] = json.loads(sys.argv[2])
import snapshot_restore_py as hooks
import catsite.awslambda.handler as entry
from catsite_tools.local.events import LambdaContext
for func, args, kwargs in hooks.get_before_snapshot():
    func(*args, **kwargs)
print("snapshot", flush=True)
started = time.perf_counter()
for func, args, kwargs in hooks.get_after_restore():
    func(*args, **kwargs)
answer = entry.lambda_handler(json.loads(sys.argv[1]), LambdaContext())
elapsed = (time.perf_counter() - started) * 1000
print(json.dumps({"status": answer["statusCode"], "first_answer_ms": elapsed}), flush=True)
"""


def restored_run(paths: list[str], env: dict, cwd: Path) -> tuple[float, float]:
    """(init ms, first answer ms) of one process that snapshots and restores."""
    event = json.dumps(rest_event("GET", "/"))
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-I", "-S", "-c", SCRIPT, event, json.dumps(paths)],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = process.stdout.readline()
        init_ms = (time.perf_counter() - started) * 1000
        if line.strip() != "snapshot":
            raise RuntimeError(f"the before-snapshot hooks did not finish: {line!r}")
        report = json.loads(process.stdout.readline())
    finally:
        process.stdout.close()
        process.wait(timeout=60)
    if report["status"] != 200:
        raise RuntimeError(f"GET / after restore answered {report['status']}")
    return init_ms, report["first_answer_ms"]


def measure(bench, workdir: Path) -> dict:
    hooks = workdir / "runtime-hooks"
    hooks.mkdir(exist_ok=True)
    shutil.copy(snapshot_restore_py.__file__, hooks)
    from catsite_tools import ROOT
    from catsite_tools.bench.bench import RUNTIME

    paths = [str(bench.catsite), str(RUNTIME), str(hooks), str(ROOT / "scripts" / "lib")]
    samples: dict[str, list[float]] = {"init": [], "restored": [], "cold": []}
    for _ in range(bench.runs):
        init_ms, first_ms = restored_run(paths, bench.env, bench.catsite)
        samples["init"].append(init_ms)
        samples["restored"].append(first_ms)
        samples["cold"].append(bench.first_answer_ms("catsite", rest_event("GET", "/")))
    median = {k: statistics.median(v) for k, v in samples.items()}
    ratios = sorted(r / c for r, c in zip(samples["restored"], samples["cold"], strict=True))
    return {
        "snapstart_init_ms": round(median["init"], 1),
        "snapstart_first_answer_ms": round(median["restored"], 1),
        "snapstart_cold_first_answer_ms": round(median["cold"], 1),
        "snapstart_first_answer_ratio": round(median["restored"] / median["cold"], 3),
        "snapstart_spread": {
            "first_answer_ms_quartiles": quartiles(samples["restored"]),
            "cold_first_answer_ms_quartiles": quartiles(samples["cold"]),
            "ratio_per_run_quartiles": quartiles(ratios),
            "runs": bench.runs,
        },
    }

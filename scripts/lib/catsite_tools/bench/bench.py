"""catsite against the tutorial's app (the anchor): cold start, warm rate, zip size, S3 requests.

Run by ./scripts/bench, which builds both zips first. Each section is a function returning its
figures; they are printed as a table and merged into bench/results.json, so figures other parts
of the project add (by their own sections or scripts) are kept. A section whose script is missing
is skipped with a note.

Cold starts are timed from spawning a fresh `python -I -S` process (only the unzipped artifact
and a boto3 folder on its path, as on Lambda) to its first answer; catsite and anchor runs are
interleaved so machine load affects both alike. Only ratios within one run mean anything.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

from catsite_tools import ROOT
from catsite_tools.bench.report import machine, per_run, quartiles, run_external, table, targets_report
from catsite_tools.local.events import rest_event
from catsite_tools.local.lambda_worker import LambdaProcess, unpack
from catsite_tools.local.s3 import DUMMY_CREDENTIALS, LocalS3, create_bucket

RUNTIME = ROOT / "build" / "lambda-runtime"
RESULTS = ROOT / "bench" / "results.json"
MIB = 1024 * 1024


class Bench:
    def __init__(self, catsite_zip: Path, anchor_zip: Path, runs: int, workdir: Path, s3: LocalS3):
        self.catsite_zip, self.anchor_zip, self.runs = catsite_zip, anchor_zip, runs
        self.catsite = unpack(catsite_zip, workdir / "catsite")
        self.anchor = unpack(anchor_zip, workdir / "anchor")
        self.s3, self.workdir = s3, workdir
        self.bucket = "catsite-bench"
        create_bucket(s3.url, self.bucket, ["http://127.0.0.1"])
        self.env = {
            "PATH": os.environ.get("PATH", ""),
            **DUMMY_CREDENTIALS,
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "CATSITE_BUCKET": self.bucket,
            "AWS_ENDPOINT_URL_S3": s3.url,
        }

    def process(self, which: str) -> LambdaProcess:
        if which == "catsite":
            return LambdaProcess([self.catsite, RUNTIME], env=self.env, cwd=self.catsite)
        return LambdaProcess(
            [self.anchor, RUNTIME], handler="handler.lambda_handler", env=self.env, cwd=self.anchor
        )

    def first_answer_ms(self, which: str, event: dict) -> float:
        with self.process(which) as worker:
            answer = worker.invoke(event, timeout=60)
            elapsed = (time.perf_counter() - worker.started) * 1000
        if answer["statusCode"] != 200:
            raise RuntimeError(f"{which}: {answer}")
        return elapsed


def section_cold_start(bench: Bench) -> dict:
    samples: dict[str, list[float]] = {"catsite": [], "catsite_healthz": [], "anchor": []}
    for _ in range(bench.runs):  # interleaved: load drift hits every column alike
        samples["anchor"].append(bench.first_answer_ms("anchor", rest_event("GET", "/cat")))
        samples["catsite"].append(bench.first_answer_ms("catsite", rest_event("GET", "/")))
        samples["catsite_healthz"].append(bench.first_answer_ms("catsite", rest_event("GET", "/healthz")))
    median = {k: statistics.median(v) for k, v in samples.items()}
    return {
        "cold_start_spread": {
            "ratio_per_run_quartiles": quartiles(per_run(samples["catsite"], samples["anchor"])),
            "ratio_healthz_per_run_quartiles": quartiles(
                per_run(samples["catsite_healthz"], samples["anchor"])
            ),
            "anchor_ms_quartiles": quartiles(samples["anchor"]),
        },
        "cold_start_ms": {
            "catsite_get_home": round(median["catsite"], 1),
            "catsite_get_healthz": round(median["catsite_healthz"], 1),
            "anchor_get_cat": round(median["anchor"], 1),
            "runs": bench.runs,
        },
        "cold_start_ratio": round(median["catsite"] / median["anchor"], 3),
        "cold_start_ratio_healthz": round(median["catsite_healthz"] / median["anchor"], 3),
    }


def section_warm(bench: Bench, rounds: int = 40, repeat: int = 200) -> dict:
    """Requests per second through each handler, warm.

    This shared machine's speed drifts by as much as two to one within a second, so the ratio is
    taken round by round: each round times `repeat` catsite `/healthz` answers and `repeat` anchor
    `/cat` answers back to back (tens of milliseconds apart, in alternating order so a drift
    favours neither), and `warm_ratio_healthz` is the median of the rounds' ratios, their spread
    beside it. The rates are the medians of their rounds. catsite's `GET /cat` reads S3 each time,
    so it is timed in fewer, smaller rounds."""
    with bench.process("catsite") as catsite, bench.process("anchor") as anchor:
        healthz, cat = rest_event("GET", "/healthz"), rest_event("GET", "/cat")
        for worker, event in ((catsite, healthz), (catsite, cat), (anchor, cat)):
            worker.invoke(event)  # cold start out of the way
        samples: dict[str, list[float]] = {"catsite_get_healthz": [], "anchor_get_cat": []}
        pair = [("catsite_get_healthz", catsite, healthz), ("anchor_get_cat", anchor, cat)]
        for index in range(rounds):
            for name, worker, event in pair if index % 2 == 0 else reversed(pair):
                samples[name].append(worker.warm_rate(event, repeat))
        samples["catsite_get_cat"] = [catsite.warm_rate(cat, 20) for _ in range(5)]
    ratios = per_run(samples["catsite_get_healthz"], samples["anchor_get_cat"])
    return {
        "warm_rps": {name: round(statistics.median(values), 1) for name, values in samples.items()},
        "warm_ratio_healthz": round(statistics.median(ratios), 3),
        "warm_spread": {"rounds": rounds, "ratio_per_round_quartiles": quartiles(ratios)},
    }


def _layers_bytes(stage: str) -> int:
    """Lambda layers the stage deploys with count toward what is shipped; catsite adds none."""
    from catsite_tools.deploy.zappa_stage import stage_config

    layers = stage_config(stage, ROOT / "zappa_settings.json").get("layers") or []
    if layers:
        raise SystemExit(f"stage {stage} deploys layers {layers}: count their size before comparing")
    return 0


def section_zip(bench: Bench) -> dict:
    catsite = bench.catsite_zip.stat().st_size + _layers_bytes("dev")
    anchor = bench.anchor_zip.stat().st_size
    return {
        "zip_mib": {"catsite": round(catsite / MIB, 2), "anchor": round(anchor / MIB, 2)},
        "zip_ratio": round(catsite / anchor, 3),
    }


def section_s3_requests(bench: Bench) -> dict:
    """S3 requests per operation, counted with botocore's event hooks on the app's own client."""
    from catsite.app import create_app
    from catsite.s3.bucket import Bucket
    from catsite.s3.client import make_s3_client

    client = make_s3_client("us-east-1", bench.s3.url)
    calls: list[str] = []
    client.meta.events.register("before-call.s3", lambda model, **_: calls.append(model.name))
    app = create_app(
        {"CATSITE_BUCKET": bench.bucket, "AWS_ENDPOINT_URL_S3": bench.s3.url},
        bucket=Bucket(client, bench.bucket),
    )
    test = app.test_client()
    counts = {}
    for name, send in (
        ("GET /cat", lambda: test.get("/cat")),
        ("POST /cat", lambda: test.post("/cat", json={"says": "counted"})),
    ):
        calls.clear()
        assert send().status_code == 200
        counts[name] = len(calls)
    return {"s3_requests": counts}


def _environment_kept(run) -> dict:
    """`run()` of a benchmark that starts its own local S3 and points this process's environment
    at it; the environment is put back afterwards."""
    saved = dict(os.environ)
    try:
        return run()
    finally:
        os.environ.clear()
        os.environ.update(saved)


def section_uploads(bench: Bench) -> dict:
    """Registering an upload, 1 MB against 200 MB (the `upload_register_*` figures)."""
    from catsite_tools.bench import uploads

    return _environment_kept(uploads.run)


def section_decode_peak(bench: Bench) -> dict:
    """The largest picture each stage accepts: peak memory of registering it (`decode_peak_*`)."""
    from catsite_tools.bench import decode_peak

    return _environment_kept(decode_peak.run)


def section_archive(bench: Bench) -> dict:
    """The archive's memory and throughput, 50 MB and 1 GB (the `archive_*` figures)."""
    from catsite_tools.bench import archive

    return _environment_kept(archive.run)


def section_snapstart(bench: Bench) -> dict:
    """SnapStart: before-snapshot hooks, after-restore hooks, then the first `GET /`."""
    from catsite_tools.bench.snapstart import measure

    return measure(bench, bench.workdir)


def section_janitor(bench: Bench) -> dict:
    """The janitor over 1,000 pictures and 50 leftovers: S3 requests and time per run."""
    from catsite_tools.bench.janitor import measure

    return measure(bench.s3.url)


def section_doors(bench: Bench) -> dict:
    """A page view and an API call through each front door (warm durations), and what 1M of each
    costs at prod's memory size (catsite_tools.bench.costs; docs/edge.md)."""
    from catsite_tools.bench import costs, doors
    from catsite_tools.deploy.zappa_stage import stage_config

    figures = doors.measure(bench, RUNTIME)
    memory = stage_config("prod", ROOT / "zappa_settings.json")["memory_size"]
    print(costs.table(figures["door_duration_ms"], memory), flush=True)
    return {**figures, "door_cost_memory_mb": memory}


def section_metrics(bench: Bench) -> dict:
    """What writing the metrics line costs a cold start: catsite's writer, Powertools' Metrics
    and aws-embedded-metrics, each against a cold `GET /` (the `metrics_*` figures)."""
    from catsite_tools.bench.metrics import measure_writers

    return measure_writers(bench, bench.runs)


def section_burst(bench: Bench) -> dict:
    """32 concurrent visitors against the local server and the local Lambda door: the latency
    quartiles (the `burst_*` figures)."""
    from catsite_tools.bench.metrics import measure_burst

    return measure_burst(bench)


SECTIONS = [
    section_zip,
    section_s3_requests,
    section_warm,
    section_cold_start,
    section_snapstart,
    section_uploads,
    section_decode_peak,
    section_archive,
    section_janitor,
    section_doors,
    section_metrics,
    section_burst,
]


def chosen_sections(only: str | None) -> list:
    if not only:
        return SECTIONS
    names = {section.__name__.removeprefix("section_"): section for section in SECTIONS}
    wanted = [name.strip() for name in only.split(",") if name.strip()]
    unknown = [name for name in wanted if name not in names and name != "lighthouse"]
    if unknown:
        raise SystemExit(f"bench: no section {', '.join(unknown)} (sections: {', '.join(names)}, lighthouse)")
    return [names[name] for name in wanted if name in names]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--catsite", type=Path, required=True, help="catsite's zip (scripts/package)")
    parser.add_argument("--anchor", type=Path, required=True, help="the anchor's zip")
    parser.add_argument("--runs", type=int, default=15, help="fresh processes per cold-start figure")
    parser.add_argument(
        "--only",
        metavar="SECTION[,SECTION]",
        help="run only these sections (zip, s3_requests, warm, cold_start, snapstart, uploads, archive, "
        "janitor, doors, metrics, burst, lighthouse); the other figures in bench/results.json are kept",
    )
    args = parser.parse_args(argv)
    if args.runs < 15:
        parser.error("cold starts need at least 15 runs each")
    sections = chosen_sections(args.only)

    os.environ.update(DUMMY_CREDENTIALS)  # the local S3 only; no AWS account is touched
    os.environ.update({"AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull})
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    measured = results.setdefault("measured", {})
    with tempfile.TemporaryDirectory() as tmp, LocalS3() as s3:
        bench = Bench(args.catsite, args.anchor, args.runs, Path(tmp), s3)
        try:
            for section in sections:
                name = section.__name__.removeprefix("section_")
                print(f"-- {name}", flush=True)
                results.update(section(bench))
                # when and on which Python each section's figures were last measured
                measured[name] = f"{time.strftime('%Y-%m-%d')}, Python {platform.python_version()}"
        finally:
            for folder in (bench.catsite, bench.anchor):  # unpack() made them read-only
                for dirpath, _dirs, _files in os.walk(folder):
                    os.chmod(dirpath, 0o755)  # noqa: S103 - our own temporary folder
    results["machine"] = machine()
    results["measured_on"] = time.strftime("%Y-%m-%d")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    run_lighthouse = not args.only or "lighthouse" in args.only.split(",")
    failed = run_external(RESULTS) if run_lighthouse else []
    results = json.loads(RESULTS.read_text())

    print()
    print(f"Measured {results['measured_on']} on {results['machine']}")
    print(table(results))
    print(targets_report(results))
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    if failed:
        print(f"FAILED: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Lighthouse on every page of a local catsite; run by scripts/lighthouse (see its --help).

Starts its own local S3 and the site (`catsite_tools.local.devserver --static-from-s3`, assets published and
served from S3 as deployed), runs Lighthouse on each page of `catsite_tools.bench.page_budgets.PAGE_PATHS`,
checks `LIGHTHOUSE_MINIMUM` and the home page's byte budget, merges `lighthouse_*` figures into
the results file, saves screenshots of every page at a phone's and a desktop's size beside it
(`catsite_tools.bench.screenshots`), and stops everything it started.

With `--site URL` it starts nothing: it measures the site at URL (a stage held by
`scripts/rehearse --hold`, through its distribution: `doors.cdn`), checks the same thresholds and
prints the figures, merging and photographing nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from catsite_tools import ROOT
from catsite_tools.bench import screenshots
from catsite_tools.bench.page_budgets import LIGHTHOUSE_MINIMUM, PAGE_BYTES_BUDGET, PAGE_PATHS, is_cat_picture
from catsite_tools.bench.report import wait_for
from catsite_tools.local.s3 import DUMMY_CREDENTIALS, LocalS3, create_bucket, free_port

CHROME_FLAGS = (
    "--headless --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --disable-sync --no-first-run"
)
BUCKET = "catsite-lighthouse"


def page_key(path: str) -> str:
    return "home" if path == "/" else path.strip("/").replace("/", "_").replace(".", "_")


def run_lighthouse(lighthouse: str, url: str, out: Path) -> dict:
    command = [
        lighthouse,
        url,
        "--only-categories=performance,accessibility,best-practices,seo",
        "--output=json",
        f"--output-path={out}",
        "--quiet",
        f"--chrome-flags={CHROME_FLAGS}",
    ]
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    subprocess.run(command, check=True, env=env)
    return json.loads(out.read_text())


def figures(report: dict) -> dict:
    """Scores per category, and bytes/requests transferred with cat pictures left out."""
    scores = {name: category["score"] for name, category in report["categories"].items()}
    items = report["audits"]["network-requests"]["details"]["items"]
    page = [i for i in items if not is_cat_picture(i["url"], i.get("resourceType", ""))]
    return {
        **scores,
        "bytes": sum(int(i.get("transferSize") or 0) for i in page),
        "requests": len(page),
        "total_bytes": int(report["audits"]["total-byte-weight"]["numericValue"]),
    }


def failures(path: str, found: dict) -> list[str]:
    problems = [
        f"{path}: {name} {found[name]} < {minimum}"
        for name, minimum in LIGHTHOUSE_MINIMUM.items()
        if found[name] is None or found[name] < minimum
    ]
    if path == "/" and found["bytes"] > PAGE_BYTES_BUDGET:
        problems.append(f"/: {found['bytes']} bytes transferred > {PAGE_BYTES_BUDGET} (cat pictures aside)")
    return problems


def merge_results(results: Path, new: dict) -> None:
    results.parent.mkdir(parents=True, exist_ok=True)
    current = json.loads(results.read_text()) if results.exists() else {}
    current.update(new)
    results.write_text(json.dumps(current, indent=2, sort_keys=True) + "\n")


def measure(lighthouse: str, site: str, runs_per_page: int) -> tuple[dict, list[str]]:
    """Lighthouse on every page of `site`: the `lighthouse_*` figures (the median run of each
    page), and what misses a threshold."""
    results, problems = {}, []
    with tempfile.TemporaryDirectory() as tmp:
        for path in PAGE_PATHS:
            runs = []
            for run in range(runs_per_page):
                print(f"lighthouse {site}{path} (run {run + 1} of {runs_per_page})", flush=True)
                runs.append(figures(run_lighthouse(lighthouse, f"{site}{path}", Path(tmp) / "report.json")))
            found = sorted(runs, key=lambda f: f["performance"] or 0)[len(runs) // 2]
            print(f"  {json.dumps(found, sort_keys=True)}", flush=True)
            for name, value in found.items():
                results[f"lighthouse_{page_key(path)}_{name.replace('-', '_')}"] = value
            problems += failures(path, found)
    return results, problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="lighthouse", description=__doc__.split("\n\n")[0])
    parser.add_argument("--lighthouse", required=True, help="the Lighthouse CLI")
    parser.add_argument("--runs", type=int, default=1, help="runs per page; the median score counts")
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "results.json")
    parser.add_argument("--site", help="measure this running site instead (nothing started, merged or saved)")
    args = parser.parse_args(argv)
    if args.site:
        _results, problems = measure(args.lighthouse, args.site.rstrip("/"), args.runs)
        for problem in problems:
            print(f"below threshold: {problem}", file=sys.stderr)
        return 1 if problems else 0

    with LocalS3() as s3:
        port = free_port()
        site = f"http://127.0.0.1:{port}"
        create_bucket(s3.url, BUCKET, [site])
        env = {**os.environ, **DUMMY_CREDENTIALS, "CATSITE_BUCKET": BUCKET, "AWS_ENDPOINT_URL_S3": s3.url}
        print(f"local S3 at {s3.url}; site at {site} (static assets from S3)", flush=True)
        server = subprocess.Popen(
            [sys.executable, "-m", "catsite_tools.local.devserver", "--port", str(port), "--static-from-s3"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for(f"{site}/healthz", server)
            results, problems = measure(args.lighthouse, site, args.runs)
            shots = screenshots.take(site, PAGE_PATHS, args.results.parent / "screenshots", page_key)
            print(f"screenshots: {', '.join(str(s.relative_to(ROOT)) for s in shots)}", flush=True)
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    merge_results(args.results, results)
    print(f"merged {len(results)} lighthouse_* figures into {args.results}", flush=True)
    for problem in problems:
        print(f"below threshold: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

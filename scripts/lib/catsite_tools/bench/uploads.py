"""Benchmark: registering an upload costs the same whatever the object's size.

Registers the same photo stored as a 1 MB and as a 200 MB object (the photo followed by
padding that no decoder reads) against the local S3, side by side in one run, and reports:

- upload_register_cpu_ms_1mb, _200mb: median CPU time the registering process spends;
- upload_register_cpu_ratio: 200 MB / 1 MB (target <= 1.3: the work is O(1) in the object's size);
- upload_register_read_kib_1mb, _200mb: bytes the process read from S3 (header, thumbnail);
- upload_register_ms_1mb, _200mb and upload_register_wall_ratio: median wall time, which also
  holds S3's own server-side work: the copy into pics/ (O(n) on S3 and on the local S3 alike)
  and, on the local S3 only, ranged reads that cost the server the whole object each;
- upload_register_peak_mib_1mb, _200mb: peak RSS (VmHWM) of a fresh process registering it
  (target < 150 MiB).

Run through scripts/bench, or alone:
    PYTHONPATH=scripts/lib .venv/bin/python -m catsite_tools.bench.uploads [--rounds N]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import time

from catsite_tools import ROOT

MB = 1_000_000
SIZES = {"1mb": 1 * MB, "200mb": 200 * MB}

# ru_maxrss survives exec on Linux (a child would report its parent's peak); VmHWM does not.
_REGISTER_ONCE = """
import json, sys
from catsite.app import create_app
app = create_app({"CATSITE_MAX_UPLOAD_BYTES": str(300 * 1000 * 1000)})
answer = app.test_client().post("/cat/pics", json={"location": sys.argv[1]})
assert answer.status_code == 201, answer.get_json()
status = open("/proc/self/status").read()
print(json.dumps({"peak_kib": int(status.split("VmHWM:")[1].split()[0])}))
"""


def photo() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1600, 1000), (240, 200, 160))
    draw = ImageDraw.Draw(image)
    for i in range(0, 1600, 40):
        draw.line([(i, 0), (1600 - i, 1000)], fill=(i % 255, 80, 160), width=6)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def padded(image: bytes, size: int) -> bytes:
    return image + b"\0" * (size - len(image))


def run(rounds: int = 5) -> dict:
    import boto3

    from catsite.app import create_app
    from catsite_tools.local.s3 import DUMMY_CREDENTIALS, LocalS3, create_bucket

    os.environ.update(DUMMY_CREDENTIALS)
    results: dict[str, float] = {}
    with LocalS3() as s3_server:
        bucket = "bench-uploads"
        create_bucket(s3_server.url, bucket, ["http://127.0.0.1"])
        env = {"CATSITE_BUCKET": bucket, "AWS_ENDPOINT_URL_S3": s3_server.url}
        os.environ.update(env)
        s3 = boto3.client("s3", endpoint_url=s3_server.url, region_name="us-east-1")
        app = create_app({**env, "CATSITE_MAX_UPLOAD_BYTES": str(300 * MB)})
        client = app.test_client()
        read = {"bytes": 0}

        def count_read(parsed, model, **_):
            if model.name == "GetObject":
                read["bytes"] += int(parsed.get("ContentLength") or 0)

        from catsite.web.context import current_stores

        current_stores(app).bucket.client.meta.events.register("after-call.s3", count_read)
        image = photo()
        bodies = {name: padded(image, size) for name, size in SIZES.items()}

        def stage(name: str, n: int) -> str:
            key = f"uploads/{n:032x}/{name}.jpg"
            s3.put_object(Bucket=bucket, Key=key, Body=bodies[name], ContentType="image/jpeg")
            return f"s3://{bucket}/{key}"

        wall: dict[str, list[float]] = {name: [] for name in SIZES}
        cpu: dict[str, list[float]] = {name: [] for name in SIZES}
        counter = 0
        for _ in range(rounds):  # interleaved, so machine noise hits both alike
            for name in SIZES:
                counter += 1
                location = stage(name, counter)
                read["bytes"] = 0
                started, started_cpu = time.perf_counter(), time.process_time()
                answer = client.post("/cat/pics", json={"location": location})
                wall[name].append(time.perf_counter() - started)
                cpu[name].append(time.process_time() - started_cpu)
                assert answer.status_code == 201, answer.get_json()
                results[f"upload_register_read_kib_{name}"] = round(read["bytes"] / 1024, 1)
        for name in SIZES:
            results[f"upload_register_cpu_ms_{name}"] = round(statistics.median(cpu[name]) * 1000, 1)
            results[f"upload_register_ms_{name}"] = round(statistics.median(wall[name]) * 1000, 1)
        results["upload_register_cpu_ratio"] = round(
            results["upload_register_cpu_ms_200mb"] / results["upload_register_cpu_ms_1mb"], 3
        )
        results["upload_register_wall_ratio"] = round(
            results["upload_register_ms_200mb"] / results["upload_register_ms_1mb"], 3
        )
        for name in SIZES:
            counter += 1
            done = subprocess.run(
                [sys.executable, "-c", _REGISTER_ONCE, stage(name, counter)],
                env={**os.environ, **env},
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
            )
            peak = json.loads(done.stdout.strip().splitlines()[-1])["peak_kib"] / 1024
            results[f"upload_register_peak_mib_{name}"] = round(peak, 1)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    results = run(args.rounds)
    for key, value in results.items():
        print(f"{key:36} {value}")
    ok = results["upload_register_cpu_ratio"] <= 1.3 and results["upload_register_peak_mib_200mb"] < 150
    print("targets met" if ok else "TARGETS MISSED", "(CPU ratio <= 1.3, peak < 150 MiB)")


if __name__ == "__main__":
    main()

"""Benchmark: the archive streams, so memory does not grow with its size.

Builds, in one run against the local S3, the archive of 2 pictures of 25 MB (50 MB) and of 40
(1 GB), each in a fresh process, and two plain boto3 copies of the same bytes through a process:
into one object with boto3's managed transfer (`upload_fileobj`, its default settings, reading
the originals one after another), as the archive writes one object; and picture by picture
(GetObject, then PutObject). Reports:

- archive_peak_rise_mib_50mb, archive_peak_rise_mib_1gb: peak RSS (VmHWM) minus the process's
  RSS just before it starts (target for 1 GB: < 64 MiB);
- archive_mb_per_s_1gb, managed_copy_mb_per_s_1gb and archive_throughput_ratio, the archive
  against the copy into one object (target >= 0.5);
- copy_mb_per_s_1gb and archive_vs_object_copies_ratio, against the picture-by-picture copy.

Why two baselines: an object written in parts is only complete once S3 assembles it, and the
local S3 (moto) does that in Python, copying the whole object several times: for 1 GB that takes
longer than writing the parts did. The copy into one object pays it too; copies of separate
25 MB objects never do. On AWS the assembly happens inside S3.

Run through scripts/bench, or alone:
    PYTHONPATH=scripts/lib .venv/bin/python -m catsite_tools.bench.archive
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

from catsite_tools import ROOT

MB = 1_000_000
PICTURE_BYTES = 25 * MB
SETS = {"50mb": 2, "1gb": 40}

_MEASURE = """
import json, sys, time
from catsite.settings import Settings
from catsite.stores import open_stores

def rss(field):
    return int(open("/proc/self/status").read().split(field + ":")[1].split()[0]) / 1024

stores = open_stores(Settings.load())
bucket = stores.bucket
records = list(stores.pictures.all())
mode = sys.argv[1]
idle = rss("VmRSS")
started = time.perf_counter()
if mode == "archive":
    from catsite.pictures.archive import build_archive
    from catsite.deadline import Deadline
    from catsite.pictures.kitty import kitty_path
    result = build_archive(stores, kitty_path(Settings.load().root), Deadline(3600))
    moved = result["bytes"]
elif mode == "managed":
    import io
    import boto3

    class Originals(io.RawIOBase):
        # every original, one after another, read from S3 as the reader asks

        def __init__(self):
            self.keys = iter([f"pics/{r['id']}/original.{r['extension']}" for r in records])
            self.body = None

        def readable(self):
            return True

        def readinto(self, buffer):
            while True:
                if self.body is None:
                    key = next(self.keys, None)
                    if key is None:
                        return 0
                    self.body = bucket.client.get_object(Bucket=bucket.name, Key=key)["Body"]
                data = self.body.read(len(buffer))
                if data:
                    buffer[: len(data)] = data
                    return len(data)
                self.body = None

    client = boto3.client("s3")
    client.upload_fileobj(io.BufferedReader(Originals(), 1 << 20), bucket.name, "copies/all")
    moved = client.head_object(Bucket=bucket.name, Key="copies/all")["ContentLength"]
else:
    moved = 0
    for record in records:
        key = f"pics/{record['id']}/original.{record['extension']}"
        data = bucket.client.get_object(Bucket=bucket.name, Key=key)["Body"].read()
        bucket.client.put_object(Bucket=bucket.name, Key=f"copies/{record['id']}", Body=data)
        moved += len(data)
        del data
seconds = time.perf_counter() - started
print(json.dumps({"rise_mib": rss("VmHWM") - idle, "seconds": seconds, "bytes": moved}))
"""


def photo() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (800, 600), (200, 150, 90)).save(out, "JPEG", quality=85)
    return out.getvalue()


def measure(mode: str, env: dict) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, mode], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"the {mode} measurement failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run() -> dict:
    import boto3

    from catsite.app import create_app
    from catsite_tools.local.s3 import DUMMY_CREDENTIALS, LocalS3, create_bucket

    os.environ.update(DUMMY_CREDENTIALS)
    results: dict[str, float] = {}
    image = photo()
    with LocalS3() as server:
        s3 = boto3.client("s3", endpoint_url=server.url, region_name="us-east-1")
        for name, count in SETS.items():
            bucket = f"bench-archive-{name}"
            create_bucket(server.url, bucket, ["http://127.0.0.1"])
            env = {**os.environ, "CATSITE_BUCKET": bucket, "AWS_ENDPOINT_URL_S3": server.url}
            client = create_app({**env, "CATSITE_MAX_UPLOAD_BYTES": str(30 * MB)}).test_client()
            for n in range(count):
                key = f"uploads/{n:032x}/cat.jpg"
                body = image + bytes([n % 256]) * (PICTURE_BYTES - len(image))
                s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType="image/jpeg")
                answer = client.post("/cat/pics", json={"location": f"s3://{bucket}/{key}"})
                assert answer.status_code == 201, answer.get_json()
            archive = measure("archive", env)
            results[f"archive_peak_rise_mib_{name}"] = round(archive["rise_mib"], 1)
            if name == "1gb":
                copy = measure("copy", env)
                managed = measure("managed", env)
                results["managed_copy_mb_per_s_1gb"] = round(managed["bytes"] / managed["seconds"] / MB, 1)
                results["archive_mb_per_s_1gb"] = round(archive["bytes"] / archive["seconds"] / MB, 1)
                results["copy_mb_per_s_1gb"] = round(copy["bytes"] / copy["seconds"] / MB, 1)
                results["archive_throughput_ratio"] = round(
                    results["archive_mb_per_s_1gb"] / results["managed_copy_mb_per_s_1gb"], 3
                )
                results["archive_vs_object_copies_ratio"] = round(
                    results["archive_mb_per_s_1gb"] / results["copy_mb_per_s_1gb"], 3
                )
                results["copy_peak_rise_mib_1gb"] = round(copy["rise_mib"], 1)
    return results


def main() -> None:
    import argparse

    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args()
    results = run()
    for key, value in results.items():
        print(f"{key:34} {value}")
    ok = results["archive_peak_rise_mib_1gb"] < 64 and results["archive_throughput_ratio"] >= 0.5
    print("targets met" if ok else "TARGETS MISSED", "(1 GB peak rise < 64 MiB, throughput ratio >= 0.5)")


if __name__ == "__main__":
    main()

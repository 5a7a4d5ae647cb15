"""Benchmark: registering the largest picture a stage accepts stays within half its memory.

For each stage of zappa_settings.json (its `memory_size`), the largest square picture of each
kind that the stage's decode budget accepts (`catsite.pictures.images.decode_budget`, reckoned
by `decode_bytes`; at most 40 megapixels) is made as a small file of one repeated row, uploaded to
a local S3, and registered by a fresh process told the stage's memory, as Lambda tells it
(`AWS_LAMBDA_FUNCTION_MEMORY_SIZE`). Reported, per stage and kind: `decode_peak_mib_<stage>_<kind>`
(peak RSS, VmHWM) and `decode_peak_share_<stage>` (the largest peak over the stage's memory;
target <= 0.5).

Run through scripts/bench (`--only decode_peak`), or alone:
    PYTHONPATH=scripts/lib .venv/bin/python -m catsite_tools.bench.decode_peak
"""

from __future__ import annotations

import io
import json
import math
import os
import subprocess
import sys

from catsite_tools import ROOT

#: (kind, Pillow format, mode, content type, bytes a decode holds per pixel: decode_bytes's rule)
KINDS = (
    ("png_rgba", "PNG", "RGBA", "image/png", 8),
    ("png_rgb", "PNG", "RGB", "image/png", 4),
    ("webp", "WEBP", "RGB", "image/webp", 16),
)

_REGISTER_ONCE = """
import json, sys
from catsite.app import create_app
answer = create_app().test_client().post("/cat/pics", json={"location": sys.argv[1]})
status = open("/proc/self/status").read()
print(json.dumps({"status": answer.status_code, "peak_kib": int(status.split("VmHWM:")[1].split()[0])}))
"""


def largest_side(memory_mib: int, per_pixel: int) -> int:
    from catsite.pictures.images import MAX_PIXELS, decode_budget

    return math.isqrt(min(decode_budget(memory_mib) // per_pixel, MAX_PIXELS))


def picture(fmt: str, mode: str, side: int) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new(mode, (side, 1), (200, 100, 50, 255)[: len(mode)]).resize((side, side)).save(out, fmt)
    return out.getvalue()


def stage_memories() -> dict[str, int]:
    from catsite_tools.deploy.zappa_stage import stage_config, stage_names

    settings = ROOT / "zappa_settings.json"
    return {name: int(stage_config(name, settings)["memory_size"]) for name in stage_names(settings)}


def run() -> dict:
    import boto3

    from catsite_tools.local.s3 import DUMMY_CREDENTIALS, LocalS3, create_bucket

    results: dict[str, float] = {}
    with LocalS3() as s3_server:
        bucket = "bench-decode"
        create_bucket(s3_server.url, bucket, ["http://127.0.0.1"])
        s3 = boto3.client(
            "s3", endpoint_url=s3_server.url, region_name="us-east-1", **_credentials(DUMMY_CREDENTIALS)
        )
        counter = 0
        for stage, memory in stage_memories().items():
            peaks = []
            env = {
                **os.environ,
                **DUMMY_CREDENTIALS,
                "CATSITE_BUCKET": bucket,
                "AWS_ENDPOINT_URL_S3": s3_server.url,
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(memory),
            }
            for kind, fmt, mode, content_type, per_pixel in KINDS:
                side = largest_side(memory, per_pixel)
                counter += 1
                key = f"uploads/{counter:032x}/{kind}.{fmt.lower()}"
                s3.put_object(Bucket=bucket, Key=key, Body=picture(fmt, mode, side), ContentType=content_type)
                done = subprocess.run(
                    [sys.executable, "-c", _REGISTER_ONCE, f"s3://{bucket}/{key}"],
                    env=env, capture_output=True, text=True, check=True, cwd=ROOT,
                )  # fmt: skip
                answer = json.loads(done.stdout.strip().splitlines()[-1])
                if answer["status"] != 201:
                    raise SystemExit(f"bench: the largest {kind} {stage} accepts ({side}²) was refused")
                peak = answer["peak_kib"] / 1024
                results[f"decode_peak_side_{stage}_{kind}"] = side
                results[f"decode_peak_mib_{stage}_{kind}"] = round(peak, 1)
                peaks.append(peak)
            results[f"decode_peak_share_{stage}"] = round(max(peaks) / memory, 3)
    return results


def _credentials(dummy: dict) -> dict:
    return {
        "aws_access_key_id": dummy["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": dummy["AWS_SECRET_ACCESS_KEY"],
    }


def main() -> None:
    results = run()
    for key, value in results.items():
        print(f"{key:40} {value}")
    shares = [v for k, v in results.items() if k.startswith("decode_peak_share_")]
    print("target met" if max(shares) <= 0.5 else "TARGET MISSED", "(peak <= half the stage's memory)")


if __name__ == "__main__":
    main()

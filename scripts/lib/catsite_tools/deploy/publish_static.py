"""Publish `static/` to a stage's bucket under content-hashed names: `scripts/publish-static`.

Every file goes to `static/<name with hash>` with its Content-Type and
`Cache-Control: public, max-age=31536000, immutable`. A hashed name that is already in the bucket
holds the same bytes, so it is skipped: publishing twice uploads nothing the second time. The
manifest (logical name -> hashed name) is written to `static/manifest.json` (revalidated, not
cached forever), only when it changed.

The bucket is the stage's `CATSITE_BUCKET` from zappa_settings.json (`--stage`), or the
environment's `CATSITE_BUCKET` (and `AWS_ENDPOINT_URL_S3` for a local S3).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from catsite.s3.keys import IMMUTABLE, STATIC_PREFIX
from catsite.settings import Settings
from catsite.web.static import MANIFEST_NAME, build_assets, manifest
from catsite_tools.deploy.zappa_stage import stage_overrides

__all__ = ["PublishReport", "main", "publish", "stage_overrides"]


@dataclass
class PublishReport:
    uploaded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    manifest_written: bool = False


def published_names(bucket) -> set[str]:
    """Names (below `static/`) of every asset already published; `bucket` is a
    `catsite.s3.bucket.Bucket`."""
    return {obj["Key"][len(STATIC_PREFIX) :] for obj in bucket.objects(STATIC_PREFIX)}


def publish_asset(bucket, name: str, body: bytes, content_type: str, *, immutable: bool = True) -> None:
    """Store `static/<name>`; a content-hashed name is cached forever, anything else revalidated."""
    bucket.put(STATIC_PREFIX + name, body, content_type, CacheControl=IMMUTABLE if immutable else "no-cache")


def read_asset(bucket, name: str) -> bytes | None:
    """The published `static/<name>`, or None when it is not there."""
    found = bucket.get(STATIC_PREFIX + name)
    return None if found is None else found[0]


def publish(bucket, static_dir: Path, log=print) -> PublishReport:
    """Upload what is missing from the bucket; `bucket` is a `catsite.s3.bucket.Bucket`."""
    assets = build_assets(static_dir)
    present = published_names(bucket)
    report = PublishReport()
    for asset in assets.values():
        if asset.hashed_name in present:
            report.skipped.append(asset.hashed_name)
            continue
        log(f"  upload static/{asset.hashed_name} ({asset.content_type}, {len(asset.body)} bytes)")
        publish_asset(bucket, asset.hashed_name, asset.body, asset.content_type)
        report.uploaded.append(asset.hashed_name)
    body = (json.dumps(manifest(assets), indent=2, sort_keys=True) + "\n").encode("utf-8")
    if read_asset(bucket, MANIFEST_NAME) != body:
        log(f"  write static/{MANIFEST_NAME}")
        publish_asset(bucket, MANIFEST_NAME, body, "application/json", immutable=False)
        report.manifest_written = True
    return report


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="publish-static", description=__doc__.split("\n\n")[0])
    parser.add_argument("--stage", help="a stage of zappa_settings.json (default: the environment's bucket)")
    parser.add_argument(
        "--settings", type=Path, help="the Zappa settings file (default: zappa_settings.json)"
    )
    args = parser.parse_args(argv)

    from catsite.errors import StorageUnavailable
    from catsite.s3.bucket import open_bucket
    from catsite.settings import DEFAULT_ROOT, SettingsError

    try:
        zappa_settings = args.settings or DEFAULT_ROOT / "zappa_settings.json"
        overrides = stage_overrides(args.stage, zappa_settings) if args.stage else {}
        settings = Settings.load(overrides)
    except SettingsError as error:
        print(f"publish-static: {error}", file=sys.stderr)
        return 2
    static_dir = settings.root / "static"
    print(f"publishing {static_dir.name}/ to s3://{settings.bucket}/static/", flush=True)
    try:
        report = publish(open_bucket(settings), static_dir)
    except StorageUnavailable as error:
        print(f"publish-static: {error}", file=sys.stderr)
        return 1
    print(f"uploaded {len(report.uploaded)}, already there {len(report.skipped)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

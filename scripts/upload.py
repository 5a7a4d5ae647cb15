"""Upload a cat picture to a catsite, the way the gallery page does it, from a terminal.

  scripts/upload FILE [--caption TEXT] [--site URL]

Two API calls around one direct upload: POST /uploads asks for a presigned POST, the file goes
straight to S3 (with a progress bar), then POST /cat/pics registers it. Prints the new record.
scripts/upload runs this module inside the project's .venv, which it sets up if needed.
"""

from __future__ import annotations

import argparse
import json
import mimetypes
import sys
from pathlib import Path

import requests
from requests_toolbelt import MultipartEncoder, MultipartEncoderMonitor
from tqdm import tqdm


def fail(message: str) -> None:
    print(f"upload: {message}", file=sys.stderr)
    sys.exit(1)


def explain(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    errors = " ".join(" ".join(v) for v in (body.get("errors") or {}).values())
    return f"HTTP {response.status_code}: {body.get('message', '')} {errors}".strip()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="scripts/upload", description=__doc__.split("\n\n")[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--caption", default="")
    parser.add_argument(
        "--site", default="http://127.0.0.1:5000", help="the site's base URL (default: %(default)s)"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)

    if not args.file.is_file():
        fail(f"no such file: {args.file}")
    content_type = mimetypes.guess_type(args.file.name)[0] or "application/octet-stream"
    size = args.file.stat().st_size
    site = args.site.rstrip("/")
    session = requests.Session()

    print(f"asking {site}/uploads for an upload of {size:,} bytes ({content_type})", file=sys.stderr)
    answer = session.post(
        f"{site}/uploads",
        json={"filename": args.file.name, "content_type": content_type, "bytes": size},
        timeout=30,
    )
    if answer.status_code != 201:
        fail(f"the site refused the upload: {explain(answer)}")
    presigned = answer.json()

    with (
        args.file.open("rb") as handle,
        tqdm(total=size, unit="B", unit_scale=True, desc="to S3", disable=args.quiet, file=sys.stderr) as bar,
    ):
        encoder = MultipartEncoder(
            fields={**presigned["fields"], "file": (args.file.name, handle, content_type)}
        )
        seen = {"bytes": 0}

        def advance(monitor: MultipartEncoderMonitor) -> None:
            done = min(monitor.bytes_read, size)
            bar.update(done - seen["bytes"])
            seen["bytes"] = done

        monitor = MultipartEncoderMonitor(encoder, advance)
        sent = requests.post(
            presigned["url"], data=monitor, headers={"Content-Type": monitor.content_type}, timeout=600
        )
    if sent.status_code not in (200, 201, 204):
        fail(f"S3 refused the file: HTTP {sent.status_code} {sent.text[:200]}")

    print("registering the picture", file=sys.stderr)
    record = session.post(
        f"{site}/cat/pics", json={"location": presigned["location"], "caption": args.caption}, timeout=60
    )
    if record.status_code not in (200, 201):
        fail(f"the site refused the picture: {explain(record)}")
    print(json.dumps(record.json(), indent=2))


if __name__ == "__main__":
    main()

"""Upload a cat picture to a catsite, the way the gallery page does it, from a terminal.

  scripts/upload FILE [--caption TEXT] [--site URL]

The site defaults to CATSITE_SITE_URL (else the local server). Two API calls around one direct
upload: POST /uploads asks for a presigned POST, the file goes straight to S3 (with a progress
bar), then POST /cat/pics registers it. Prints the new record; any failure is one line on stderr
("upload: ...") and exit status 1, never a traceback. scripts/upload runs this module inside the
project's .venv, which it sets up if needed.
"""

from __future__ import annotations

import argparse
import json
import mimetypes
import os
import sys
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter
from requests_toolbelt import MultipartEncoder, MultipartEncoderMonitor
from tqdm import tqdm

from catsite_tools.client.busy import RETRY_WHEN_BUSY, busy_words

LOCAL_SITE = "http://127.0.0.1:5000"


class Failed(Exception):
    """What went wrong, in one line for people."""


def fail(message: str) -> None:
    raise Failed(message)


def explain(response: requests.Response) -> str:
    """The site's own words for a refusal: its message, and per-field errors it does not repeat;
    for a site still busy after the retries (`catsite_tools.client.busy`), words saying so."""
    busy = busy_words(response.status_code)
    if busy:
        return busy
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    if not isinstance(body, dict):
        return f"HTTP {response.status_code}"
    message = str(body.get("message", "")).strip()
    extra = [
        text
        for texts in (body.get("errors") or {}).values()
        for text in (texts if isinstance(texts, list) else [texts])
        if str(text).strip() and str(text).strip() not in message
    ]
    return " ".join([f"HTTP {response.status_code}:", message, *map(str, extra)]).strip()


def main(argv=None) -> None:
    """Run the upload; every failure becomes one line on stderr and exit status 1."""
    try:
        upload(argv)
    except Failed as failure:
        print(f"upload: {failure}", file=sys.stderr)
        sys.exit(1)
    except requests.exceptions.ConnectionError as error:
        print(f"upload: cannot reach {_host(error)}: is the site running and the URL right?", file=sys.stderr)
        sys.exit(1)
    except requests.exceptions.Timeout:
        print("upload: the site or S3 took too long to answer; try again", file=sys.stderr)
        sys.exit(1)
    except (requests.RequestException, OSError) as error:
        print(f"upload: {error.__class__.__name__}: {error}".splitlines()[0], file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("upload: cancelled", file=sys.stderr)
        sys.exit(130)


def _host(error: requests.RequestException) -> str:
    request = getattr(error, "request", None)
    return getattr(request, "url", None) or "the site"


def upload(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="scripts/upload", description=__doc__.split("\n\n")[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--caption", default="")
    parser.add_argument(
        "--site",
        default=os.environ.get("CATSITE_SITE_URL") or LOCAL_SITE,
        help="the site's base URL (default: CATSITE_SITE_URL, else %(default)s)",
    )
    parser.add_argument(
        "--quiet", action="store_true", help="no progress: only the record, or one line on failure"
    )
    args = parser.parse_args(argv)

    if not args.file.is_file():
        fail(f"no such file: {args.file}")
    content_type = mimetypes.guess_type(args.file.name)[0] or "application/octet-stream"
    size = args.file.stat().st_size
    site = args.site.rstrip("/")
    session = requests.Session()
    session.mount("http://", HTTPAdapter(max_retries=RETRY_WHEN_BUSY))
    session.mount("https://", HTTPAdapter(max_retries=RETRY_WHEN_BUSY))

    say = (lambda message: None) if args.quiet else (lambda message: print(message, file=sys.stderr))
    say(f"asking {site}/uploads for an upload of {size:,} bytes ({content_type})")
    answer = session.post(
        f"{site}/uploads",
        json={"filename": args.file.name, "content_type": content_type, "bytes": size},
        timeout=30,
    )
    if answer.status_code != 201:
        fail(f"the site refused the upload: {explain(answer)}")
    presigned = _json(answer, "POST /uploads")

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

    say("registering the picture")
    record = session.post(
        f"{site}/cat/pics", json={"location": presigned["location"], "caption": args.caption}, timeout=60
    )
    if record.status_code not in (200, 201):
        fail(f"the site refused the picture: {explain(record)}")
    print(json.dumps(_json(record, "POST /cat/pics"), indent=2))


def _json(response: requests.Response, what: str) -> dict:
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        fail(f"{what} answered something that is not catsite's JSON (is --site a catsite?)")
    return body


if __name__ == "__main__":
    main()

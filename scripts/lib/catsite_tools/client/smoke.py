"""scripts/smoke URL: check a deployed (or local) catsite from the outside, as a browser would.

Pages (`/`, `/pics`, `/docs`) and the stylesheet and scripts the home page links to (published
static assets, when the stage serves them from S3 or through its distribution); `/healthz`; the
`/cat` round trip (what the cat says is changed, read back, then put back as it was); an upload
(`POST /uploads`, the file straight to the presigned URL, `POST /cat/pics`) and its registration
(the record, the gallery list, the picture, its page and its renditions), then the test picture
is deleted again; a job (`POST /cat/pics/archive` with `Prefer: respond-async`) watched to its end
and its archive downloaded. With `--private-bucket`, also that the bucket the upload went to
refuses an unsigned read of a published asset and of a rendition (403): only the site's own host
serves them. Stops at the first failure with a message saying what was expected; exit status 0
only when everything answered.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import sys
import time
import uuid
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter

from catsite_tools.client.busy import RETRY_WHEN_BUSY

TIMEOUT = 30
#: How long a job may take to finish (an archive of a handful of pictures takes seconds).
JOB_SECONDS = 120


class SmokeFailure(Exception):
    pass


class Resolved(HTTPAdapter):
    """curl's `--resolve HOST:PORT:ADDRESS`: a request for HOST:PORT connects to ADDRESS, its URL
    and Host header unchanged. For a site on a name that DNS does not know yet, such as an
    emulator's `<api>.execute-api.localhost`. Plain http only: with https the certificate would
    be checked against ADDRESS."""

    def __init__(self, addresses: dict[tuple[str, int], str], **kwargs):
        super().__init__(**kwargs)
        self.addresses = addresses

    def send(self, request, **kwargs):
        parts = urlsplit(request.url)
        address = self.addresses.get((parts.hostname or "", parts.port or 80))
        if address is None or parts.scheme != "http":
            return super().send(request, **kwargs)
        url = request.url
        request.headers["Host"] = parts.netloc
        request.url = urlunsplit(parts._replace(netloc=f"{address}:{parts.port or 80}"))
        response = super().send(request, **kwargs)
        response.url = request.url = url
        return response


def parse_resolve(value: str) -> tuple[tuple[str, int], str]:
    host, port, address = value.rsplit(":", 2) if value.count(":") >= 2 else (value, "", "")
    if not (host and port.isdigit() and address):
        raise argparse.ArgumentTypeError(f"expected HOST:PORT:ADDRESS, got {value!r}")
    return (host.lower(), int(port)), address


def http_session(resolve: dict | None = None, *, when_busy: bool = True) -> requests.Session:
    """A session whose http requests for the `(host, port)` keys of `resolve` go to its values;
    `when_busy`: a 429 or 503 is retried (`catsite_tools.client.busy`), as a visitor's page does."""
    session = requests.Session()
    retries = {"max_retries": RETRY_WHEN_BUSY} if when_busy else {}
    session.mount("http://", Resolved(resolve or {}, **retries))
    session.mount("https://", HTTPAdapter(**retries))
    return session


class Smoke:
    def __init__(
        self,
        base_url: str,
        log=print,
        admin_token: str = "",
        resolve: dict | None = None,
        private_bucket: bool = False,
    ):
        self.base = base_url.rstrip("/") + "/"
        self.http = http_session(resolve)
        self.log = log
        self.admin_token = admin_token
        self.private_bucket = private_bucket
        #: The published assets the home page links to (filled by `assets`).
        self.asset_urls: list[str] = []

    def url(self, path: str) -> str:
        return urljoin(self.base, path.lstrip("/"))

    def expect(self, response: requests.Response, status: int | tuple, what: str) -> requests.Response:
        wanted = status if isinstance(status, tuple) else (status,)
        if response.status_code not in wanted:
            raise SmokeFailure(
                f"{what}: {response.request.method} {response.url} answered {response.status_code}, "
                f"expected {' or '.join(map(str, wanted))}: {response.text[:300]!r}"
            )
        return response

    def json(self, method: str, path: str, status, what: str, **kwargs) -> dict:
        response = self.expect(
            self.http.request(method, self.url(path), timeout=TIMEOUT, **kwargs), status, what
        )
        if not response.headers.get("Content-Type", "").startswith("application/json"):
            raise SmokeFailure(f"{what}: {path} answered {response.headers.get('Content-Type')}, not JSON")
        return response.json()

    def ok(self, message: str) -> None:
        self.log(f"ok   {message}")

    # -- the checks -----------------------------------------------------------------------------

    def pages(self) -> None:
        for path in ("/", "/pics", "/docs"):
            response = self.expect(self.http.get(self.url(path), timeout=TIMEOUT), 200, f"page {path}")
            kind = response.headers.get("Content-Type", "")
            if not kind.startswith("text/html") or "</html>" not in response.text:
                raise SmokeFailure(f"page {path}: expected an HTML page, got {kind} {response.text[:120]!r}")
            self.ok(f"page {path} ({len(response.content):,} bytes)")
            if path == "/":
                self.assets(response)

    def assets(self, home: requests.Response) -> None:
        links = re.findall(r'(?:href|src)="([^"]+\.(?:css|js))"', home.text)
        if not links:
            raise SmokeFailure("page /: links no stylesheet or script")
        for link in links:
            asset = urljoin(home.url, link)
            self.expect(self.http.get(asset, timeout=TIMEOUT), 200, "an asset of the home page")
            self.asset_urls.append(asset)
            self.ok(f"asset {asset}")

    def health(self) -> None:
        body = self.json("GET", "/healthz", 200, "health check")
        if body.get("status") != "ok":
            raise SmokeFailure(f"/healthz answered {body}, expected status ok")
        self.ok("/healthz")

    def cat_round_trip(self) -> None:
        before = self.json("GET", "/cat", 200, "GET /cat")["says"]
        words = f"smoke test {uuid.uuid4().hex[:8]}"
        try:
            answer = self.json("POST", "/cat", 200, "POST /cat", json={"says": words})
            if answer.get("says") != words:
                raise SmokeFailure(f"POST /cat answered {answer}, expected says={words!r}")
            read = self.json("GET", "/cat", 200, "GET /cat after POST")["says"]
            if read != words:
                raise SmokeFailure(f"GET /cat after POST says {read!r}, expected {words!r}")
            self.ok(f"/cat round trip ({words!r})")
        finally:
            self.json("POST", "/cat", 200, "putting back what the cat said", json={"says": before})
            self.ok(f"/cat says {before!r} again")

    def upload(self) -> None:
        data, caption = smoke_png(), f"smoke test {uuid.uuid4().hex[:8]}"
        presigned = self.json(
            "POST",
            "/uploads",
            201,
            "asking for an upload",
            json={"filename": "smoke.png", "content_type": "image/png", "bytes": len(data)},
        )
        files = {
            **{k: (None, v) for k, v in presigned["fields"].items()},
            "file": ("smoke.png", data, "image/png"),
        }
        sent = requests.post(presigned["url"], files=files, timeout=TIMEOUT)
        self.expect(sent, (200, 201, 204), "the upload to the presigned URL")
        self.ok(f"uploaded {len(data)} bytes to {presigned['url']}")
        record = self.json(
            "POST",
            "/cat/pics",
            201,
            "registering the upload",
            json={"location": presigned["location"], "caption": caption},
        )
        picture = record["id"]
        try:
            self.ok(f"registered picture {picture}")
            again = self.json("GET", f"/cat/pics/{picture}", 200, "reading the registered picture")
            if (again.get("id"), again.get("caption")) != (picture, caption):
                raise SmokeFailure(f"GET /cat/pics/{picture} answered {again}, expected caption {caption!r}")
            listed = self.json("GET", "/cat/pics?limit=100", 200, "the gallery list")
            if picture not in [item["id"] for item in listed["items"]]:
                raise SmokeFailure(f"GET /cat/pics does not list the new picture {picture}")
            self.ok("the gallery lists it")
            for field in ("url", "thumb_url", "display_url"):
                image = self.expect(
                    self.http.get(again[field], timeout=TIMEOUT), 200, f"the picture's {field}"
                )
                if not image.headers.get("Content-Type", "").startswith("image/"):
                    raise SmokeFailure(f"the picture's {field} answered {image.headers.get('Content-Type')}")
            self.ok("its picture and renditions download")
            self.picture_page(picture, again["display_url"])
            if self.private_bucket:
                self.bucket_refuses(presigned["url"], [*self.asset_urls[:1], again["thumb_url"]])
            # While the test picture is there: the set of pictures is new, so its archive is made
            # by a job now (an archive of a set already archived is answered at once, 200).
            self.job()
        finally:
            self.remove_picture(picture)

    def picture_page(self, picture: str, rendition: str) -> None:
        """The picture's page, showing its rendition (the one it shares as og:image)."""
        page = self.expect(
            self.http.get(self.url(f"/pics/{picture}"), timeout=TIMEOUT), 200, "the picture's page"
        )
        shown = re.findall(r'<meta property="og:image" content="([^"]+)"', page.text)
        if shown != [rendition]:
            raise SmokeFailure(f"/pics/{picture} shares {shown}, expected its rendition {rendition}")
        self.ok(f"its page /pics/{picture} shows its rendition")

    def bucket_refuses(self, bucket_url: str, served: list[str]) -> None:
        """Each of `served` (URLs on the site's own host) read from the bucket itself, unsigned: 403."""
        for url in served:
            key = urlsplit(url).path.lstrip("/")
            direct = f"{bucket_url.rstrip('/')}/{key}"
            answer = self.http.get(direct, timeout=TIMEOUT)
            if answer.status_code != 403:
                raise SmokeFailure(f"an unsigned GET of {direct} answered {answer.status_code}, expected 403")
            self.ok(f"the bucket refuses an unsigned read of {key} (403)")

    def remove_picture(self, picture: str) -> None:
        if not self.admin_token:
            self.log(f"note: left the test picture {picture} (deleting needs --admin-token)")
            return
        gone = self.http.delete(
            self.url(f"/cat/pics/{picture}"),
            headers={"Authorization": f"Bearer {self.admin_token}"},
            timeout=TIMEOUT,
        )
        if gone.status_code == 200:
            self.ok(f"deleted the test picture {picture}")
        else:
            self.log(f"note: could not delete the test picture {picture} (HTTP {gone.status_code})")

    def job(self) -> None:
        """An archive job, from 202 to `done`, and the archive it wrote."""
        start = self.url("/cat/pics/archive")
        answer = self.json("POST", start, 202, "starting an archive job", headers={"Prefer": "respond-async"})
        # a URI reference, resolved against the request's URL (RFC 3986 section 5)
        status_url = urljoin(start, answer["status_url"])
        deadline = time.monotonic() + JOB_SECONDS
        job = self.json("GET", status_url, 200, "the job's status")
        while job["status"] in ("queued", "running") and time.monotonic() < deadline:
            time.sleep(0.5)
            job = self.json("GET", status_url, 200, "the job's status")
        if job["status"] != "done":
            ended = f"{job['status']!r} ({job.get('reason')})"
            raise SmokeFailure(f"the archive job ended {ended}, expected done")
        archive = self.expect(self.http.get(job["result"]["url"], timeout=TIMEOUT), 200, "the job's archive")
        if not archive.content.startswith(b"PK"):
            raise SmokeFailure(f"the job's archive is not a ZIP file: {archive.content[:20]!r}")
        self.ok(f"job {job['id']} done; its archive downloads ({len(archive.content):,} bytes)")

    def run(self) -> None:
        self.log(f"smoke test of {self.base}")
        self.pages()
        self.health()
        self.cat_round_trip()
        self.upload()  # and, while its picture is there, an archive job


def smoke_png() -> bytes:
    """A small real PNG: a 96x64 picture in one colour."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (96, 64), (230, 140, 60)).save(out, "PNG")
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/smoke", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "url", help="the site's base URL, e.g. https://abc123.execute-api.us-east-1.amazonaws.com/dev"
    )
    parser.add_argument(
        "--admin-token",
        default=os.environ.get("CATSITE_ADMIN_TOKEN", ""),
        help="the stage's CATSITE_ADMIN_TOKEN, to delete the test picture afterwards "
        "(default: that environment variable)",
    )
    parser.add_argument(
        "--resolve",
        action="append",
        type=parse_resolve,
        default=[],
        metavar="HOST:PORT:ADDRESS",
        help="connect to ADDRESS for http requests to HOST:PORT, as curl's --resolve (repeatable)",
    )
    parser.add_argument(
        "--private-bucket",
        action="store_true",
        help="also check that the bucket refuses an unsigned read of an asset and a rendition (403)",
    )
    args = parser.parse_args(argv)
    try:
        Smoke(
            args.url,
            admin_token=args.admin_token,
            resolve=dict(args.resolve),
            private_bucket=args.private_bucket,
        ).run()
    except SmokeFailure as failure:
        print(f"smoke: FAILED: {failure}", file=sys.stderr)
        return 1
    except requests.RequestException as error:
        print(f"smoke: FAILED: no answer: {error}", file=sys.stderr)
        return 1
    print("smoke: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Static assets under content-hashed names, and the URL function that points at them.

`build_assets(static_dir)` is the manifest: every file of `static/` under a name carrying a hash
of its content (`css/site.css` -> `css/site.3f2a9b0c1d2e.css`). CSS and JS that refer to other
assets by relative URL (`url(../kitty.png)`, `import "./x.js"`) are rewritten to the hashed
names first, so a file's hash covers what it refers to and nothing breaks after hashing.

When `CATSITE_STATIC_URL` is set, the app has no `/static` route (no static byte costs a Lambda
invocation) and `url_for('static', filename=...)` answers `<CATSITE_STATIC_URL>/<hashed name>`.
The manifest is computed from the files the app ships, lazily and once per app: the same files
give the same names `scripts/publish-static` uploaded, so the two cannot disagree.
"""

from __future__ import annotations

import hashlib
import mimetypes
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

from flask import Flask

from catsite.web.context import current_settings

HASH_LENGTH = 12
#: Uploaded beside the assets; not itself an asset.
MANIFEST_NAME = "manifest.json"

#: Pinned for the types a site ships: the system's MIME table differs between machines
#: (and Python 3.11 still names JavaScript `application/javascript`).
CONTENT_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".html": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
}

#: References that are rewritten to hashed names, per file type: CSS `url(...)` and `@import`;
#: JS module specifiers (`from "./x.js"`, `import("./x.js")`) and `new URL("./x.png", ...)`.
_REFERENCES = {
    ".css": (
        re.compile(r"""url\(\s*(['"]?)(?P<ref>[^'")\s]+)\1\s*\)"""),
        re.compile(r"""@import\s+(['"])(?P<ref>[^'"]+)\1"""),
    ),
    ".js": (re.compile(r"""(?:\bfrom|\bimport\s*\(?|\bnew\s+URL\()\s*(['"])(?P<ref>\.{1,2}/[^'"]+)\1"""),),
}
_REFERENCES[".mjs"] = _REFERENCES[".js"]


class StaticAssetError(ValueError):
    """A reference that cannot be hashed (a cycle), or a file the manifest does not know."""


@dataclass(frozen=True)
class Asset:
    name: str  # the logical name templates use: "css/site.css"
    hashed_name: str  # "css/site.3f2a9b0c1d2e.css"
    body: bytes  # after rewriting references
    content_type: str


def content_type(name: str) -> str:
    suffix = posixpath.splitext(name)[1].lower()
    return CONTENT_TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


def hashed_name(name: str, body: bytes) -> str:
    stem, suffix = posixpath.splitext(name)
    return f"{stem}.{hashlib.sha256(body).hexdigest()[:HASH_LENGTH]}{suffix}"


def build_assets(static_dir: Path) -> dict[str, Asset]:
    """Every file under `static_dir` (dot files aside), by logical name, with its hashed name."""
    static_dir = Path(static_dir)
    raw = {
        path.relative_to(static_dir).as_posix(): path.read_bytes()
        for path in sorted(static_dir.rglob("*"))
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(static_dir).parts)
    }
    raw.pop(MANIFEST_NAME, None)
    assets: dict[str, Asset] = {}
    in_progress: list[str] = []

    def build(name: str) -> Asset:
        if name in assets:
            return assets[name]
        if name in in_progress:
            raise StaticAssetError(f"static files refer to each other in a cycle: {' -> '.join(in_progress)}")
        in_progress.append(name)
        body = _rewrite_references(name, raw[name], lambda target: build(target).hashed_name, raw)
        in_progress.pop()
        asset = assets[name] = Asset(name, hashed_name(name, body), body, content_type(name))
        return asset

    for name in raw:
        build(name)
    return assets


def manifest(assets: dict[str, Asset]) -> dict[str, str]:
    return {name: asset.hashed_name for name, asset in sorted(assets.items())}


def _rewrite_references(name: str, body: bytes, hashed, known: dict[str, bytes]) -> bytes:
    patterns = _REFERENCES.get(posixpath.splitext(name)[1].lower())
    if not patterns:
        return body
    text = body.decode("utf-8")
    folder = posixpath.dirname(name)

    def replace(match: re.Match) -> str:
        reference = match.group("ref")
        path, tail = _split_tail(reference)
        target = posixpath.normpath(posixpath.join(folder, path))
        if not _looks_relative(reference) or target not in known:
            return match.group(0)  # absolute URLs, data: URIs and unknown files stay as they are
        new = posixpath.relpath(hashed(target), folder or ".")
        if reference.startswith("./") and not new.startswith("../"):
            new = "./" + new  # a module specifier must stay relative
        offset = match.start()
        whole, start, end = match.group(0), match.start("ref") - offset, match.end("ref") - offset
        return whole[:start] + new + tail + whole[end:]

    for pattern in patterns:
        text = pattern.sub(replace, text)
    return text.encode("utf-8")


def _looks_relative(reference: str) -> bool:
    return not re.match(r"^([a-z][a-z0-9+.-]*:|/|#)", reference, re.IGNORECASE)


def _split_tail(reference: str) -> tuple[str, str]:
    """`font.woff2?v=1#x` -> (`font.woff2`, `?v=1#x`)."""
    cut = min((i for i in (reference.find("?"), reference.find("#")) if i >= 0), default=len(reference))
    return reference[:cut], reference[cut:]


def register(app: Flask) -> None:
    """Point `url_for('static', ...)` at the published assets when `CATSITE_STATIC_URL` is set.

    The app is built without a static route in that case (see `create_app`), so Flask asks its
    URL build error handlers, and this one answers for the `static` endpoint.
    """
    settings = current_settings(app)
    base = settings.static_url
    if not base:
        return
    static_dir = settings.root / "static"

    def published_url(error, endpoint: str, values: dict):
        if endpoint != "static":
            return None
        names = app.extensions.get("static_manifest")
        if names is None:
            names = app.extensions["static_manifest"] = manifest(build_assets(static_dir))
        filename = values.get("filename", "")
        if filename not in names:
            raise StaticAssetError(f"{filename!r} is not a file in static/")
        return f"{base}/{names[filename]}"

    app.url_build_error_handlers.append(published_url)

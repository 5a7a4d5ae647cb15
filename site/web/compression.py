"""gzip for text answers: pages, JSON and scripts shrink to a fraction on the wire.

No front door compresses for us (API Gateway only when configured, the ALB and Function URLs
never), so the app does: text bodies of at least MIN_BYTES, when the client accepts gzip. Zappa
then sends the body base64-encoded, as it does for any answer with a Content-Encoding. The
standard library's gzip is enough; a compression extension would add imports to every cold start.
"""

from __future__ import annotations

import gzip

from flask import Flask, request

from catsite.doors.media import TEXT_MIMETYPES

MIN_BYTES = 1024
# What is gzipped: the types a door carries as text (`catsite.doors.media.TEXT_MIMETYPES`), all
# of them, since text (XML too) shrinks. A type the door already sends base64
# (`application/manifest+json`, say) is left as it is, as are images and fonts.


def accepts_gzip() -> bool:
    """Whether Accept-Encoding gives gzip a quality above 0 (RFC 9110 section 12.5.3).

    Parsed by Werkzeug. An entry naming gzip (or x-gzip, RFC 9110 section 8.4.1.3) decides;
    otherwise `*` does; `identity` alone, `gzip;q=0` or `*;q=0` mean no gzip. No header at all:
    no gzip either (the answer every client can read).
    """
    if "HTTP_ACCEPT_ENCODING" not in request.environ:
        return False
    named = wildcard = None
    for value, quality in request.accept_encodings:
        value = value.lower()
        if value in ("gzip", "x-gzip"):
            named = quality if named is None else max(named, quality)
        elif value == "*":
            wildcard = quality
    quality = named if named is not None else wildcard
    return bool(quality and quality > 0)


def register(app: Flask) -> None:
    @app.after_request
    def compress(response):
        if (
            response.direct_passthrough
            or response.is_streamed
            or "Content-Encoding" in response.headers
            or not (response.mimetype or "").startswith(TEXT_MIMETYPES)
        ):
            return response
        body = response.get_data()
        if len(body) < MIN_BYTES:
            return response
        response.vary.add("Accept-Encoding")  # the answer depends on it from here on
        if not accepts_gzip():
            return response
        response.set_data(gzip.compress(body, compresslevel=6, mtime=0))
        response.headers["Content-Encoding"] = "gzip"
        return response

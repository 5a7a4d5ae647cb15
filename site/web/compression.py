"""gzip for text answers: pages, JSON and scripts shrink to a fraction on the wire.

No front door compresses for us (API Gateway only when configured, the ALB and Function URLs
never), so the app does: text bodies of at least MIN_BYTES, when the client accepts gzip. Zappa
then sends the body base64-encoded, as it does for any answer with a Content-Encoding. The
standard library's gzip is enough; a compression extension would add imports to every cold start.
"""

from __future__ import annotations

import gzip

from flask import Flask, request

MIN_BYTES = 1024
_TEXT = ("text/", "application/json", "application/javascript", "image/svg+xml")


def register(app: Flask) -> None:
    @app.after_request
    def compress(response):
        if "gzip" not in request.environ.get("HTTP_ACCEPT_ENCODING", "").lower():
            return response  # the cheapest test first: most API clients accept no gzip
        if (
            response.direct_passthrough
            or response.is_streamed
            or "Content-Encoding" in response.headers
            or not (response.mimetype or "").startswith(_TEXT)
        ):
            return response
        body = response.get_data()
        if len(body) < MIN_BYTES:
            return response
        response.set_data(gzip.compress(body, compresslevel=6, mtime=0))
        response.headers["Content-Encoding"] = "gzip"
        response.vary.add("Accept-Encoding")
        return response

"""Absolute URLs come from the stage's public address, never from a request's `Host`.

`Host` is the client's to write: built into a link, a canonical URL or an Open Graph tag it would
let anyone make the site point elsewhere, and a cache in front of the site keep that page for
everyone. So absolute URLs start with `CATSITE_PUBLIC_URL` (`external_url_for`, `absolute`); with
none configured the site writes relative ones. Redirects Werkzeug builds from the request's own
host (the 308 that merges slashes, say) are made relative (RFC 9110 section 10.2.2 allows it), so
the browser resolves them against the address it really used.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, request, url_for

from catsite.web.context import current_settings


def absolute(url: str) -> str:
    """`url` (one the app built: absolute, or a path under the request's script root) as the
    public address has it; unchanged when it is absolute already or no address is configured."""
    base = current_settings().public_url
    if not base or urlsplit(url).scheme:
        return url
    root = request.script_root
    path = url[len(root) :] if root and (url == root or url.startswith(root + "/")) else url
    return base + path


def external_url_for(endpoint: str, **values) -> str:
    """`url_for(endpoint, **values)` at the public address (relative without one)."""
    return absolute(url_for(endpoint, **values))


def register(app: Flask) -> None:
    @app.after_request
    def relative_self_redirects(response):
        if not 300 <= response.status_code < 400:  # the cheap test first: this runs on every answer
            return response
        location = response.headers.get("Location")
        if location and location.startswith(request.host_url):
            response.headers["Location"] = "/" + location[len(request.host_url) :]
        return response

"""Security headers on every response, and CORS for the API: one WSGI layer, one module.

The Content-Security-Policy allows scripts and styles from the site and the static origin only
(no `unsafe-inline`, no `unsafe-eval`), and lets the page talk to this stage's bucket: uploads go
there directly (`connect-src`, `form-action`) and pictures come from it by presigned URL
(`img-src`). HSTS is sent only over https (RFC 6797 7.2), read from the WSGI scheme the Lambda
translation sets from the door (https for API Gateway and function URLs, the ALB's
X-Forwarded-Proto behind a load balancer, which may have an http listener); sent over plain
http it is ignored by browsers and would only mislead.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import Flask

from catsite.s3.urls import bucket_urls
from catsite.settings import Settings
from catsite.web.context import current_settings
from catsite.web.errors import API_PREFIXES

HSTS = "max-age=63072000; includeSubDomains"
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


def csp_sources(url: str) -> list[str]:
    """CSP sources for a base URL: its origin, or with a path, exactly it and everything below."""
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"
    path = parts.path.rstrip("/")
    return [f"{origin}{path}", f"{origin}{path}/"] if path else [origin]


def content_security_policy(settings: Settings) -> str:
    static = csp_sources(settings.static_url) if settings.static_url else []
    renditions = csp_sources(settings.renditions_url) if settings.renditions_url else []
    bucket = [source for url in bucket_urls(settings) for source in csp_sources(url)]
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *static],
        "style-src": ["'self'", *static],
        "img-src": ["'self'", *static, *renditions, *bucket],
        "font-src": ["'self'", *static],
        "connect-src": ["'self'", *bucket],
        "form-action": ["'self'", *bucket],
        "manifest-src": ["'self'", *static],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(dict.fromkeys(values))}" for name, values in directives.items())


def security_headers(settings: Settings) -> list[tuple[str, str]]:
    """The headers every answer carries (HSTS apart: `SecurityHeaders` adds it over https)."""
    return [
        ("Content-Security-Policy", content_security_policy(settings)),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("Permissions-Policy", PERMISSIONS_POLICY),
        ("X-Frame-Options", "DENY"),  # frame-ancestors, for browsers without CSP 2
    ]


class SecurityHeaders:
    """WSGI middleware adding the security headers an answer does not already set.

    At the WSGI layer the headers are a plain list: appending a computed list costs a few
    microseconds, where setting them one by one on Werkzeug's `Headers` scans the list each time.
    """

    def __init__(self, wsgi_app, settings: Settings):
        self.wsgi_app = wsgi_app
        plain = [(name.lower(), (name, value)) for name, value in security_headers(settings)]
        https = [*plain, ("strict-transport-security", ("Strict-Transport-Security", HSTS))]
        self.headers = {"http": plain, "https": https}

    def __call__(self, environ, start_response):
        extra = self.headers["https" if environ.get("wsgi.url_scheme") == "https" else "http"]

        def start(status, headers, exc_info=None):
            present = {name.lower() for name, _ in headers}
            headers.extend(header for lower, header in extra if lower not in present)
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start)


def register(app: Flask) -> None:
    """CORS for the API when origins are configured (the headers are a WSGI layer: see
    `catsite.app.wsgi_layers`)."""
    settings = current_settings(app)
    if settings.cors_origins:
        register_cors(app, settings.cors_origins)


def register_cors(app: Flask, origins: tuple[str, ...]) -> None:
    """CORS on API paths only, for exactly the configured origins (flask-cors: preflights, Vary)."""
    from flask_cors import CORS

    alternatives = "|".join(re.escape(prefix) for prefix in sorted(app.extensions[API_PREFIXES]))
    api_paths = rf"^/({alternatives})(/.*)?$"
    CORS(
        app,
        resources={api_paths: {"origins": list(origins)}},
        allow_headers=["Content-Type", "Accept", "Prefer"],
        methods=["GET", "POST", "DELETE", "OPTIONS"],
        max_age=600,
    )

"""Requests that came through the stage's CloudFront distribution, told apart by a secret.

The distribution adds an origin custom header, `X-Catsite-Edge`, whose value only it and the
function know (`CATSITE_EDGE_SECRET`). That is CloudFront's documented way for an origin to know a
request came through its own distribution (CloudFront developer guide, "Add custom headers to
origin requests": "identify requests that come from CloudFront"). Everything else such a request
carries (`Via`, `X-Amz-Cf-Id`, the `CloudFront-*` headers) anyone calling the origin directly can
write, so none of it is trusted alone.

A request that carries the secret:
- takes its client address from `CloudFront-Viewer-Address`, the viewer's address and port
  (`198.51.100.10:46532`; IPv6 `2001:db8::1:46532`, without brackets), and its scheme from
  `CloudFront-Forwarded-Proto`, the protocol of the viewer's request (CloudFront developer guide,
  "Add CloudFront request headers"; the distribution's origin request policy names both);
- takes its host and path prefix from the public address (`CATSITE_PUBLIC_URL`): the origin's own
  host and its stage prefix (`/<stage>`, the origin path of a REST API origin) are not the site's,
  so links built for the request never carry them;
- has the door of the table's CloudFront row over the door its event came through
  (`catsite.doors.table.behind_cloudfront`): the smaller of their limits.

A request without it is served as it came, through its own door. The header itself never reaches
the app or a log line.
"""

from __future__ import annotations

import hmac
import ipaddress
from urllib.parse import urlsplit

from catsite.doors.table import ENVIRON_KEY, behind_cloudfront, door_for
from catsite.settings import Settings

#: The origin custom header the distribution adds, as a WSGI environ key.
EDGE_HEADER_ENVIRON = "HTTP_X_CATSITE_EDGE"
VIEWER_ADDRESS = "HTTP_CLOUDFRONT_VIEWER_ADDRESS"
VIEWER_PROTO = "HTTP_CLOUDFRONT_FORWARDED_PROTO"


def viewer_ip(value: str) -> str | None:
    """The IP address of a `CloudFront-Viewer-Address` value (`ip:port`), None if it is not one."""
    address, _, port = value.strip().rpartition(":")
    if not port.isdigit():
        return None
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


class EdgeRequests:
    """WSGI middleware, outermost: a request proven to come through the distribution is seen as
    its viewer sent it to the site's public address."""

    def __init__(self, wsgi_app, settings: Settings):
        self.wsgi_app = wsgi_app
        self.secret = settings.edge_secret.encode("latin-1") if settings.edge_secret else b""
        public = urlsplit(settings.public_url) if settings.public_url else None
        self.prefix = public.path.rstrip("/") if public else ""
        self.host = public.netloc if public else ""
        self.hostname = public.hostname if public else ""
        self.port = public.port if public else None

    def proven(self, environ) -> bool:
        given = environ.pop(EDGE_HEADER_ENVIRON, None)
        return (
            bool(self.secret)
            and given is not None
            and hmac.compare_digest(given.encode("latin-1"), self.secret)
        )

    def __call__(self, environ, start_response):
        if self.proven(environ):
            self.as_viewer_sent_it(environ)
        return self.wsgi_app(environ, start_response)

    def as_viewer_sent_it(self, environ) -> None:
        origin_door = door_for(environ)
        ip = viewer_ip(environ.get(VIEWER_ADDRESS, ""))
        if ip:
            environ["REMOTE_ADDR"] = ip
        scheme = environ.get(VIEWER_PROTO, "").strip().lower()
        if scheme in ("http", "https"):
            environ["wsgi.url_scheme"] = scheme
            if scheme == "https":
                environ["HTTPS"] = "on"
            else:
                environ.pop("HTTPS", None)
        environ["SCRIPT_NAME"] = self.prefix
        if self.host:
            environ["HTTP_HOST"] = self.host
            environ["SERVER_NAME"] = self.hostname
            scheme = environ.get("wsgi.url_scheme", "https")
            environ["SERVER_PORT"] = str(self.port or (443 if scheme == "https" else 80))
        environ[ENVIRON_KEY] = behind_cloudfront(origin_door)

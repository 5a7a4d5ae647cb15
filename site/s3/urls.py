"""Where browsers reach this stage's bucket: one function, used by the CSP, static publishing and
uploads.

Browsers talk to S3 directly for three things: published static assets, presigned POST uploads
and presigned GETs of pictures. botocore (path-style, as `catsite.s3.client` configures it) signs URLs
like `https://s3.<region>.amazonaws.com/<bucket>/...` (in us-east-1 the global
`https://s3.amazonaws.com/<bucket>/...`); the virtual-hosted form
`https://<bucket>.s3.<region>.amazonaws.com/...` is S3's recommended public address. Locally,
`AWS_ENDPOINT_URL_S3` (a local S3) is path-style: `<endpoint>/<bucket>/...`.
"""

from __future__ import annotations

from catsite.settings import Settings


def bucket_urls(settings: Settings) -> tuple[str, ...]:
    """Every base URL (no trailing slash) under which a browser may reach the bucket's objects.

    The first one is the preferred public address (static assets are published under it).
    """
    bucket = settings.bucket
    if settings.s3_endpoint_url:
        return (f"{settings.s3_endpoint_url.rstrip('/')}/{bucket}",)
    region = settings.region
    urls = [f"https://{bucket}.s3.{region}.amazonaws.com", f"https://s3.{region}.amazonaws.com/{bucket}"]
    if region == "us-east-1":
        urls += [f"https://{bucket}.s3.amazonaws.com", f"https://s3.amazonaws.com/{bucket}"]
    return tuple(urls)


def static_base_url(settings: Settings) -> str:
    """The `CATSITE_STATIC_URL` for assets published to this stage's own bucket."""
    return f"{bucket_urls(settings)[0]}/static"

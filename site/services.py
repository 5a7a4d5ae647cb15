"""The stores the app's views use: built once per app, on first use, kept in `app.extensions`.

Built on first use rather than in the factory: creating an S3 client costs about 150 ms, which
`/healthz` and cold starts that never reach S3 should not pay. `create_app(bucket=...)` injects a
ready `catsite.s3.bucket.Bucket` (tests, the bench); otherwise one is built from the settings.
Code outside a request (the jobs runner, scripts) builds its own with `stores_for(settings)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app

from catsite.lazy import deferred

if TYPE_CHECKING:
    from catsite.jobs.store import Jobs
    from catsite.pictures.store import Pictures
    from catsite.results import Results
    from catsite.s3.bucket import Bucket
    from catsite.says import Says

#: `app.extensions` keys: the injected bucket (or None), and the stores once built.
BUCKET = "catsite.bucket"
STORES = "catsite.stores"

# botocore loads with the first store a request needs, never for /healthz (catsite.lazy).
_bucket = deferred("catsite.s3.bucket")
_client = deferred("catsite.s3.client")


@dataclass(frozen=True)
class Stores:
    bucket: Bucket
    says: Says
    pictures: Pictures
    jobs: Jobs
    results: Results


def stores_over(bucket: Bucket) -> Stores:
    """Every store, over one bucket."""
    from catsite.jobs.store import Jobs
    from catsite.pictures.store import Pictures
    from catsite.results import Results
    from catsite.says import Says

    return Stores(bucket, Says(bucket), Pictures(bucket), Jobs(bucket), Results(bucket))


def bucket_for(settings: Any) -> Bucket:
    """The bucket `settings` name, with clients from the process's one botocore session."""
    region, endpoint = settings.region, settings.s3_endpoint_url
    return _bucket.Bucket(
        _client.make_s3_client(region, endpoint),
        settings.bucket,
        patient=lambda: _client.make_s3_client(region, endpoint, patient=True),
    )


def stores_for(settings: Any) -> Stores:
    """The stores for the bucket `settings` name (for code outside a request)."""
    return stores_over(bucket_for(settings))


def get_stores(app: Flask | None = None) -> Stores:
    """This app's stores, built on first use."""
    app = app or current_app
    stores = app.extensions.get(STORES)
    if stores is None:
        bucket = app.extensions.get(BUCKET) or bucket_for(app.extensions["settings"])
        stores = app.extensions[STORES] = stores_over(bucket)
    return stores


def get_bucket(app: Flask | None = None) -> Bucket:
    return get_stores(app).bucket


def get_says(app: Flask | None = None) -> Says:
    return get_stores(app).says


def get_pictures(app: Flask | None = None) -> Pictures:
    return get_stores(app).pictures


def get_jobs(app: Flask | None = None) -> Jobs:
    return get_stores(app).jobs


def get_results(app: Flask | None = None) -> Results:
    return get_stores(app).results

"""What a view reaches through the app: its settings and its stores, by one accessor each.

The stores are built on first use rather than in the factory: creating an S3 client is a large
share of a cold start (docs/benchmarks.md), which `/healthz` and pages that never reach S3 should
not pay. `create_app(bucket=...)` injects a ready `catsite.s3.bucket.Bucket` (tests, the bench);
otherwise one is opened from the settings. Work outside a request opens its own stores
(`catsite.stores.open_stores`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask, current_app, url_for

from catsite.lazy import deferred
from catsite.stores import Stores

if TYPE_CHECKING:
    from catsite.pictures.gallery import Gallery
    from catsite.settings import Settings

#: `app.extensions` keys: the settings, the injected bucket (or None), the stores once built.
SETTINGS = "catsite.settings"
BUCKET = "catsite.bucket"
STORES = "catsite.stores"

# botocore loads with the first store a request needs, never for /healthz (catsite.lazy).
_bucket = deferred("catsite.s3.bucket")


def current_settings(app: Flask | None = None) -> Settings:
    """This app's settings."""
    return (app or current_app).extensions[SETTINGS]


def current_stores(app: Flask | None = None) -> Stores:
    """This app's stores, built on first use."""
    app = app or current_app
    stores = app.extensions.get(STORES)
    if stores is None:
        bucket = app.extensions.get(BUCKET) or _bucket.open_bucket(current_settings(app))
        stores = app.extensions[STORES] = Stores.over(bucket)
    return stores


def current_gallery() -> Gallery:
    """The pictures as this request shows them: renditions from the bucket's public address, the
    kitty from its static asset's URL."""
    from catsite.pictures.gallery import Gallery
    from catsite.pictures.kitty import KITTY_FILE
    from catsite.s3.urls import bucket_urls

    settings, stores = current_settings(), current_stores()
    kitty_url = url_for("static", filename=KITTY_FILE)
    return Gallery(stores.pictures, bucket_urls(settings)[0], kitty_url, settings.root, stores.quota)

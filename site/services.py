"""Services the app injects into views: built once per app, on first use."""

from __future__ import annotations

from flask import Flask, current_app


def get_storage(app: Flask | None = None):
    """This app's `Storage`.

    Built on first use rather than in the factory: creating a boto3 client costs about 150 ms,
    which `/healthz` and cold starts that never reach S3 should not pay. Tests and callers may
    inject one with `create_app(storage=...)`.
    """
    app = app or current_app
    storage = app.extensions.get("storage")
    if storage is None:
        storage = app.extensions["storage"] = storage_for(app.extensions["settings"])
    return storage


def storage_for(settings):
    """A `Storage` for the bucket `settings` name (also used by scripts outside a request)."""
    from catsite.s3.storage import Storage, make_s3_client

    region, endpoint = settings.region, settings.s3_endpoint_url
    return Storage(
        make_s3_client(region, endpoint),
        settings.bucket,
        patient_client=lambda: make_s3_client(region, endpoint, patient=True),
    )

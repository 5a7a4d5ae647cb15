"""A fresh bucket on the local S3, set up as `catsite_tools.deploy.bucket_setup` sets up the real one."""

from __future__ import annotations

import uuid

from catsite_tools.local.s3 import create_bucket


def new_bucket(local_s3, origins=("http://127.0.0.1",)) -> str:
    """A new private bucket on `local_s3` (the session's server), its CORS admitting `origins`."""
    name = f"cat-{uuid.uuid4().hex[:16]}"
    create_bucket(local_s3.url, name, list(origins))
    return name

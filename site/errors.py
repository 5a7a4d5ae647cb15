"""Failures the service layer reports, in the app's terms.

They carry no HTTP knowledge; the app maps each to one status in one place (`catsite.api.errors`).
This module imports nothing heavy, so the app can register handlers without loading botocore.
"""


class StorageUnavailable(Exception):
    """S3 did not answer in time, or answered with a server error: try again later (503)."""


class StorageConflict(Exception):
    """A conditional write lost to concurrent writers more times than we retry (409)."""

"""What cold start defers, in one list, and the one way to defer it.

A Lambda cold start pays for every module its first request imports. The heavy modules below load
on first use instead, through `deferred(name)`: a stand-in that imports the module the first time
one of its attributes is read. Only names on the list may be deferred, so the list stays the
whole story; `tests/system/test_artifact.py` states what `/healthz` and `GET /` load through the
Lambda entry point, and fails when an eager import creeps in. What each costs is measured in
docs/benchmarks.md.
"""

from __future__ import annotations

import importlib

#: module -> what it pulls in, what it costs, and who needs it.
DEFERRED = {
    "catsite.api.schemas": "marshmallow: request bodies, query strings, the gallery",
    "catsite.api.openapi": "apispec: /openapi.json and /docs",
    "catsite.api.docs_page": "the document arranged for /docs, with apispec: /docs",
    "catsite.s3.bucket": "botocore, with the adapter and its clients: the first request that reaches S3",
    "catsite.jobs.lambda_task": "Zappa's task module and boto3: the first job on Lambda",
    "zappa.handler": "Zappa's handler, boto3, asyncio: events that are not HTTP",
    "PIL.Image": "Pillow: registering a picture",
    "PIL.ImageOps": "Pillow, with PIL.Image: making a thumbnail",
}
# Deferred by where they sit, not listed above: `flask` is imported inside `create_app` (so
# importing the entry point stays standard-library only), and flask_cors only
# when CORS origins are configured.


class Deferred:
    """A module on the DEFERRED list, imported when an attribute of it is first read."""

    __slots__ = ("_name", "_module")

    def __init__(self, name: str):
        if name not in DEFERRED:
            raise ValueError(f"{name} is not on catsite.lazy.DEFERRED: add it there, with why")
        self._name = name
        self._module = None

    def __getattr__(self, attribute: str):
        module = self._module
        if module is None:
            # Through the import system even when the name is in sys.modules: another thread may
            # be executing the module right now, and import_module waits for it to finish.
            module = self._module = importlib.import_module(self._name)
        return getattr(module, attribute)

    def __repr__(self) -> str:
        state = "loaded" if self._module is not None else "not loaded yet"
        return f"<deferred module {self._name}, {state}>"


def deferred(name: str) -> Deferred:
    return Deferred(name)

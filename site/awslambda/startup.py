"""Cold start: build what lives for the whole process with the cyclic garbage collector paused.

A cold start allocates a few hundred thousand objects that live as long as the process: the
modules of Flask, Werkzeug, Jinja and botocore, the app, botocore's parsed models and endpoint
data, the S3 client. While they are being made, allocation keeps triggering collections, and each
full one walks everything allocated so far without finding anything to free (what that costs a
cold start: docs/benchmarks.md).

`paused_then_frozen()` pauses the collector while that happens, then freezes what exists
(`gc.freeze()`, Python's documented way to leave start-up objects out of every later collection,
so warm requests never walk them either) and turns the collector back on. Reference counting
still frees frozen objects; only a reference cycle among them is never collected. The entry point
(`catsite.awslambda.handler`) uses it once per process, around loading the app and answering the first
event, so that is all it can keep: what start-up and one request made.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_then_frozen() -> Iterator[None]:
    """Collector off inside; on leaving, everything alive is frozen and the collector is back on.

    If the collector was already off (the host turned it off), it is left alone entirely.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


# -- SnapStart (prod: "snap_start": "PublishedVersions") -----------------------------------------
# Lambda runs the before-snapshot hooks once, when a version is published, snapshots the process
# and restores that snapshot instead of a cold start. Whatever the hooks build is shared by every
# environment restored from it, so they build only what is the same everywhere, and the
# after-restore hooks make the rest fresh (AWS: "Handling uniqueness with Lambda SnapStart").


def prepare_for_snapshot(app) -> None:
    """Do once what a first request needs, reading nothing that must be fresh: the modules, every
    template compiled, the request schemas, the S3 client (its modules and the bucket settings;
    no request is sent, and the client is rebuilt after restore)."""
    import encodings.idna  # noqa: F401 - the first connection encodes its host name with it

    from catsite.api import schemas  # noqa: F401 - marshmallow, loaded otherwise by the first body
    from catsite.web.context import current_stores

    for name in app.jinja_env.list_templates():
        app.jinja_env.get_template(name)  # compiled now; Jinja keeps it in the environment's cache
    current_stores(app)


def refresh_after_restore(app) -> None:
    """Make fresh what must differ per environment: the `random` module's seed, any copy of the
    admin token (`catsite.web.admin`: read on first use, so normally none), and the S3
    client with its pooled connections and cached credentials (under SnapStart Lambda hands
    credentials to the SDK through the container credentials endpoint; a new client resolves them
    again). `secrets`, `uuid4` and `os.urandom` read the kernel's generator and need nothing."""
    import random

    random.seed()  # from os.urandom: restored environments must not share one sequence
    from catsite.s3.client import refresh_session
    from catsite.web.admin import forget_admin_token
    from catsite.web.context import STORES

    forget_admin_token(app)  # never read before the snapshot; dropped in case anything did

    stores = app.extensions.get(STORES)
    if stores is not None:
        stores.bucket.client.close()  # its connections, if any, belong to the snapshotted process
        app.extensions[STORES] = None  # the next request that reaches S3 builds new clients
    refresh_session()  # ...from a session that resolves credentials again

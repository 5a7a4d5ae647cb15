"""Cold start: build what lives for the whole process with the cyclic garbage collector paused.

A cold start allocates a few hundred thousand objects that live as long as the process: the
modules of Flask, Werkzeug, Jinja and botocore, the app, botocore's parsed models and endpoint
data, the S3 client. While they are being made, allocation keeps triggering collections, and each
full one walks everything allocated so far without finding anything to free: about 30 ms of a
210 ms cold start of `GET /` on the unzipped artifact.

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

"""The janitor's cost: S3 requests and time per run over 1,000 pictures and 50 leftovers.

The bucket is filled directly in the layout the pictures store writes (`catsite.s3.keys`): 1,000
complete pictures (original and record under pics/<id>/, display and thumbnail renditions under
pics/public/<id>/, listing marker) and 50 leftovers of every kind an interrupted registration or
delete leaves. The janitor then runs twice with its clock set past
the grace period: the first run removes the leftovers, the second is what every later hourly run
costs. Requests are counted as botocore sends them (its `before-send` event, so a retry counts).
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor

PICTURES = 1000
#: 50 leftovers, and how many objects each is: files without a record (the original, with none,
#: one or both renditions); records without a marker (with the original and both renditions);
#: markers without a record; uploads a registered picture left behind.
ORPHANS = {
    "original only": (10, 1),
    "original and thumbnail": (10, 2),
    "original and renditions": (10, 3),
    "no marker": (10, 4),
    "no record": (5, 1),
    "upload": (5, 1),
}
ORPHAN_OBJECTS = sum(count * objects for count, objects in ORPHANS.values())


def _fill(bucket) -> None:
    from catsite.s3.keys import index_key, original_key, record_key, rendition_key
    from catsite.stores.pictures import PictureRecord

    now_ms = int(time.time() * 1000)
    puts: list[tuple[str, bytes]] = []

    def picture(n: int, *, marker=True, record=True, renditions=2, upload=False) -> None:
        picture_id = f"{n:032x}"
        source = f"uploads/{picture_id}/cat.png"
        thumb = rendition_key(picture_id, b"thumb")
        display = rendition_key(picture_id, b"display")
        puts.append((original_key(picture_id, "png"), b"\x89PNG" + bytes(2000)))
        puts.extend((key, b"RIFF" + bytes(500)) for key in (thumb, display)[:renditions])
        if record:
            body = PictureRecord(
                id=picture_id,
                caption="",
                content_type="image/png",
                extension="png",
                bytes=2004,
                width=64,
                height=48,
                thumb_width=64,
                thumb_height=48,
                thumb_key=thumb,
                display_width=64,
                display_height=48,
                display_key=display,
                created_at="2026-01-01T00:00:00.000Z",
                created_ms=now_ms - n,
                source=source,
            )
            puts.append((record_key(picture_id), json.dumps(body.to_json()).encode()))
        if marker:
            puts.append((index_key(picture_id, now_ms - n), b""))
        if upload:
            puts.append((source, b"\x89PNG" + bytes(2000)))

    counts = {kind: count for kind, (count, _) in ORPHANS.items()}
    for n in range(PICTURES):
        picture(n, upload=n < counts["upload"])
    n = PICTURES
    for kind, renditions in (
        ("original only", 0),
        ("original and thumbnail", 1),
        ("original and renditions", 2),
    ):
        for _ in range(counts[kind]):
            picture(n := n + 1, marker=False, record=False, renditions=renditions)
    for _ in range(counts["no marker"]):
        picture(n := n + 1, marker=False)
    for _ in range(counts["no record"]):
        n += 1
        puts.append((index_key(f"{n:032x}", now_ms - n), b""))
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda put: bucket.put(*put), puts))


def measure(s3_url: str, bucket_name: str = "catsite-bench-janitor") -> dict:
    """Fill a fresh bucket on the local S3 at `s3_url`, run the janitor twice, return the figures."""
    from catsite.deadline import Deadline
    from catsite.jobs.janitor import Janitor
    from catsite.s3.bucket import Bucket
    from catsite.s3.client import make_s3_client
    from catsite.stores import Stores
    from catsite_tools.local.s3 import create_bucket

    create_bucket(s3_url, bucket_name, ["http://127.0.0.1"])
    client = make_s3_client("us-east-1", s3_url)
    stores = Stores.over(Bucket(client, bucket_name))
    _fill(stores.bucket)
    sent: list[str] = []
    client.meta.events.register("before-send.s3", lambda request, **_: sent.append(request.method))

    figures = {}
    for run in ("cleanup", "steady"):
        sent.clear()
        janitor = Janitor(stores, 3600, Deadline(840), clock=lambda: time.time() + 7200)
        started = time.perf_counter()
        report = janitor.run()
        figures[run] = {
            "ms": round((time.perf_counter() - started) * 1000, 1),
            "s3_requests": len(sent),
            "report": report,
        }
    first, steady = figures["cleanup"], figures["steady"]
    removed = sum(v for k, v in vars(first["report"]).items() if k.startswith("removed_"))
    if removed != ORPHAN_OBJECTS or steady["report"] != type(steady["report"])(
        scanned=steady["report"].scanned
    ):
        raise RuntimeError(f"the janitor removed {removed} objects: {first['report']}")
    return {
        "janitor_pictures": PICTURES,
        "janitor_orphans": sum(count for count, _ in ORPHANS.values()),
        "janitor_cleanup_ms": first["ms"],
        "janitor_cleanup_s3_requests": first["s3_requests"],
        "janitor_steady_ms": steady["ms"],
        "janitor_steady_s3_requests": steady["s3_requests"],
        "janitor_scanned": steady["report"].scanned,
    }


if __name__ == "__main__":
    import os

    from catsite_tools.local.s3 import DUMMY_CREDENTIALS, LocalS3

    os.environ.update(DUMMY_CREDENTIALS)
    with LocalS3() as server:
        print(json.dumps(measure(server.url), indent=2))

"""One ZIP of every cat picture, streamed from S3 into S3.

Each original is read from S3 a chunk at a time and written into the ZIP, which goes to S3 as a
multipart upload a part at a time: memory holds one chunk and one part, whatever the archive's
size. The ZIP stores the pictures as they are (they are compressed already), the tutorial's kitty,
and `index.json` with every record. Long work: between chunks it asks its Deadline for time, and
when time runs short it stops and discards the unfinished upload (OutOfTime), so no half-written
archive ever appears.
"""

from __future__ import annotations

import json
import time
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from catsite.deadline import Deadline
from catsite.pictures.kitty import KITTY_CAPTION, KITTY_FILE, KITTY_ID
from catsite.stores.pictures import PictureRecord

#: Progress callbacks fire at most this often (seconds), and once per picture at most.
PROGRESS_EVERY = 1.0


def download_name(when: datetime) -> str:
    """What a browser saves the archive as: `catsite-pictures-<YYYY-MM-DD>.zip` (UTC date)."""
    return f"catsite-pictures-{when:%Y-%m-%d}.zip"


def entry_name(record: PictureRecord) -> str:
    return f"pictures/{record.id}.{record.extension}"


def build_archive(
    stores,
    kitty: Path,
    deadline: Deadline,
    progress: Callable[[float, str], None] = lambda fraction, message: None,
) -> dict:
    """Write the archive to results/; return {"location", "url", "count", "bytes"}.

    `stores` is `catsite.stores.Stores` (its pictures and results are used); `kitty` the kitty's
    file. Raises OutOfTime (nothing written) when the deadline comes first.
    """
    records = list(stores.pictures.all())
    total = sum(r.bytes for r in records) + kitty.stat().st_size
    done = 0
    last_report = 0.0

    def report(message: str, force: bool = False) -> None:
        nonlocal last_report
        now = time.monotonic()
        if force or now - last_report >= PROGRESS_EVERY:
            last_report = now
            progress(min(done / total, 1.0) if total else 1.0, message)

    deadline.check()
    name = download_name(datetime.now(UTC))
    with stores.results.new("zip", "application/zip", name) as out:
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
            index = [r.shown() | {"file": entry_name(r)} for r in records]
            kitty_entry = {"id": KITTY_ID, "caption": KITTY_CAPTION, "file": KITTY_FILE}
            archive.writestr("index.json", json.dumps([*index, kitty_entry], indent=2, ensure_ascii=False))
            archive.write(kitty, KITTY_FILE)
            done += kitty.stat().st_size
            for number, record in enumerate(records, start=1):
                report(f"Adding picture {number} of {len(records)}", force=True)
                with archive.open(entry_name(record), "w", force_zip64=record.bytes >= 2**31) as entry:
                    for chunk in stores.pictures.chunks(record):
                        deadline.check()
                        entry.write(chunk)
                        done += len(chunk)
                        report(f"Adding picture {number} of {len(records)}")
            report("Finishing the archive", force=True)
        size = out.written
    progress(1.0, "Done")
    location, url = stores.results.address(out.key)
    return {"location": location, "url": url, "count": len(records) + 1, "bytes": size}

"""One ZIP of every cat picture, streamed from S3 into S3.

Each original is read from S3 a chunk at a time and written into the ZIP, which goes to S3 as a
multipart upload a part at a time: memory holds one chunk and one part, whatever the archive's
size. The ZIP stores the pictures as they are (they are compressed already), the tutorial's kitty,
and `index.json` with every record. Long work: between chunks it asks its Deadline for time, and
when time runs short it stops and discards the unfinished upload (OutOfTime), so no half-written
archive ever appears.

Archives cannot multiply cost: an archive lives in a folder named after the pictures it holds
(`listing_digest`: a digest of the listing's markers, one LIST per 1,000 pictures; pictures never
change, so the same markers mean the same archive). A request for the same pictures gets the
finished archive (`find_archive`), or the job already making it: the folder's claim names one job,
written with a conditional PUT (`claim_archive`), so of any number of concurrent requests exactly
one makes a ZIP. A claim whose job failed, or whose archive has expired, is taken over.
"""

from __future__ import annotations

import hashlib
import json
import time
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from catsite.deadline import Deadline
from catsite.pictures.kitty import KITTY_CAPTION, KITTY_FILE, KITTY_ID
from catsite.stores.jobs import Job, JobKind, JobStatus
from catsite.stores.pictures import PictureRecord, PictureStore

#: Progress callbacks fire at most this often (seconds), and once per picture at most.
PROGRESS_EVERY = 1.0


def download_name(when: datetime) -> str:
    """What a browser saves the archive as: `catsite-pictures-<YYYY-MM-DD>.zip` (UTC date)."""
    return f"catsite-pictures-{when:%Y-%m-%d}.zip"


def entry_name(record: PictureRecord) -> str:
    return f"pictures/{record.id}.{record.extension}"


def listing_digest(store: PictureStore) -> str:
    """Names the set of pictures an archive made now would hold (32 hex digits)."""
    digest = hashlib.sha256(b"catsite archive 1\n")
    for key in store.listing():
        digest.update(key.encode() + b"\n")
    return digest.hexdigest()[:32]


def folder_of(digest: str) -> str:
    return f"archive-{digest}"


def find_archive(stores, digest: str) -> dict | None:
    """The finished archive of these pictures, as the API shows one, or None."""
    found = stores.results.find(folder_of(digest))
    if found is None:
        return None
    location, url = stores.results.address(found.key)
    return {
        "location": location,
        "url": url,
        "count": int(found.metadata.get("count", 0)),
        "bytes": found.size,
    }


def claim_archive(stores, digest: str, observe, message: str) -> tuple[Job, bool]:
    """The job that makes the archive of these pictures: (job, True) when this call created it and
    must now run it; (job, False) for the one another request is already running. `observe` is
    how a reader sees a job (`catsite.jobs.runner.observed`: a silent one has failed)."""
    folder = folder_of(digest)
    for _ in range(3):  # each loss means another request claimed it in between: read its claim
        claim = stores.results.claimant(folder)
        current = stores.jobs.get(claim.job_id) if claim and claim.job_id else None
        if current is not None:
            current = observe(current)
            if current.status in (JobStatus.QUEUED, JobStatus.RUNNING):
                return current, False
        job = Job.new(JobKind.ARCHIVE, message, subject=digest)
        stores.jobs.put(job)
        if stores.results.claim(folder, job.id, replacing=claim):
            return job, True
        stores.jobs.put(job.changed(status=JobStatus.FAILED, reason="Another request made this archive."))
    raise RuntimeError("the archive's claim kept changing")  # a 500: three conditional writes lost


def release_archive(stores, digest: str, job_id: str) -> None:
    """A failed job's claim goes, so that a failed archive leaves nothing under results/."""
    stores.results.release(folder_of(digest), job_id)


def build_archive(
    stores,
    kitty: Path,
    deadline: Deadline,
    progress: Callable[[float, str], None] = lambda fraction, message: None,
    digest: str | None = None,
) -> dict:
    """Write the archive to results/ (in the folder of `digest`, when given); return
    {"location", "url", "count", "bytes"}.

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
    count = len(records) + 1
    folder = folder_of(digest) if digest else None
    with stores.results.new(
        "zip", "application/zip", name, folder=folder, metadata={"count": str(count)}
    ) as out:
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
    return {"location": location, "url": url, "count": count, "bytes": size}

"""The janitor: removes what an interrupted registration or delete left behind, and records jobs
that fell silent as failed.

It runs on a schedule: every stage's `events` in zappa_settings.json names `run_janitor`, and
Zappa's handler routes EventBridge's "Scheduled Event" to it as `run_janitor(event, context)`.
By hand: `zappa invoke <stage> catsite.jobs.janitor.run_janitor` on a deployed stage, or
`python -m catsite.jobs.janitor` with the stage's settings in the environment.

What it removes, and why each is safe. Nothing younger than the grace period
(`CATSITE_JANITOR_GRACE_SECONDS`, judged by S3's LastModified of every object concerned) is
touched, so a registration or delete in flight never is:

- picture files with no record: its original under `pics/<id>/` and its renditions under
  `pics/public/<id>/` (whose they are is read from the key), left by a registration stopped after
  the copy or a rendition, or a delete stopped after the record. Without a record nothing names
  them (a rendition's name is a hash of its bytes); they only count against the quota. Every file
  of a picture with a record and a marker is kept, however old.
- a record whose listing marker is gone, then its files: a registration stopped before its
  marker (its upload is still there, so it can be registered again) or a delete stopped after the
  marker (this finishes the delete; a moderated picture never comes back). Records go before
  files, in the order `Pictures.delete` uses, so nothing is ever half-visible.
- listing markers under `pics/index/` whose record is gone (the gallery skips them already).
- an upload whose registration finished all but its last step (the record names it as its
  source): what repeating the registration would remove.

Jobs: a job that the runner's own rule (`catsite.jobs.runner.observed`) reports as failed is
written as failed, with a conditional write, so a runner that speaks up in between wins.

Idempotent: every run walks the keys from the start, in S3's order, and acts only on what it
finds, so a second run changes nothing and the next run continues one that was cut short. It
stops when the invocation has less than MARGIN_SECONDS left, and writes one JSON line with its
counts to standard error, as the request log does; the line is also a metric document
(`janitor_removals`, `janitor_failures`, `jobs_failed`: `catsite.metrics`).
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict, dataclass

from catsite.deadline import Deadline, OutOfTime
from catsite.errors import PreconditionLost
from catsite.jobs.runner import observed
from catsite.metrics import MetricLine, directive
from catsite.s3.keys import (
    INDEX_PREFIX,
    JOBS_PREFIX,
    PICS_PREFIX,
    PUBLIC_PICS_PREFIX,
    UPLOADS_PREFIX,
    record_key,
    rendition_owner,
)
from catsite.stores import open_stores
from catsite.stores.jobs import Job, JobStatus

#: Kept in hand when the janitor stops: one S3 call at its worst (two attempts of 2 s to connect
#: and 5 s to read, `catsite.s3.client`) and the log line.
MARGIN_SECONDS = 15.0
#: DeleteObjects takes at most 1,000 keys.
DELETE_BATCH = 1000


class JanitorFailed(RuntimeError):
    """A run stopped by an error (S3 unavailable, most likely); its counts so far were logged."""


@dataclass
class Report:
    """What one run did. `kept_young` counts what it would have removed but for the grace period."""

    scanned: int = 0
    removed_files: int = 0
    removed_records: int = 0
    removed_markers: int = 0
    removed_uploads: int = 0
    jobs_failed: int = 0
    #: The quota ledger reconciled with pics/: reservations of pictures that never were (a
    #: registration that failed and could not give its place back), pictures it did not count.
    quota_released: int = 0
    quota_counted: int = 0
    kept_young: int = 0
    stopped_early: bool = False


class Janitor:
    """One run over a stage's stores (`catsite.stores.Stores`)."""

    def __init__(self, stores, grace_seconds: float, deadline: Deadline, clock=time.time):
        self.bucket = stores.bucket
        self.pictures = stores.pictures
        self.quota = stores.quota
        self.grace = grace_seconds
        self.deadline = deadline
        self.clock = clock
        self.report = Report()
        self._cutoff = 0.0
        self._sizes: dict[str, int] = {}

    def run(self) -> Report:
        """Sweep pictures, then uploads, then jobs, until done or out of time."""
        self._cutoff = self.clock() - self.grace
        try:
            complete = self.sweep_pictures()
            self.sweep_quota(complete)
            self.sweep_uploads(complete)
            self.sweep_jobs()
        except OutOfTime:
            self.report.stopped_early = True
        return self.report

    # -- pictures ---------------------------------------------------------------------------

    def sweep_pictures(self) -> set[str]:
        """Remove files without a record, records without a marker (and their files), markers
        without a record; return the ids of complete pictures (record and marker)."""
        folders: dict[str, list[dict]] = {}
        markers: dict[str, list[dict]] = {}
        # One walk of pics/: the folders (hex ids), pics/index/ and pics/public/<id>/ (a picture's
        # renditions: its files too), all in a few pages.
        for obj in self._walk(PICS_PREFIX):
            key = obj["Key"]
            if key.startswith(INDEX_PREFIX):
                markers.setdefault(key.rsplit("-", 1)[-1], []).append(obj)
            elif key.startswith(PUBLIC_PICS_PREFIX):
                folders.setdefault(rendition_owner(key), []).append(obj)
            else:
                folders.setdefault(key[len(PICS_PREFIX) :].split("/", 1)[0], []).append(obj)
        records = {pid for pid, objs in folders.items() if any(o["Key"] == record_key(pid) for o in objs)}

        unlisted_records: list[str] = []
        loose_files: list[str] = []
        for pid, objs in folders.items():
            if pid in records and pid in markers:
                continue
            if not self._all_old(objs):
                continue
            if pid in records:
                unlisted_records.append(record_key(pid))
            loose_files += [o["Key"] for o in objs if o["Key"] != record_key(pid)]
        stray_markers = [
            o["Key"]
            for pid, objs in markers.items()
            if pid not in records and self._all_old(objs)
            for o in objs
        ]

        self.report.removed_records += self._delete(unlisted_records)
        self.report.removed_files += self._delete(loose_files)
        self.report.removed_markers += self._delete(stray_markers)
        complete = records & set(markers)
        self._sizes = {pid: sum(int(o.get("Size", 0)) for o in folders[pid]) for pid in complete}
        return complete

    def sweep_quota(self, complete: set[str]) -> None:
        """Reconcile the quota ledger with pics/: a reservation older than the grace period whose
        picture has no record goes; a complete picture the ledger does not count is counted."""

        def change(book, now: float) -> None:
            gone = [
                pid for pid, (_, at) in book.pictures.items() if pid not in self._sizes and at < self._cutoff
            ]
            for pid in gone:
                del book.pictures[pid]
            missing = [pid for pid in complete if pid not in book.pictures]
            for pid in missing:
                book.pictures[pid] = [self._sizes[pid], now]
            counts["released"], counts["counted"] = len(gone), len(missing)

        counts = {"released": 0, "counted": 0}
        self.deadline.check()
        self.quota.update(change)
        self.report.quota_released += counts["released"]
        self.report.quota_counted += counts["counted"]

    def sweep_uploads(self, complete: set[str]) -> None:
        """Remove uploads that a complete picture's record names as its source."""
        leftovers = []
        for obj in self._walk(UPLOADS_PREFIX):
            token = obj["Key"][len(UPLOADS_PREFIX) :].split("/", 1)[0]
            if token not in complete or not self._all_old([obj]):
                continue
            self.deadline.check()
            record = self.pictures.get(token)
            if record is not None and record.source == obj["Key"]:
                leftovers.append(obj["Key"])
        self.report.removed_uploads += self._delete(leftovers)

    # -- jobs -------------------------------------------------------------------------------

    def sweep_jobs(self) -> None:
        """Write as failed every job the runner's rule reports as failed."""
        for obj in self._walk(JOBS_PREFIX):
            if not self._old([obj]):
                continue
            self.deadline.check()
            found = self.bucket.get(obj["Key"])
            if found is None:  # expired or removed since it was listed
                continue
            body, etag = found
            try:
                job = Job.from_json(json.loads(body))
                seen = observed(job)
            except (ValueError, KeyError, TypeError, AttributeError):
                continue  # not a job this code wrote; never guess
            if seen.status is not JobStatus.FAILED or job.status is JobStatus.FAILED:
                continue
            self.deadline.check()
            try:
                self.bucket.put_json(obj["Key"], seen.changed().to_json(), if_match=etag)
            except PreconditionLost:
                continue  # the job's runner wrote in between: it is alive after all
            self.report.jobs_failed += 1

    # -- plumbing ---------------------------------------------------------------------------

    def _walk(self, prefix: str):
        """Every object under `prefix`, in key order, through the adapter's paginator; stops
        (OutOfTime) when the time is up."""
        for obj in self.bucket.objects(prefix):
            self.deadline.check()
            self.report.scanned += 1
            yield obj

    def _old(self, objects: list[dict]) -> bool:
        return all(o["LastModified"].timestamp() < self._cutoff for o in objects)

    def _all_old(self, objects: list[dict]) -> bool:
        """Old enough to act on; what is not is counted as kept."""
        old = self._old(objects)
        if not old:
            self.report.kept_young += 1
        return old

    def _delete(self, keys: list[str]) -> int:
        """Delete `keys` with DeleteObjects, DELETE_BATCH at a time; returns how many went (a key
        S3 refuses stays, for the next run)."""
        removed = 0
        for start in range(0, len(keys), DELETE_BATCH):
            self.deadline.check()
            batch = keys[start : start + DELETE_BATCH]
            answer = self.bucket.call(
                "delete_objects",
                subject=batch[0],
                Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True},
            )
            removed += len(batch) - len(answer.get("Errors", []))
        return removed


def run_janitor(event=None, context=None) -> dict:
    """What the schedule calls (Zappa passes the scheduled event and the Lambda context): one run
    over the stage the environment names, bounded by the context's remaining time (without a
    context, by `CATSITE_JOB_BUDGET_SECONDS`). Returns the counts; a failure (S3 unavailable) is
    logged with the counts so far, then raised as JanitorFailed, so Lambda counts the invocation
    as failed."""
    from catsite.settings import Settings

    started = time.perf_counter()
    settings = Settings.load()
    janitor = Janitor(
        open_stores(settings),
        settings.janitor_grace,
        Deadline(settings.job_budget, context, safety=MARGIN_SECONDS),
    )
    error = ""
    try:
        janitor.run()
    except Exception as failure:
        error = f"{type(failure).__name__}: {failure}"
        # Not a TypeError, whatever it was: Zappa's `run_function` takes a TypeError for a
        # signature mismatch and calls the function again without the context (no deadline).
        raise JanitorFailed(error) from failure
    finally:
        write_line(janitor.report, time.perf_counter() - started, context, error, settings.lambda_function)
    return asdict(janitor.report)


#: The janitor's line is a metric document too (`catsite.metrics`): what it removed, whether it
#: failed, and the silent jobs it recorded as failed, by function.
LINE = MetricLine(directive(("function",), ("janitor_removals", "janitor_failures", "jobs_failed")))


def write_line(report: Report, seconds: float, context, error: str = "", function: str = "") -> None:
    removals = report.removed_files + report.removed_records + report.removed_markers + report.removed_uploads
    line = {
        "event": "janitor",
        **asdict(report),
        "duration_ms": round(seconds * 1000, 1),
        "function": function or "local",
        "janitor_failures": 1 if error else 0,
        "janitor_removals": removals,
        "request_id": str(getattr(context, "aws_request_id", "") or ""),
    }
    if error:
        line["error"] = error
    sys.stderr.write(LINE.render(dict(sorted(line.items()))) + "\n")


if __name__ == "__main__":
    print(json.dumps(run_janitor(), indent=2))

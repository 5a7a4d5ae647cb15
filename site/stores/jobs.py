"""Long jobs' state: `jobs/<id>.json` in the stage's bucket, as typed values (`Job`, `JobStatus`).

A job is `queued` when created, `running` with a `progress` (0..1) and a message while it works,
then `done` with its `result` or `failed` with a `reason`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from enum import StrEnum
from typing import TYPE_CHECKING, ClassVar

from catsite import timestamps
from catsite.s3.keys import job_key, new_token

if TYPE_CHECKING:
    from catsite.s3.bucket import Bucket

#: A job's id: 32 hex digits (what `new_token` makes).
JOB_ID = re.compile(r"[0-9a-f]{32}")


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class JobKind(StrEnum):
    ARCHIVE = "archive"


@dataclass(frozen=True)
class Job:
    id: str
    kind: JobKind
    status: JobStatus
    progress: float
    message: str
    created_at: str
    updated_at: str
    #: When done: what it made.
    result: dict | None = None
    #: When failed: why, for people.
    reason: str | None = None
    #: What the job works on, for its kind (an archive: the digest of the pictures it holds).
    subject: str | None = None

    #: What the API shows of a job (`subject` is the work's own business).
    SHOWN: ClassVar[tuple[str, ...]] = (
        "id", "kind", "status", "progress", "message", "created_at", "updated_at", "result", "reason",
    )  # fmt: skip

    @classmethod
    def new(cls, kind: JobKind, message: str, subject: str | None = None) -> Job:
        stamp = timestamps.iso()
        return cls(new_token(), kind, JobStatus.QUEUED, 0.0, message, stamp, stamp, subject=subject)

    def changed(self, **changes) -> Job:
        """This job with `changes`, stamped now."""
        return replace(self, **changes, updated_at=timestamps.iso())

    def to_json(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}

    def shown(self) -> dict:
        """The job as the API shows it (its status URL aside)."""
        return {k: v for k, v in self.to_json().items() if k in self.SHOWN}

    @classmethod
    def from_json(cls, data: dict) -> Job:
        """A job from its JSON; KeyError, TypeError or ValueError when it is not one."""
        values = {f.name: data[f.name] for f in fields(cls) if f.name in data}
        return cls(**{**values, "kind": JobKind(data["kind"]), "status": JobStatus(data["status"])})


class JobStore:
    def __init__(self, bucket: Bucket):
        self.bucket = bucket

    def get(self, job_id: str) -> Job | None:
        found = self.bucket.get_json(job_key(job_id))
        return None if found is None else Job.from_json(found)

    def put(self, job: Job) -> None:
        """Write a job's state; each job has one writer at a time (its runner)."""
        self.bucket.put_json(job_key(job.id), job.to_json())

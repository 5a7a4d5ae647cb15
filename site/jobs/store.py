"""Long jobs' state: `jobs/<id>.json` in the stage's bucket."""

from __future__ import annotations

from typing import TYPE_CHECKING

from catsite.s3.keys import job_key

if TYPE_CHECKING:
    from catsite.s3.bucket import Bucket


class Jobs:
    def __init__(self, bucket: Bucket):
        self.bucket = bucket

    def get(self, job_id: str) -> dict | None:
        return self.bucket.get_json(job_key(job_id))

    def put(self, job: dict) -> None:
        """Write a job's state; each job has one writer at a time (its runner)."""
        self.bucket.put_json(job_key(job["id"]), job)

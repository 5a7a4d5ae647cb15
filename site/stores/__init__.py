"""What lives in the stage's bucket, in the app's terms: one store per concept, over one bucket.

- `says`: what the cat says (`state/cat.json`);
- `pictures`: picture records (`PictureRecord`), originals, renditions and the listing;
- `jobs`: long jobs' state (`Job`, `JobStatus`);
- `results`: archives and oversize answers under `results/`, handed out by presigned URL;
- `quota`: the ledger of what pictures and upload grants take of the site's quota.

`Stores` holds them all over one `catsite.s3.bucket.Bucket`. The stores speak the app's terms over
the bucket adapter and never see botocore. Importing this package imports no store and no client.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from catsite.s3.bucket import Bucket
    from catsite.settings import Settings
    from catsite.stores.jobs import JobStore
    from catsite.stores.pictures import PictureStore
    from catsite.stores.quota import QuotaLedger
    from catsite.stores.results import Results
    from catsite.stores.says import Says


@dataclass(frozen=True)
class Stores:
    bucket: Bucket
    says: Says
    pictures: PictureStore
    jobs: JobStore
    results: Results
    quota: QuotaLedger

    @classmethod
    def over(cls, bucket: Bucket) -> Stores:
        """Every store, over one bucket."""
        from catsite.stores.jobs import JobStore
        from catsite.stores.pictures import PictureStore
        from catsite.stores.quota import QuotaLedger
        from catsite.stores.results import Results
        from catsite.stores.says import Says

        pictures = PictureStore(bucket)
        quota = QuotaLedger(bucket, pictures.stored_sizes)
        return cls(bucket, Says(bucket), pictures, JobStore(bucket), Results(bucket), quota)


def open_stores(settings: Settings) -> Stores:
    """The stores of the bucket `settings` name, for work outside a request (a job, the janitor,
    a script); a request's stores come from `catsite.web.context.current_stores()`."""
    from catsite.s3.bucket import open_bucket

    return Stores.over(open_bucket(settings))

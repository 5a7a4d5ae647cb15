"""Every setting catsite reads, in one place.

Settings come from the environment (documented in README and `.env.example`), and a mapping
passed to `create_app` overrides them key by key. Nothing else in the package reads `os.environ`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

#: A mebibyte: the unit of the size settings below and of the doors' tables (catsite.awslambda.doors).
MIB = 1024 * 1024

#: The project root: `templates/` and `static/` sit beside the package, both in a checkout
#: (`site/..`) and in the Lambda zip (`catsite/..` is the zip root).
DEFAULT_ROOT = Path(__file__).resolve().parent.parent


class SettingsError(ValueError):
    """A setting is present but unusable; raised when the app is built, never per request."""


@dataclass(frozen=True)
class Settings:
    bucket: str
    s3_endpoint_url: str | None
    region: str
    static_url: str
    max_upload_bytes: int
    max_request_bytes: int
    cors_origins: tuple[str, ...]
    root: Path
    #: Seconds a synchronous request may spend on long work when no Lambda context says how long
    #: it has (the local server); past it, the work is handed to a job.
    long_work_budget: float = 25.0
    #: Seconds a job may run when no Lambda context says how long it has.
    job_budget: float = 840.0
    #: Set on Lambda (AWS_LAMBDA_FUNCTION_NAME): jobs run as their own invocation there.
    lambda_function: str = ""
    #: The moderation secret (`DELETE /cat/pics/<id>`); empty means nobody may delete.
    admin_token: str = ""
    #: Quota on stored pictures: how many, and how many bytes under pics/ in all.
    max_pictures: int = 1000
    max_picture_bytes: int = 2 * 1024 * MIB
    #: The janitor (`catsite.jobs.janitor`) leaves every object younger than this alone, so a
    #: registration or delete in flight is never touched.
    janitor_grace: float = 3600.0

    #: Names this class reads, so `create_app` can tell settings from Flask config keys.
    KEYS = (
        "CATSITE_BUCKET",
        "AWS_ENDPOINT_URL_S3",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "CATSITE_STATIC_URL",
        "CATSITE_MAX_UPLOAD_BYTES",
        "CATSITE_MAX_REQUEST_BYTES",
        "CATSITE_CORS_ORIGINS",
        "CATSITE_ROOT",
        "CATSITE_LONG_WORK_BUDGET_SECONDS",
        "CATSITE_JOB_BUDGET_SECONDS",
        "AWS_LAMBDA_FUNCTION_NAME",
        "CATSITE_ADMIN_TOKEN",
        "CATSITE_MAX_PICTURES",
        "CATSITE_MAX_PICTURE_BYTES",
        "CATSITE_JANITOR_GRACE_SECONDS",
    )

    @classmethod
    def load(cls, overrides: Mapping[str, object] | None = None, environ: Mapping[str, str] | None = None):
        """Read the environment (or `environ`), then apply `overrides`."""
        source: dict[str, object] = {k: v for k, v in (os.environ if environ is None else environ).items()}
        source.update(overrides or {})

        def text(name: str, default: str = "") -> str:
            value = source.get(name)
            return default if value is None else str(value).strip()

        def positive_int(name: str, default: int) -> int:
            raw = text(name)
            if not raw:
                return default
            try:
                value = int(raw)
            except ValueError:
                raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None
            if value <= 0:
                raise SettingsError(f"{name} must be positive, not {value}")
            return value

        bucket = text("CATSITE_BUCKET")
        if not bucket:
            raise SettingsError(
                "CATSITE_BUCKET is not set: name the S3 bucket that holds this stage's state "
                "(./scripts/serve and `python main.py` start a local S3 and set it for you)"
            )
        region = text("AWS_REGION") or text("AWS_DEFAULT_REGION") or "us-east-1"
        origins = tuple(o.strip().rstrip("/") for o in text("CATSITE_CORS_ORIGINS").split(",") if o.strip())
        return cls(
            bucket=bucket,
            s3_endpoint_url=text("AWS_ENDPOINT_URL_S3") or None,
            region=region,
            static_url=text("CATSITE_STATIC_URL").rstrip("/"),
            max_upload_bytes=positive_int("CATSITE_MAX_UPLOAD_BYTES", 25 * MIB),
            max_request_bytes=positive_int("CATSITE_MAX_REQUEST_BYTES", 1 * MIB),
            cors_origins=origins,
            root=Path(text("CATSITE_ROOT") or DEFAULT_ROOT),
            long_work_budget=float(positive_int("CATSITE_LONG_WORK_BUDGET_SECONDS", 25)),
            job_budget=float(positive_int("CATSITE_JOB_BUDGET_SECONDS", 840)),
            lambda_function=text("AWS_LAMBDA_FUNCTION_NAME"),
            admin_token=text("CATSITE_ADMIN_TOKEN"),
            max_pictures=positive_int("CATSITE_MAX_PICTURES", 1000),
            max_picture_bytes=positive_int("CATSITE_MAX_PICTURE_BYTES", 2 * 1024 * MIB),
            janitor_grace=float(positive_int("CATSITE_JANITOR_GRACE_SECONDS", 3600)),
        )

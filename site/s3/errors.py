"""The one table from botocore's errors to catsite's service errors, the same for reads and writes.

Every call the adapter makes (and every read of a response body) goes through `service_error`,
so a caller sees only `catsite.errors`, never botocore. The table, decided case by case:

- ObjectMissing: `NoSuchKey`, `NotFound`, a bare 404 (HEAD has no body): the object is not
  there; the adapter answers None where its caller asked "unless missing". Also `InvalidRange`
  (416): the bytes asked for are not there, so the object is not the one its HEAD described.
- PreconditionLost (a StorageConflict, 409 if it escapes): `PreconditionFailed` (412),
  `ConditionalRequestConflict`, `OperationAborted`, any other 409: a conditional write lost to
  another writer; the stores read again and retry.
- StorageUnavailable (503 JSON with Retry-After), read or write alike:
  - `NoSuchBucket`, `NoSuchUpload`: 404s of the bucket or of a multipart upload, not of a key;
    the stage is not as deployed (or an upload was discarded under us): nothing to fix by asking
    differently;
  - `AccessDenied` and every other 403, `SlowDown`, `ServiceUnavailable`, `InternalError`, any
    5xx, throttling, and any refusal not named above;
  - any BotoCoreError: connect and read timeouts, refused or dropped connections, a body cut off
    half-way, missing credentials.

A 403 is deliberately an outage, not a client error: the client never chose a key catsite's
credentials may not touch (every key is validated before it reaches S3), so a refusal means the
role or the bucket is misconfigured, and the visitor can only try again later.
"""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError

from catsite.errors import ObjectMissing, PreconditionLost, StorageUnavailable

#: By S3 error code, looked up first (a code says more than its status).
BY_CODE: dict[str, type[Exception]] = {
    "NoSuchKey": ObjectMissing,
    "NotFound": ObjectMissing,
    "404": ObjectMissing,
    "InvalidRange": ObjectMissing,
    "PreconditionFailed": PreconditionLost,
    "412": PreconditionLost,
    "ConditionalRequestConflict": PreconditionLost,
    "OperationAborted": PreconditionLost,
    "409": PreconditionLost,
    "NoSuchBucket": StorageUnavailable,
    "NoSuchUpload": StorageUnavailable,
    "AccessDenied": StorageUnavailable,
    "SlowDown": StorageUnavailable,
    "ServiceUnavailable": StorageUnavailable,
    "InternalError": StorageUnavailable,
}
#: By HTTP status, for codes not in BY_CODE.
BY_STATUS: dict[int, type[Exception]] = {
    404: ObjectMissing,
    416: ObjectMissing,
    409: PreconditionLost,
    412: PreconditionLost,
}
#: Everything else: S3 (or the way to it) cannot serve catsite now.
OTHERWISE = StorageUnavailable


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def error_status(error: ClientError) -> int:
    return int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)


def service_error(error: Exception, operation: str, key: str | None = None) -> Exception:
    """catsite's exception for a botocore `error` raised by `operation` (on `key`); raise it
    `from error`. Anything that is not botocore's is returned unchanged."""
    if isinstance(error, ClientError):
        code, status = error_code(error), error_status(error)
        kind = BY_CODE.get(code) or BY_STATUS.get(status) or OTHERWISE
        if kind is ObjectMissing:
            return ObjectMissing(key or operation)
        what = f"{code or status}" + (f" on {key}" if key else "")
        if kind is PreconditionLost:
            return PreconditionLost(f"S3 refused a conditional {operation}: {what}")
        return StorageUnavailable(f"S3 refused {operation}: {what}")
    if isinstance(error, BotoCoreError):
        return StorageUnavailable(f"S3 is unavailable ({operation}): {type(error).__name__}")
    return error

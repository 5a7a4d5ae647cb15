"""The one table from botocore's errors to catsite's: built from botocore's own exception objects,
shaped as S3 answers them (codes and statuses from S3's error-response reference)."""

from __future__ import annotations

import pytest
from botocore.exceptions import (
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ReadTimeoutError,
    ResponseStreamingError,
)

from catsite.errors import ObjectMissing, PreconditionLost, StorageConflict, StorageUnavailable
from catsite.s3.errors import service_error


def client_error(code: str, status: int, operation: str = "GetObject") -> ClientError:
    """A ClientError as botocore raises it for an S3 error answer."""
    error = {"Code": code, "Message": "from the test"} if code else {}
    return ClientError({"Error": error, "ResponseMetadata": {"HTTPStatusCode": status}}, operation)


def test_a_403_on_a_read_and_a_403_on_a_write_are_the_same_outage():
    read = service_error(client_error("AccessDenied", 403, "GetObject"), "get_object", "state/cat.json")
    write = service_error(client_error("AccessDenied", 403, "PutObject"), "put_object", "state/cat.json")
    assert type(read) is type(write) is StorageUnavailable


@pytest.mark.parametrize(
    ("code", "status"),
    [("NoSuchKey", 404), ("NotFound", 404), ("404", 404), ("", 404), ("InvalidRange", 416)],
)
def test_a_missing_object_is_object_missing_naming_its_key(code, status):
    mapped = service_error(client_error(code, status), "get_object", "pics/x/record.json")
    assert type(mapped) is ObjectMissing
    assert str(mapped) == "pics/x/record.json"


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("PreconditionFailed", 412),
        ("412", 412),
        ("ConditionalRequestConflict", 409),
        ("OperationAborted", 409),
        ("", 409),
    ],
)
def test_a_lost_condition_is_a_conflict_the_stores_retry_on(code, status):
    mapped = service_error(client_error(code, status, "PutObject"), "put_object", "state/cat.json")
    assert type(mapped) is PreconditionLost
    assert isinstance(mapped, StorageConflict)  # escaping the stores, it is a 409


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("NoSuchBucket", 404),  # a 404, but of the bucket: not a missing key
        ("NoSuchUpload", 404),
        ("AccessDenied", 403),
        ("InvalidAccessKeyId", 403),
        ("SignatureDoesNotMatch", 403),
        ("ExpiredToken", 400),
        ("SlowDown", 503),
        ("ServiceUnavailable", 503),
        ("InternalError", 500),
        ("", 500),
        ("", 502),
        ("Throttling", 400),
        ("RequestTimeout", 400),
        ("PermanentRedirect", 301),
    ],
)
def test_every_other_refusal_is_storage_unavailable(code, status):
    for operation in ("get_object", "put_object", "list_objects_v2", "delete_objects"):
        mapped = service_error(client_error(code, status), operation, "k")
        assert type(mapped) is StorageUnavailable, (code, status, operation)


@pytest.mark.parametrize(
    "error",
    [
        ConnectTimeoutError(endpoint_url="http://127.0.0.1:1"),
        ReadTimeoutError(endpoint_url="http://127.0.0.1:1"),
        EndpointConnectionError(endpoint_url="http://127.0.0.1:1"),
        ResponseStreamingError(error="connection broken"),
        NoCredentialsError(),
    ],
)
def test_transport_failures_are_storage_unavailable(error):
    mapped = service_error(error, "get_object", "k")
    assert type(mapped) is StorageUnavailable
    assert type(error).__name__ in str(mapped)


def test_what_is_not_botocore_passes_through_unchanged():
    error = KeyError("x")
    assert service_error(error, "get_object") is error

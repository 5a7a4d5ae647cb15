"""The one table from botocore's errors to catsite's: built from botocore's own exception objects,
shaped as S3 answers them.

The codes and their statuses come from AWS's Amazon S3 API Reference, "Error responses", its
"List of error codes" (docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html), unless a
comment beside a case names another source."""

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
    [
        ("NoSuchKey", 404),  # S3's list: "The specified key does not exist."
        ("InvalidRange", 416),  # S3's list: "The requested range cannot be satisfied."
        # A HEAD answer has no body, so botocore names the code after the status
        # (botocore.parsers, `_do_generic_error_parse`: Code = str(status_code)).
        ("404", 404),
        ("", 404),  # no code at all: the status decides
    ],
)
def test_a_missing_object_is_object_missing_naming_its_key(code, status):
    mapped = service_error(client_error(code, status), "get_object", "pics/x/record.json")
    assert type(mapped) is ObjectMissing
    assert str(mapped) == "pics/x/record.json"


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("PreconditionFailed", 412),  # S3's list: a precondition (If-Match, If-None-Match) failed
        ("412", 412),  # the same answer to a HEAD, named by botocore after its status (above)
        ("ConditionalRequestConflict", 409),  # S3's list: a conflicting conditional operation
        ("OperationAborted", 409),  # S3's list: a conflicting operation is in progress
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
        ("SlowDown", 503),  # S3's own throttling answer: "Please reduce your request rate."
        ("ServiceUnavailable", 503),
        ("InternalError", 500),
        ("RequestTimeout", 400),
        ("PermanentRedirect", 301),
        ("", 500),  # no code at all (a proxy's bare answer): the status decides
        ("", 502),
        # Not S3 codes: the generic throttling codes botocore's retry handler treats as throttling
        # (botocore.retries.standard.ThrottledRetryableChecker._THROTTLED_ERROR_CODES), which an
        # S3-compatible endpoint or a proxy in front of S3 may send.
        ("Throttling", 400),
        ("ThrottlingException", 400),
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

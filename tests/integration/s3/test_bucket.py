"""The S3 adapter against the local S3: conditional writes, listings past one page, HEAD, ranges,
streaming, presigning, and the same service error for a refused read and a refused write."""

from __future__ import annotations

import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from catsite.errors import ObjectMissing, PreconditionLost, StorageUnavailable
from catsite.s3.bucket import Bucket, ObjectInfo
from catsite.s3.client import make_s3_client
from catsite.s3.keys import format_location, parse_location


@pytest.fixture
def adapter(local_s3, bucket) -> Bucket:
    return Bucket(make_s3_client("us-east-1", local_s3.url), bucket)


def count_requests(adapter: Bucket) -> list[str]:
    calls: list[str] = []
    adapter.client.meta.events.register("before-call.s3", lambda model, **_: calls.append(model.name))
    return calls


def test_create_only_if_absent_refuses_the_second_creation(adapter, s3, bucket):
    adapter.put_json("state/x.json", {"n": 1}, create=True)
    with pytest.raises(PreconditionLost):
        adapter.put_json("state/x.json", {"n": 2}, create=True)
    assert adapter.get_json("state/x.json") == {"n": 1}


def test_replace_only_if_unchanged_refuses_a_stale_etag(adapter, s3, bucket):
    adapter.put_json("state/x.json", {"n": 1}, create=True)
    _, stale = adapter.get("state/x.json")
    s3.put_object(Bucket=bucket, Key="state/x.json", Body=b'{"n": "other writer"}')
    with pytest.raises(PreconditionLost):
        adapter.put_json("state/x.json", {"n": 2}, if_match=stale)
    assert adapter.get_json("state/x.json") == {"n": "other writer"}
    _, current = adapter.get("state/x.json")
    adapter.put_json("state/x.json", {"n": 3}, if_match=current)
    body, etag = adapter.get("state/x.json")
    assert body == b'{"n": 3}' and etag != current


def test_a_listing_past_1000_keys_is_complete_in_key_order_a_page_at_a_time(adapter, s3, bucket):
    keys = [f"many/{n:05d}" for n in range(1050)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda key: s3.put_object(Bucket=bucket, Key=key, Body=b"x"), keys))
    s3.put_object(Bucket=bucket, Key="other/0", Body=b"x")
    calls = count_requests(adapter)
    listed = [obj["Key"] for obj in adapter.objects("many/")]
    assert listed == keys
    assert calls == ["ListObjectsV2", "ListObjectsV2"]  # S3 pages hold at most 1,000 keys
    after = [obj["Key"] for obj in adapter.objects("many/", start_after="many/01040")]
    assert after == keys[1041:]


def test_a_listing_is_fetched_only_as_far_as_it_is_read(adapter, s3, bucket):
    for n in range(5):
        s3.put_object(Bucket=bucket, Key=f"few/{n}", Body=b"x")
    calls = count_requests(adapter)
    first_two = adapter.objects("few/", page_size=2)
    assert [next(first_two)["Key"], next(first_two)["Key"]] == ["few/0", "few/1"]
    assert calls == ["ListObjectsV2"]


def test_head_of_a_missing_key_is_none_and_of_an_object_its_size_and_type(adapter, s3, bucket):
    assert adapter.head("nothing/here") is None
    s3.put_object(Bucket=bucket, Key="some/thing", Body=b"12345", ContentType="image/png")
    assert adapter.head("some/thing") == ObjectInfo("some/thing", 5, "image/png")


def test_a_missing_object_reads_as_none_or_object_missing(adapter):
    assert adapter.get("nothing/here") is None
    assert adapter.get_json("nothing/here") is None
    with pytest.raises(ObjectMissing):
        adapter.read_range("nothing/here", 0, 9)
    with pytest.raises(ObjectMissing):
        list(adapter.stream("nothing/here", 4))
    with pytest.raises(ObjectMissing):
        adapter.copy("nothing/here", "somewhere/else", "image/png")


def test_a_ranged_read_returns_the_inclusive_byte_range(adapter, s3, bucket):
    s3.put_object(Bucket=bucket, Key="digits", Body=b"0123456789")
    assert adapter.read_range("digits", 3, 7) == b"34567"  # RFC 9110: first and last byte included
    assert adapter.read_range("digits", 8, 20) == b"89"  # a last position past the end is the end


def test_streaming_yields_the_body_in_chunks(adapter, s3, bucket):
    s3.put_object(Bucket=bucket, Key="digits", Body=b"0123456789")
    assert list(adapter.stream("digits", 4)) == [b"0123", b"4567", b"89"]


def test_copy_delete_and_presigned_get(adapter, s3, bucket):
    s3.put_object(Bucket=bucket, Key="a", Body=b"cat", ContentType="text/plain")
    adapter.copy("a", "b", "image/gif")
    assert adapter.head("b") == ObjectInfo("b", 3, "image/gif")
    with urllib.request.urlopen(adapter.presign_get("b")) as answer:
        assert answer.read() == b"cat"
    adapter.delete("a", "b")
    adapter.delete("never-there")  # deleting a missing key is not an error
    assert adapter.head("a") is None and adapter.head("b") is None


def test_the_location_codec_round_trips_and_refuses_other_forms(adapter, bucket):
    assert adapter.location("uploads/x/y.png") == f"s3://{bucket}/uploads/x/y.png"
    assert parse_location(format_location("b", "k/l")) == ("b", "k/l")
    for other in ("http://b/k", "s3://b", "s3:///k", "b/k"):
        assert parse_location(other) is None


def test_a_refused_read_and_a_refused_write_are_the_same_service_error(local_s3):
    """A bucket that is not there (S3's NoSuchBucket, a 404 that is not a missing key)."""
    gone = Bucket(make_s3_client("us-east-1", local_s3.url), "no-such-bucket-for-catsite")
    with pytest.raises(StorageUnavailable):
        gone.get("state/cat.json")
    with pytest.raises(StorageUnavailable):
        gone.put_json("state/cat.json", {"says": "x"}, create=True)
    with pytest.raises(StorageUnavailable):
        list(gone.objects("pics/"))

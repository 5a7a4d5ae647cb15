"""The ranged reader on its own (a unit test of one class: `fetch` is a plain function here)."""

import io
import os

import pytest

from catsite.s3.reader import FIRST_WINDOW, LARGEST_WINDOW, S3RangeReader

DATA = os.urandom(3 * LARGEST_WINDOW + 12345)


def reader_over(data: bytes, head: bytes = b""):
    calls = []

    def fetch(start, end):
        calls.append((start, end))
        return data[start : end + 1]

    return S3RangeReader(fetch, len(data), head=head), calls


def test_sequential_reads_return_the_object_in_few_requests():
    reader, calls = reader_over(DATA)
    out = io.BytesIO()
    while chunk := reader.read(10_000):
        out.write(chunk)
    assert out.getvalue() == DATA
    assert len(calls) < 12, "windows grow while reading goes on"
    assert max(end - start + 1 for start, end in calls) == LARGEST_WINDOW


@pytest.mark.parametrize(
    ("start", "length"), [(0, 10), (FIRST_WINDOW - 3, 10), (len(DATA) - 5, 100), (777, 0)]
)
def test_any_range_reads_exactly_the_objects_bytes(start, length):
    reader, _ = reader_over(DATA)
    reader.seek(start)
    assert reader.read(length) == DATA[start : start + length]


def test_a_read_across_windows_is_never_short():
    reader, _ = reader_over(DATA)
    reader.seek(FIRST_WINDOW - 10)
    assert len(reader.read(100)) == 100


def test_the_head_is_served_without_requests_and_reading_past_the_end_gives_nothing():
    reader, calls = reader_over(DATA, head=DATA[:FIRST_WINDOW])
    assert reader.read(1000) == DATA[:1000]
    assert calls == []
    reader.seek(0, io.SEEK_END)
    assert reader.read(10) == b""


def test_a_jump_starts_with_a_small_window_again():
    reader, calls = reader_over(DATA)
    reader.seek(LARGEST_WINDOW * 2)
    reader.read(10)
    assert calls[-1] == (LARGEST_WINDOW * 2, LARGEST_WINDOW * 2 + FIRST_WINDOW - 1)

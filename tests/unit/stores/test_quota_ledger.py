"""The quota ledger's arithmetic: what stored pictures and outstanding grants add up to, and
grants leaving it when they expire."""

from __future__ import annotations

from catsite.stores.quota import Ledger


def test_expired_grants_leave_and_live_ones_stay():
    ledger = Ledger(grants={"old": [10, 99.0], "now": [20, 100.0], "new": [30, 101.0]})
    ledger.drop_expired_grants(100.0)
    assert ledger.grants == {"new": [30, 101.0]}


def test_stored_and_pending_bytes_add_up_separately():
    ledger = Ledger(pictures={"a": [5, 0], "b": [7, 0]}, grants={"t": [11, 9e9]})
    assert (ledger.stored_bytes, ledger.pending_bytes) == (12, 11)
    assert Ledger.from_json(ledger.to_json()) == ledger


def test_a_change_that_removes_entries_is_written(tmp_path):
    """The ledger is written when a change removes entries (a reconciliation): its "nothing
    changed" shortcut compares what was read with what is written, not one object with itself."""
    from catsite.stores.quota import QuotaLedger

    class Bucket:  # the one function under test is QuotaLedger.update; S3 is not its subject
        stored = {"pictures": {"a": [1, 0.0], "b": [2, 0.0]}, "grants": {}}
        writes: list = []

        def get(self, key):
            import json

            return json.dumps(self.stored).encode(), '"etag"'

        def put_json(self, key, value, **conditions):
            self.writes.append(value)

    bucket = Bucket()
    QuotaLedger(bucket, dict).update(lambda book, now: book.pictures.pop("a"))
    assert bucket.writes == [{"pictures": {"b": [2, 0.0]}, "grants": {}}]
    QuotaLedger(bucket, dict).update(lambda book, now: None)
    assert len(bucket.writes) == 1  # nothing changed, nothing written

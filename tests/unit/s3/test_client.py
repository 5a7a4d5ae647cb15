"""Every S3 client of a process comes from one botocore session (a fresh session per client costs
100+ ms of model loading)."""

from __future__ import annotations

from catsite.s3.client import (
    PATIENT_READ_SECONDS,
    S3_CLIENT_CONFIG,
    make_s3_client,
    refresh_session,
    shared_session,
)

LOCAL = "http://127.0.0.1:9"  # never contacted: making a client sends nothing


def clients_made_by(session) -> list[str]:
    """Record each client the session builds (botocore emits this event once per client)."""
    made: list[str] = []
    session.register("creating-client-class.s3", lambda **_: made.append("s3"), unique_id=f"count-{id(made)}")
    return made


def test_the_normal_and_the_patient_client_share_one_session():
    made = clients_made_by(shared_session())
    normal = make_s3_client("us-east-1", LOCAL)
    patient = make_s3_client("us-east-1", LOCAL, patient=True)
    assert made == ["s3", "s3"], "both clients were built by the shared session"
    assert normal is not patient
    assert normal.meta.config.read_timeout == S3_CLIENT_CONFIG.read_timeout
    assert patient.meta.config.read_timeout == PATIENT_READ_SECONDS
    assert patient.meta.config.connect_timeout == S3_CLIENT_CONFIG.connect_timeout


def test_the_session_is_made_once_and_a_refresh_starts_a_new_one_keeping_the_parsed_models():
    first = shared_session()
    assert shared_session() is first
    made_by_first = clients_made_by(first)
    refresh_session()  # SnapStart's after-restore hook
    second = shared_session()
    assert second is not first
    assert second.get_component("data_loader") is first.get_component("data_loader")
    make_s3_client("us-east-1", LOCAL)
    assert made_by_first == [], "after the refresh, clients come from the new session"

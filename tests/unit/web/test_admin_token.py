"""The moderation token check (catsite.web.admin)."""

from __future__ import annotations

import pytest


def test_the_token_is_compared_in_constant_time(monkeypatch):
    """Every sent bearer token, right or wrong, goes through `hmac.compare_digest` (whose time does
    not depend on how much of a guess matches), and its verdict decides."""
    import hmac

    from catsite.app import create_app
    from catsite.web import admin

    compared = []
    constant_time = hmac.compare_digest

    def recorded(sent, configured):
        compared.append(tuple(v.encode() if isinstance(v, str) else bytes(v) for v in (sent, configured)))
        return constant_time(sent, configured)

    monkeypatch.setattr(hmac, "compare_digest", recorded)
    app = create_app({"CATSITE_BUCKET": "catsite-unit", "CATSITE_ADMIN_TOKEN": "s3cret", "TESTING": True})
    with app.test_request_context(headers={"Authorization": "Bearer s3cret"}):
        admin.require_admin()
    with (
        app.test_request_context(headers={"Authorization": "Bearer s3cres"}),
        pytest.raises(admin.Unauthorized),
    ):
        admin.require_admin()
    assert compared == [(b"s3cret", b"s3cret"), (b"s3cres", b"s3cret")]

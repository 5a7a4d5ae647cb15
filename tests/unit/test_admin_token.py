"""The moderation token check (catsite.web.admin)."""

from __future__ import annotations


def test_the_token_is_compared_in_constant_time():
    import inspect

    from catsite.web import admin

    assert "hmac.compare_digest" in inspect.getsource(admin._matches)
    assert "_matches(token, configured)" in inspect.getsource(admin.require_admin)

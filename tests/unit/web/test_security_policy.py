"""The Content-Security-Policy the site sends, computed from its settings alone."""

from __future__ import annotations

from catsite.settings import Settings
from catsite.web.security import content_security_policy
from tests.support.headers import directives


def test_the_policy_allows_no_inline_code_and_only_the_site_and_static_origin():
    settings = Settings.load({"CATSITE_BUCKET": "cats", "CATSITE_STATIC_URL": "https://cdn.example/static"})
    policy = directives(content_security_policy(settings))
    text = content_security_policy(settings)
    assert "unsafe-inline" not in text and "unsafe-eval" not in text
    static = ["'self'", "https://cdn.example/static", "https://cdn.example/static/"]
    assert policy["script-src"] == static
    assert policy["style-src"] == static
    assert policy["default-src"] == ["'self'"]


def test_uploads_and_pictures_may_talk_to_the_stages_bucket_on_aws():
    settings = Settings.load({"CATSITE_BUCKET": "cats", "AWS_REGION": "eu-west-1"})
    policy = directives(content_security_policy(settings))
    bucket = ["https://cats.s3.eu-west-1.amazonaws.com", "https://s3.eu-west-1.amazonaws.com/cats"]
    for name in ("connect-src", "form-action", "img-src"):
        assert set(bucket) <= set(policy[name]), name
        assert "https://s3.eu-west-1.amazonaws.com/cats/" in policy[name]
        assert not [s for s in policy[name] if s.endswith("amazonaws.com") and "cats" not in s]
    assert policy["script-src"] == ["'self'"]  # no static URL: scripts from the site only


def test_uploads_go_to_the_local_s3_when_one_is_configured():
    local_s3 = "http://127.0.0.1:45123"
    policy = directives(
        content_security_policy(Settings.load({"CATSITE_BUCKET": "cats", "AWS_ENDPOINT_URL_S3": local_s3}))
    )
    for name in ("connect-src", "form-action", "img-src"):
        assert f"{local_s3}/cats" in policy[name]
        assert not [s for s in policy[name] if "amazonaws" in s]

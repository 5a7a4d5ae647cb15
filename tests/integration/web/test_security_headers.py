"""Security headers on every response, and CORS for the API only from CATSITE_CORS_ORIGINS."""

from __future__ import annotations

import pytest

from catsite.app import create_app
from tests.support.headers import directives, field_list, parameters

SITE = "https://cats.example.com"


REQUESTS = [
    ("GET", "/", {"Accept": "text/html"}, 200),
    ("GET", "/cat", {}, 200),
    ("GET", "/healthz", {}, 200),
    ("GET", "/static/css/site.css", {}, 200),
    ("GET", "/no/such/page", {"Accept": "text/html"}, 404),
    ("GET", "/cat/nope", {}, 404),
    ("DELETE", "/cat", {}, 405),
    ("POST", "/cat", {"Content-Type": "text/plain"}, 415),
]


@pytest.mark.parametrize(("method", "path", "headers", "status"), REQUESTS)
def test_every_response_carries_the_security_headers(client, method, path, headers, status):
    answer = client.open(path, method=method, headers=headers)
    assert answer.status_code == status
    policy = directives(answer.headers["Content-Security-Policy"])
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    # A structured dictionary (RFC 8941); an empty allowlist, `()`, allows no origin the feature.
    assert parameters(answer.headers["Permissions-Policy"], ",")["camera"] == "()"
    assert "Strict-Transport-Security" not in answer.headers  # plain http


def test_an_unexpected_error_still_carries_the_headers(settings):
    app = create_app(settings)

    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    answer = app.test_client().get("/boom")
    assert answer.status_code == 500
    assert directives(answer.headers["Content-Security-Policy"])["frame-ancestors"] == ["'none'"]


def test_hsts_only_over_https(client):
    answer = client.get("/healthz", base_url="https://cats.example.com")
    # RFC 6797 section 6.1 leaves max-age to the site; browsers' preload lists ask for a year.
    assert int(parameters(answer.headers["Strict-Transport-Security"])["max-age"]) >= 365 * 86_400
    assert "Strict-Transport-Security" not in client.get("/healthz").headers


# -- CORS ---------------------------------------------------------------------------------------


@pytest.fixture
def cors_client(settings):
    return create_app({**settings, "CATSITE_CORS_ORIGINS": f"{SITE}, https://other.example/"}).test_client()


def test_the_api_answers_an_allowed_origin(cors_client):
    answer = cors_client.get("/cat", headers={"Origin": SITE})
    assert answer.headers["Access-Control-Allow-Origin"] == SITE
    assert "origin" in {name.lower() for name in field_list(answer.headers["Vary"])}
    other = cors_client.get("/cat", headers={"Origin": "https://other.example"})
    assert other.headers["Access-Control-Allow-Origin"] == "https://other.example"


def test_a_preflight_from_an_allowed_origin_may_post_json(cors_client):
    answer = cors_client.options(
        "/cat",
        headers={
            "Origin": SITE,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert answer.status_code == 200
    assert answer.headers["Access-Control-Allow-Origin"] == SITE
    assert "POST" in field_list(answer.headers["Access-Control-Allow-Methods"])
    assert "content-type" in {
        name.lower() for name in field_list(answer.headers["Access-Control-Allow-Headers"])
    }


def test_other_origins_and_pages_get_no_cors(cors_client):
    hostile = cors_client.post("/cat", json={"says": "hi"}, headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in hostile.headers
    preflight = cors_client.options(
        "/cat", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    )
    assert "Access-Control-Allow-Origin" not in preflight.headers
    page = cors_client.get("/", headers={"Origin": SITE, "Accept": "text/html"})
    assert "Access-Control-Allow-Origin" not in page.headers


def test_without_configured_origins_there_is_no_cors_at_all(client):
    answer = client.get("/cat", headers={"Origin": SITE})
    assert not [name for name, _ in answer.headers.items() if name.startswith("Access-Control-")]

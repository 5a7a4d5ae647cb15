"""The API's paths come from its blueprint: they decide JSON errors and CORS, with no list to edit."""

from __future__ import annotations

import pytest

import catsite.api
from catsite.app import create_app
from catsite.web.errors import API_PREFIXES

SITE = "https://cats.example.com"


@pytest.fixture
def app_with_a_new_api_route(settings, monkeypatch):
    """The app, with one more route on the API blueprint than it ships."""
    shipped = catsite.api.create_api_blueprint

    def with_kittens():
        blueprint = shipped()
        blueprint.add_url_rule("/kittens/<int:number>", "kittens", lambda number: {"kitten": number})
        return blueprint

    monkeypatch.setattr(catsite.api, "create_api_blueprint", with_kittens)
    return create_app({**settings, "CATSITE_CORS_ORIGINS": SITE})


def test_the_api_prefixes_are_the_documented_operations(app):
    """DESIGN's API table: /cat (and /cat/pics...), /uploads, /jobs/<id>, /healthz, /openapi.json."""
    assert app.extensions[API_PREFIXES] == {"cat", "uploads", "jobs", "healthz", "openapi.json"}


def test_a_new_api_route_gets_json_errors(app_with_a_new_api_route):
    client = app_with_a_new_api_route.test_client()
    assert client.get("/kittens/3").get_json() == {"kitten": 3}
    # No route matches (not an integer), so no blueprint: the path alone says it is the API's.
    missing = client.get("/kittens/tabby", headers={"Accept": "text/html"})
    assert missing.status_code == 404
    assert missing.mimetype == "application/json"
    assert missing.get_json()["code"] == 404
    page = client.get("/kittenz/tabby", headers={"Accept": "text/html"})
    assert page.status_code == 404 and page.mimetype == "text/html"


def test_a_new_api_route_gets_cors_and_pages_do_not(app_with_a_new_api_route):
    client = app_with_a_new_api_route.test_client()
    answer = client.get("/kittens/3", headers={"Origin": SITE})
    assert answer.headers["Access-Control-Allow-Origin"] == SITE
    preflight = client.options("/kittens/3", headers={"Origin": SITE, "Access-Control-Request-Method": "GET"})
    assert preflight.headers["Access-Control-Allow-Origin"] == SITE
    page = client.get("/pics", headers={"Origin": SITE, "Accept": "text/html"})
    assert "Access-Control-Allow-Origin" not in page.headers

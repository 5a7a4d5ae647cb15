"""The tutorial's own five checks, and byte-for-byte compatibility with the tutorial's app."""

import pytest

from tests.support import tutorial_app


def test_initial_get_says_meow(client):
    response = client.get("/cat")
    assert response.status_code == 200
    assert response.get_json() == {"says": "meow", "code": 200}


def test_post_sets_what_the_cat_says(client):
    response = client.post("/cat", json={"says": "purr"})
    assert response.status_code == 200
    assert response.get_json() == {"says": "purr", "code": 200}


def test_get_after_post_returns_the_new_text(client):
    client.post("/cat", json={"says": "hiss"})
    assert client.get("/cat").get_json() == {"says": "hiss", "code": 200}


def test_post_without_says_is_400(client):
    response = client.post("/cat", json={})
    assert response.status_code == 400
    assert response.get_json()["code"] == 400


def test_home_page_is_200(client):
    assert client.get("/").status_code == 200


@pytest.fixture
def tutorial_client():
    tutorial_app.Cat.says = "meow"
    return tutorial_app.app.test_client()


@pytest.mark.parametrize("says", ["purr", "mrrp 🐈", "<b>&amp;</b>", "x" * 280])
def test_answers_are_byte_identical_to_the_tutorial(client, tutorial_client, says):
    exchanges = [("get", {}), ("post", {"json": {"says": says}}), ("get", {})]
    for method, kwargs in exchanges:
        ours = getattr(client, method)("/cat", **kwargs)
        theirs = getattr(tutorial_client, method)("/cat", **kwargs)
        assert ours.status_code == theirs.status_code
        assert ours.get_data() == theirs.get_data()
        assert ours.headers["Content-Type"] == theirs.headers["Content-Type"]

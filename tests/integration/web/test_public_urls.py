"""A request's Host never reaches a URL the site writes (hostile input, third pass, point 3).

`Host` is the client's to choose. The site's absolute URLs come from the stage's configured public
address (`CATSITE_PUBLIC_URL`), or are relative when it has none; a redirect to the request's own
host is relative (RFC 9110 section 10.2.2), so the browser resolves it against the address it used.
Checked on the local server's app and through the local ALB door, which forwards the client's Host
as an ALB does (ELB guide, "HTTP headers and Application Load Balancers").
"""

from __future__ import annotations

import os

import pytest
import requests

from catsite.app import create_app
from catsite_tools.local.s3 import free_port
from tests.support.html import parse
from tests.support.pictures import image_bytes, upload_and_register
from tests.support.processes import lambda_door_command, serving

PUBLIC = "https://cats.example.com"
EVIL = "evil.example"


@pytest.fixture
def lambda_alb_door(settings):
    """The site behind a local ALB door, its public address set as a deploy sets it."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, **settings, "CATSITE_PUBLIC_URL": PUBLIC}
    with serving(lambda_door_command("alb", port), env, url, f"{url}/healthz", 60):
        yield url


@pytest.fixture
def client(settings):
    return create_app({**settings, "CATSITE_PUBLIC_URL": PUBLIC, "TESTING": True}).test_client()


def urls_in(html: str) -> list[str]:
    """Every URL an element of the page names (href, src, content, action, srcset's entries)."""
    found = []
    for _tag, attributes in parse(html):
        for name in ("href", "src", "content", "action"):
            if attributes.get(name):
                found.append(attributes[name])
        found += [part.split()[0] for part in attributes.get("srcset", "").split(",") if part.strip()]
    return found


@pytest.mark.parametrize("path", ["/", "/pics", "/pics/kitty", "/docs", "/pics/{id}"])
def test_no_url_on_a_page_names_the_requests_host(client, path):
    record = upload_and_register(client, image_bytes("PNG", size=(40, 30)))
    html = client.get(path.format(id=record["id"]), headers={"Host": EVIL}).get_data(as_text=True)
    named = [url for url in urls_in(html) if EVIL in url]
    assert named == []


def test_the_absolute_urls_of_a_picture_page_start_with_the_public_address(client):
    record = upload_and_register(client, image_bytes("PNG", size=(40, 30)))
    tags = parse(client.get(f"/pics/{record['id']}", headers={"Host": EVIL}).get_data(as_text=True))
    meta = {a.get("property"): a.get("content") for tag, a in tags if tag == "meta" and a.get("property")}
    canonical = next(a["href"] for tag, a in tags if tag == "link" and a.get("rel") == "canonical")
    assert canonical == meta["og:url"] == f"{PUBLIC}/pics/{record['id']}"
    kitty = parse(client.get("/pics/kitty", headers={"Host": EVIL}).get_data(as_text=True))
    image = next(a["content"] for tag, a in kitty if tag == "meta" and a.get("property") == "og:image")
    assert image == f"{PUBLIC}/static/kitty.png"


def test_the_slash_merging_redirect_is_relative(client):
    answer = client.get("/static//kitty.png", headers={"Host": EVIL})
    assert answer.status_code == 308
    assert answer.headers["Location"] == "/static/kitty.png"


def test_the_openapi_document_names_the_public_address_as_its_server(client):
    document = client.get("/openapi.json", headers={"Host": EVIL}).get_json()
    assert document["servers"] == [{"url": PUBLIC}]


def test_without_a_public_address_the_absolute_urls_are_relative(settings):
    client = create_app({**settings, "TESTING": True}).test_client()
    tags = parse(client.get("/pics/kitty", headers={"Host": EVIL}).get_data(as_text=True))
    meta = {a.get("property"): a.get("content") for tag, a in tags if tag == "meta" and a.get("property")}
    assert meta["og:url"] == "/pics/kitty" and EVIL not in meta["og:image"]


@pytest.mark.parametrize(
    "value", ["cats.example.com", "ftp://cats.example.com", "https://h/?q=1", "https://"]
)
def test_a_public_address_that_is_no_http_url_stops_the_app_at_start_up(settings, value):
    from catsite.settings import SettingsError

    with pytest.raises(SettingsError):
        create_app({**settings, "CATSITE_PUBLIC_URL": value})


def test_through_the_alb_door_the_host_reaches_no_url(lambda_alb_door):
    page = requests.get(f"{lambda_alb_door}/pics/kitty", headers={"Host": EVIL}, timeout=30)
    assert page.status_code == 200
    assert [url for url in urls_in(page.text) if EVIL in url] == []
    redirect = requests.get(f"{lambda_alb_door}/static//kitty.png", headers={"Host": EVIL}, timeout=30,
                            allow_redirects=False)  # fmt: skip
    assert redirect.status_code == 308 and EVIL not in redirect.headers["Location"]

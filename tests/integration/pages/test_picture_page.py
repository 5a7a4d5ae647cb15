"""A page per picture, and picture URLs that stay the same and may be cached: the display rendition
made at registration, public content-named renditions, private originals, deletion, HTML 404."""

from __future__ import annotations

import io
import re

import pytest
import requests
from PIL import Image

from tests.support import ADMIN
from tests.support.html import assert_error_page, document, parse
from tests.support.pictures import image_bytes, upload_and_register

#: At least a day (the issue); content-named renditions may be kept for a year (RFC 8246 immutable).
ONE_DAY = 86_400
#: The stage's public address (CATSITE_PUBLIC_URL): absolute URLs start with it, whatever the Host.
PUBLIC = "https://cats.example.com"


@pytest.fixture
def client(settings):
    from catsite.app import create_app

    return create_app({**settings, "CATSITE_PUBLIC_URL": PUBLIC, "TESTING": True}).test_client()


def max_age(cache_control: str) -> int:
    directives = dict(
        (part.strip().split("=", 1) + [""])[:2] for part in cache_control.split(",") if part.strip()
    )
    return int(directives.get("max-age", "0"))


def test_registration_makes_a_display_rendition_at_most_1600_wide_and_a_480_thumbnail(client):
    record = upload_and_register(client, image_bytes("JPEG", size=(3200, 2400)), content_type="image/jpeg",
                      filename="big.jpg")  # fmt: skip
    sizes = {}
    for name in ("display_url", "thumb_url"):
        answer = requests.get(record[name], timeout=10)  # no signature: a public rendition
        assert answer.status_code == 200, name
        assert answer.headers["Content-Type"] == "image/webp"
        with Image.open(io.BytesIO(answer.content)) as image:
            assert image.format == "WEBP"
            sizes[name] = image.size
    assert sizes["display_url"] == (1600, 1200) == (record["display_width"], record["display_height"])
    assert sizes["thumb_url"] == (480, 360) == (record["thumb_width"], record["thumb_height"])


def test_a_small_picture_is_not_enlarged(client):
    record = upload_and_register(client, image_bytes("PNG", size=(300, 200)))
    assert (record["display_width"], record["display_height"]) == (300, 200)
    assert (record["thumb_width"], record["thumb_height"]) == (300, 200)


def test_renditions_have_the_same_url_on_every_visit_and_are_cached_at_least_a_day(client, bucket):
    record = upload_and_register(client, image_bytes("PNG", size=(900, 600)), "Stable")
    first = client.get("/cat/pics").get_json()["items"][0]
    second = client.get(f"/cat/pics/{record['id']}").get_json()
    for name in ("thumb_url", "display_url"):
        assert record[name] == first[name] == second[name]
        assert f"/{bucket}/pics/public/" in record[name]
        assert "X-Amz-Signature" not in record[name]  # nothing in it expires
        cache_control = requests.get(record[name], timeout=10).headers["Cache-Control"]
        assert max_age(cache_control) >= ONE_DAY
        assert "immutable" in cache_control and "public" in cache_control
    gallery = [a for tag, a in parse(client.get("/pics").get_data(as_text=True)) if tag == "img"]
    assert gallery[0]["src"] == record["thumb_url"]


def test_only_renditions_are_public_the_original_needs_its_presigned_url(client, bucket, local_s3):
    record = upload_and_register(client, image_bytes("PNG", size=(64, 64)))
    original = f"{local_s3.url}/{bucket}/pics/{record['id']}/original.png"
    assert requests.get(original, timeout=10).status_code == 403
    assert (
        requests.get(f"{local_s3.url}/{bucket}/pics/{record['id']}/record.json", timeout=10).status_code
        == 403
    )
    assert "X-Amz-Signature" in record["url"]
    assert requests.get(record["url"], timeout=10).status_code == 200


def test_deleting_a_picture_removes_its_renditions_and_its_page(client, s3, bucket):
    record = upload_and_register(client, image_bytes("PNG", size=(640, 480)), "Soon gone")
    assert client.get(f"/pics/{record['id']}").status_code == 200
    assert client.delete(f"/cat/pics/{record['id']}", headers=ADMIN).status_code == 200
    for name in ("thumb_url", "display_url"):
        assert requests.get(record[name], timeout=10).status_code in (403, 404)
    assert s3.list_objects_v2(Bucket=bucket, Prefix="pics/").get("KeyCount") == 0
    gone = client.get(f"/pics/{record['id']}", headers={"Accept": "text/html"})
    assert gone.status_code == 404 and gone.mimetype == "text/html"


@pytest.mark.parametrize("picture_id", ["0" * 32, "not-a-picture", "kitty2"])
def test_an_unknown_picture_is_an_html_404(client, picture_id):
    answer = client.get(f"/pics/{picture_id}", headers={"Accept": "text/html"})
    assert answer.status_code == 404
    assert answer.mimetype == "text/html"
    assert_error_page(answer.get_data(as_text=True))


def test_the_picture_page_shows_the_picture_its_caption_date_size_and_links(client):
    record = upload_and_register(client, image_bytes("PNG", size=(2000, 1000)), "Mittens <on> the sofa")
    gallery = parse(client.get("/pics").get_data(as_text=True))
    assert ("a", {"href": f"/pics/{record['id']}"}) in gallery  # the thumbnail links to its page

    html = client.get(f"/pics/{record['id']}").get_data(as_text=True)
    tags = parse(html)
    image = next(a for tag, a in tags if tag == "img")
    assert image["src"] == record["display_url"]
    assert (image["width"], image["height"]) == ("1600", "800")
    assert image["alt"] == "Mittens <on> the sofa"
    page = document(html)
    assert page.find("h1").text() == "Mittens <on> the sofa"  # the caption as text, not markup
    assert page.find_all("on") == []
    assert ("time", {"datetime": record["created_at"]}) in tags
    # One of the picture's facts is the original's size in pixels (not the 1600 × 800 display
    # rendition's), however it is worded.
    facts = [set(re.findall(r"\d+", dd.text())) for dd in page.find("figcaption").find_all("dd")]
    assert any({"2000", "1000"} <= numbers for numbers in facts), facts
    links = {a["href"] for tag, a in tags if tag == "a"}
    assert "/pics" in links
    assert any(href.startswith(record["url"].split("?")[0]) for href in links)  # the original

    meta = {a.get("property") or a.get("name"): a.get("content") for tag, a in tags if tag == "meta"}
    assert meta["og:title"] == "Mittens <on> the sofa"
    assert meta["og:image"] == record["display_url"]
    assert meta["og:url"] == f"{PUBLIC}/pics/{record['id']}"
    assert (meta["og:image:width"], meta["og:image:height"]) == ("1600", "800")
    assert meta["twitter:card"] == "summary_large_image"
    assert meta["twitter:image"] == record["display_url"]


def test_the_kittys_page_shares_an_absolute_image_url(client):
    tags = parse(client.get("/pics/kitty").get_data(as_text=True))
    meta = {a.get("property") or a.get("name"): a.get("content") for tag, a in tags if tag == "meta"}
    assert meta["og:image"] == f"{PUBLIC}/static/kitty.png"


def test_the_picture_page_works_behind_a_stage_prefix(settings):
    """A stage served from its execute-api host: links carry the door's prefix, and the public
    address (the stage URL, prefix included) makes the absolute ones."""
    from catsite.app import create_app

    stage = "https://abc.execute-api.us-east-1.amazonaws.com/dev"
    client = create_app({**settings, "CATSITE_PUBLIC_URL": stage, "TESTING": True}).test_client()
    record = upload_and_register(client, image_bytes("PNG", size=(64, 64)))
    tags = parse(client.get(f"/pics/{record['id']}", base_url=stage).get_data(as_text=True))
    assert "/dev/pics" in {a["href"] for tag, a in tags if tag == "a"}
    meta = {a.get("property"): a.get("content") for tag, a in tags if tag == "meta"}
    assert meta["og:url"] == f"{stage}/pics/{record['id']}"
    gallery = parse(client.get("/pics", base_url=stage).get_data(as_text=True))
    assert ("a", {"href": f"/dev/pics/{record['id']}"}) in gallery

"""The gallery page, without JavaScript."""

from __future__ import annotations

from urllib.parse import urlsplit

from tests.support.html import document, parse
from tests.support.pictures import image_bytes, upload


def test_gallery_lists_pictures_without_javascript(client):
    presigned = upload(client, image_bytes("PNG", size=(960, 540)))
    record = client.post(
        "/cat/pics", json={"location": presigned["location"], "caption": "Sofa <cat>"}
    ).get_json()
    answer = client.get("/pics")
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    images = [attrs for tag, attrs in parse(html) if tag == "img"]
    assert [img["alt"] for img in images] == ["Sofa <cat>", "The tutorial's kitty"]
    first = images[0]
    # The first picture is the page's largest paint: fetched at once; the rest lazily.
    # The same thumbnail the API named (each presigned URL carries the second it was signed in).
    assert urlsplit(first["src"]).path == urlsplit(record["thumb_url"]).path
    assert first["fetchpriority"] == "high" and "loading" not in first
    assert images[1]["loading"] == "lazy"
    assert (first["width"], first["height"]) == ("480", "270")
    page = document(html)
    assert "Sofa <cat>" in {caption.text() for caption in page.find_all("figcaption")}  # as text
    assert page.find_all("cat") == []
    # Without JavaScript, a note in the page's main content says what still works.
    assert any(note.text() for note in page.find("main").find_all("noscript"))


def test_gallery_pages_through_pictures_without_javascript(client):
    for _ in range(2):
        presigned = upload(client, image_bytes("PNG"))
        client.post("/cat/pics", json={"location": presigned["location"]})
    first = parse(client.get("/pics?limit=1").get_data(as_text=True))
    more = next(attrs["href"] for tag, attrs in first if tag == "a" and attrs.get("class") == "more")
    assert more.startswith("/pics?cursor=")
    assert client.get(more + "&limit=1").status_code == 200


def test_gallery_refuses_a_bad_cursor_with_an_html_400(client):
    answer = client.get("/pics?cursor=bogus", headers={"Accept": "text/html"})
    assert answer.status_code == 400
    assert answer.mimetype == "text/html"

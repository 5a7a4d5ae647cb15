"""The image types catsite accepts are one list: the API, its document and the gallery agree."""

from __future__ import annotations

import re
from html.parser import HTMLParser

#: DESIGN ("a real PNG, JPEG, GIF or WebP"), by their IANA media types.
EXPECTED = ["image/png", "image/jpeg", "image/gif", "image/webp"]
NAMES = ["PNG", "JPEG", "GIF", "WebP"]


class Attributes(HTMLParser):
    def __init__(self):
        super().__init__()
        self.by_id: dict[str, dict] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.by_id[attrs["id"]] = attrs


def page_attributes(client) -> dict[str, dict]:
    parser = Attributes()
    parser.feed(client.get("/pics").get_data(as_text=True))
    return parser.by_id


def test_the_gallery_form_and_its_script_receive_the_types_from_the_server(client):
    tags = page_attributes(client)
    assert tags["upload-file"]["accept"].split(",") == EXPECTED
    assert tags["upload"]["data-types"].split(",") == EXPECTED  # read by static/js/pics.js
    # The names people know the types by (W3C PNG, ISO JPEG, GIF89a, RFC 9649 WebP), in the
    # list's order, for the script's messages; how they are joined is the page's wording.
    names = tags["upload"]["data-type-names"]
    assert re.findall(r"PNG|JPEG|GIF|WebP", names) == NAMES


def test_the_openapi_document_lists_the_same_types(client):
    document = client.get("/openapi.json").get_json()
    schema = document["components"]["schemas"]["UploadRequest"]["properties"]["content_type"]
    assert schema["enum"] == EXPECTED


def test_the_api_accepts_each_type_and_refuses_others(client):
    for content_type in EXPECTED:
        answer = client.post("/uploads", json={"filename": "cat", "content_type": content_type, "bytes": 10})
        assert answer.status_code == 201, content_type  # a presigned POST was made
    refused = client.post("/uploads", json={"filename": "cat", "content_type": "image/svg+xml", "bytes": 10})
    assert refused.status_code == 400 and "content_type" in refused.get_json()["errors"]


def test_the_page_script_has_no_copy_of_the_list():
    from tests.support import ROOT

    script = (ROOT / "static" / "js" / "pics.js").read_text()
    assert not [kind for kind in EXPECTED if kind in script]

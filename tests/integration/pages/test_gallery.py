"""The gallery page, the bucket's set-up, and scripts/upload."""

from __future__ import annotations

import json
import subprocess
import urllib.request
from urllib.parse import urlsplit

from catsite_tools.deploy.bucket_setup import LIFECYCLE_RULES
from tests.support import ROOT
from tests.support.buckets import new_bucket
from tests.support.html import parse
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
    assert "Sofa &lt;cat&gt;" in html
    assert "Uploading needs JavaScript" in html  # the noscript note


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


def test_the_bucket_is_private_cors_limited_and_cleans_up_uploads(local_s3, s3):
    bucket = new_bucket(local_s3, origins=("https://cats.example.com",))
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert block["BlockPublicAcls"] and block["IgnorePublicAcls"]
    policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    # local buckets only: browsers read what a stage's distribution would read for them
    public = sorted(r for s in policy["Statement"] if s["Effect"] == "Allow" for r in s["Resource"])
    assert public == [f"arn:aws:s3:::{bucket}/pics/public/*", f"arn:aws:s3:::{bucket}/static/*"]
    rules = s3.get_bucket_cors(Bucket=bucket)["CORSRules"]
    assert [r["AllowedOrigins"] for r in rules] == [["https://cats.example.com"]]
    assert "PUT" not in rules[0]["AllowedMethods"] and "POST" in rules[0]["AllowedMethods"]
    lifecycle = {
        r["Filter"]["Prefix"]: r for r in s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    }
    assert lifecycle["uploads/"]["Expiration"]["Days"] == 1
    assert lifecycle["uploads/"]["Status"] == "Enabled"
    assert set(lifecycle) == {prefix for _, prefix, _ in LIFECYCLE_RULES}
    assert "pics/" not in lifecycle and "state/" not in lifecycle


def test_scripts_upload_sends_a_file_and_prints_the_record(live_server, tmp_path):
    picture = tmp_path / "Garfield On Monday.jpg"
    picture.write_bytes(image_bytes("JPEG", size=(800, 600)))
    done = subprocess.run(
        [
            str(ROOT / "scripts" / "upload"),
            str(picture),
            "--caption",
            "from a terminal",
            "--site",
            live_server,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    assert record["caption"] == "from a terminal"
    assert (record["width"], record["height"], record["content_type"]) == (800, 600, "image/jpeg")
    assert "to S3" in done.stderr  # the progress bar
    with urllib.request.urlopen(f"{live_server}/cat/pics", timeout=10) as answer:
        assert json.load(answer)["items"][0]["id"] == record["id"]


def test_scripts_upload_explains_a_refusal(live_server, tmp_path):
    fake = tmp_path / "cat.png"
    fake.write_text("not a picture at all")
    done = subprocess.run(
        [str(ROOT / "scripts" / "upload"), str(fake), "--site", live_server, "--quiet"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert "not a PNG, JPEG, GIF or WebP" in done.stderr

"""Static assets: content-hashed names, publishing to the local S3, and the URLs pages use."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request

import pytest
from werkzeug.test import run_wsgi_app
from zappa.wsgi import create_wsgi_request

from catsite.app import create_app
from catsite.s3.bucket import Bucket, open_bucket
from catsite.settings import Settings
from catsite.stores.says import Says
from catsite.web.static import StaticAssetError, build_assets
from catsite_tools.deploy.bucket_setup import allow_public_static_reads
from catsite_tools.deploy.publish_static import publish, stage_overrides
from catsite_tools.local.events import rest_event
from tests.support import ROOT

STATIC = ROOT / "static"
FAKE_PNG = b"\x89PNG fake"
IMMUTABLE = "public, max-age=31536000, immutable"


def sha(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:12]


@pytest.fixture
def store(settings) -> Bucket:
    """The test's bucket, through the adapter publishing uses."""
    return open_bucket(Settings.load(settings))


@pytest.fixture
def linked_static(tmp_path):
    """A static folder whose CSS and JS refer to other assets by relative URL."""
    (tmp_path / "css").mkdir()
    (tmp_path / "js").mkdir()
    (tmp_path / "img.png").write_bytes(FAKE_PNG)
    (tmp_path / "css" / "base.css").write_text("p { color: red }\n")
    (tmp_path / "css" / "site.css").write_text(
        '@import "./base.css";\nbody { background: url("../img.png?v=2#x") }\n'
        "a { background: url(data:image/gif;base64,R0lGOD) } b { background: url(https://x.example/y.png) }\n"
    )
    (tmp_path / "js" / "lib.js").write_text("export const n = 1;\n")
    (tmp_path / "js" / "app.js").write_text(
        'import { n } from "./lib.js";\nconst img = new URL("../img.png", import.meta.url);\n'
        'import("./lib.js");\nimport x from "https://cdn.example/x.js";\n'
    )
    return tmp_path


def test_hashed_names_carry_a_hash_of_the_content(linked_static):
    assets = build_assets(linked_static)
    png = assets["img.png"]
    assert png.hashed_name == f"img.{sha(FAKE_PNG)}.png"
    assert png.content_type == "image/png"
    assert assets["css/site.css"].content_type == "text/css; charset=utf-8"
    assert assets["js/app.js"].content_type == "text/javascript; charset=utf-8"


def test_css_and_js_references_point_at_hashed_names(linked_static):
    assets = build_assets(linked_static)
    img, base, lib = (assets[n].hashed_name for n in ("img.png", "css/base.css", "js/lib.js"))
    css = assets["css/site.css"].body.decode()
    assert f'@import "./{base.split("/")[1]}";' in css
    assert f'url("../{img}?v=2#x")' in css
    assert "url(data:image/gif;base64,R0lGOD)" in css and "url(https://x.example/y.png)" in css
    js = assets["js/app.js"].body.decode()
    assert f'from "./{lib.split("/")[1]}"' in js
    assert f'new URL("../{img}", import.meta.url)' in js
    assert f'import("./{lib.split("/")[1]}")' in js
    assert 'from "https://cdn.example/x.js"' in js
    # A file's hash covers what it refers to: changing the image renames the CSS too.
    assert assets["css/site.css"].hashed_name == f"css/site.{sha(assets['css/site.css'].body)}.css"
    (linked_static / "img.png").write_bytes(b"\x89PNG other")
    assert build_assets(linked_static)["css/site.css"].hashed_name != assets["css/site.css"].hashed_name


def test_a_reference_cycle_is_refused(tmp_path):
    (tmp_path / "a.js").write_text('import "./b.js";')
    (tmp_path / "b.js").write_text('import "./a.js";')
    with pytest.raises(StaticAssetError) as refused:
        build_assets(tmp_path)
    assert "a.js" in str(refused.value) and "b.js" in str(refused.value)  # it names the files


def test_publishing_uploads_every_file_with_its_type_and_cache_header(store, s3, bucket):
    report = publish(store, STATIC, log=lambda _: None)
    assets = build_assets(STATIC)
    assert sorted(report.uploaded) == sorted(a.hashed_name for a in assets.values())
    for asset in assets.values():
        head = s3.head_object(Bucket=bucket, Key=f"static/{asset.hashed_name}")
        assert head["ContentType"] == asset.content_type
        assert head["CacheControl"] == IMMUTABLE
        body = s3.get_object(Bucket=bucket, Key=f"static/{asset.hashed_name}")["Body"].read()
        assert body == asset.body
    manifest = json.loads(s3.get_object(Bucket=bucket, Key="static/manifest.json")["Body"].read())
    assert manifest == {name: asset.hashed_name for name, asset in assets.items()}
    assert manifest["css/site.css"] == f"css/site.{sha((STATIC / 'css/site.css').read_bytes())}.css"


def test_publishing_twice_uploads_nothing_the_second_time(store, bucket_state):
    publish(store, STATIC, log=lambda _: None)
    before = bucket_state()
    report = publish(store, STATIC, log=lambda _: None)
    assert report.uploaded == []
    assert report.manifest_written is False
    assert len(report.skipped) == len(build_assets(STATIC))
    assert bucket_state() == before


def test_a_changed_file_is_published_under_a_new_name_beside_the_old(store, linked_static, bucket_state):
    publish(store, linked_static, log=lambda _: None)
    old = set(bucket_state())
    (linked_static / "css" / "base.css").write_text("p { color: blue }\n")
    report = publish(store, linked_static, log=lambda _: None)
    # base.css changed, and site.css, which imports it, gets a new name too.
    assert sorted(name.split(".")[0] for name in report.uploaded) == ["css/base", "css/site"]
    assert report.manifest_written is True
    assert old - {"static/manifest.json"} <= set(bucket_state())  # pages still cached keep working


def test_browsers_may_read_published_assets_and_nothing_else(store, s3, bucket, local_s3):
    allow_public_static_reads(store)
    publish(store, STATIC, log=lambda _: None)
    Says(store).set("private")
    css = build_assets(STATIC)["css/site.css"].hashed_name
    with urllib.request.urlopen(f"{local_s3.url}/{bucket}/static/{css}") as answer:  # unsigned
        assert answer.status == 200
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{local_s3.url}/{bucket}/state/cat.json")
    assert refused.value.code == 403
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert block["BlockPublicAcls"] and block["IgnorePublicAcls"]
    policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    assert [s["Resource"] for s in policy["Statement"]] == [
        f"arn:aws:s3:::{bucket}/static/*",
        f"arn:aws:s3:::{bucket}/pics/public/*",  # picture renditions (content-named, immutable)
    ]


def test_the_publish_script_uses_the_environments_bucket_and_is_idempotent(settings, proxy):
    """Seen at the wire (the recording proxy): the first run PUTs every asset into the environment's
    bucket, the second PUTs nothing."""
    env = {**os.environ, **settings, "AWS_ENDPOINT_URL_S3": proxy.url}
    run = [sys.executable, "-m", "catsite_tools.deploy.publish_static"]
    prefix = f"/{settings['CATSITE_BUCKET']}/static/"

    def published() -> set[str]:
        return {c.path[len(prefix) :] for c in proxy.calls if c.method == "PUT" and c.path.startswith(prefix)}

    proxy.reset_calls()
    subprocess.run(run, env=env, capture_output=True, text=True, check=True)
    assert {asset.hashed_name for asset in build_assets(STATIC).values()} <= published()
    proxy.reset_calls()
    subprocess.run(run, env=env, capture_output=True, text=True, check=True)
    assert [c for c in proxy.calls if c.method == "PUT"] == []


def test_the_publish_script_refuses_an_unknown_stage():
    answer = subprocess.run(
        [str(ROOT / "scripts" / "publish-static"), "--stage", "nope"], capture_output=True, text=True
    )
    assert answer.returncode != 0
    assert "nope" in answer.stderr  # it names the stage it does not know


def test_a_stage_names_its_bucket_and_region_from_zappa_settings():
    settings = json.loads((ROOT / "zappa_settings.json").read_text())
    prod = stage_overrides("prod", ROOT / "zappa_settings.json")
    assert prod["CATSITE_BUCKET"] == settings["prod"]["aws_environment_variables"]["CATSITE_BUCKET"]
    assert prod["AWS_REGION"] == settings["dev"]["aws_region"]  # inherited through `extends`


# -- the URLs pages use -------------------------------------------------------------------------


def static_urls(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="([^"]*(?:\.css|\.js|\.png))"', html)


def test_without_a_static_url_flask_serves_static_with_validators(client):
    urls = static_urls(client.get("/").get_data(as_text=True))
    assert "/static/css/site.css" in urls and "/static/js/home.js" in urls
    answer = client.get("/static/css/site.css")
    assert answer.status_code == 200
    assert answer.headers["ETag"] and answer.headers["Last-Modified"]
    again = client.get("/static/css/site.css", headers={"If-None-Match": answer.headers["ETag"]})
    assert again.status_code == 304


def test_with_a_static_url_pages_point_at_the_hashed_objects(settings):
    base = "https://cdn.example/static"
    app = create_app({**settings, "CATSITE_STATIC_URL": base + "/"})
    client = app.test_client()
    names = {name: asset.hashed_name for name, asset in build_assets(STATIC).items()}
    urls = static_urls(client.get("/").get_data(as_text=True))
    for name in ("css/site.css", "js/home.js", "kitty.png", "favicon.png"):
        assert f"{base}/{names[name]}" in urls
    assert not [url for url in urls if url.startswith("/")]
    assert client.get("/cat/pics").get_json()["items"][0]["url"] == f"{base}/{names['kitty.png']}"
    assert client.get("/static/css/site.css").status_code == 404  # no static byte through Lambda


def test_with_a_static_url_an_unknown_file_fails_loudly(settings):
    app = create_app({**settings, "CATSITE_STATIC_URL": "https://cdn.example/static"})
    from flask import url_for

    with app.test_request_context(), pytest.raises(StaticAssetError, match="nope.css"):
        url_for("static", filename="nope.css")  # the error names the file


@pytest.mark.parametrize("static_url", ["", "https://cdn.example/static"])
def test_behind_a_rest_stage_prefix(settings, static_url):
    app = create_app({**settings, "CATSITE_STATIC_URL": static_url})
    event = rest_event("GET", "/", stage="dev", headers={"Accept": "text/html"})
    environ = create_wsgi_request(event, script_name="/dev")
    body, status, _ = run_wsgi_app(app.wsgi_app, environ)
    html = b"".join(body).decode()
    assert status.startswith("200")
    css = next(url for url in static_urls(html) if url.endswith(".css"))
    if static_url:
        assert css == f"{static_url}/{build_assets(STATIC)['css/site.css'].hashed_name}"
    else:
        assert css == "/dev/static/css/site.css"

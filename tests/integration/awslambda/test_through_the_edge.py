"""catsite behind its CloudFront distribution: the REST API's events as API Gateway hands them to the
function when CloudFront is the caller, through the lean path Lambda calls (`LeanHttpHandler`),
with the app configured as scripts/deploy configures a stage behind its distribution.

The distribution reaches the REST API at its origin path `/<stage>` with the API's own Host
(CloudFront developer guide, "Use various origins": API Gateway) and adds the secret origin header
and the CloudFront headers its origin request policy names ("Add custom headers to origin
requests", "Add CloudFront request headers"). So the event is the REST door's (API Gateway
developer guide, "Lambda proxy integrations", input format) with those headers in it. A request
carrying the secret is the public site's: no link, form, API address or Location carries the
stage prefix or the origin's host; one without it is the REST door's own, as before.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from catsite.app import create_app
from catsite.awslambda.lean import LeanHttpHandler
from catsite_tools.local.events import REST_HOST, LambdaContext, rest_event
from tests.support.answer import Answer
from tests.support.html import parse
from tests.support.pictures import image_bytes, upload_and_register

SECRET = "only-the-distribution-and-the-function-know-this"
PUBLIC = "https://d111111abcdef8.cloudfront.net"
THROUGH_THE_EDGE = {
    "X-Catsite-Edge": SECRET,
    "CloudFront-Viewer-Address": "198.51.100.10:46532",
    "CloudFront-Forwarded-Proto": "https",
    "Via": "1.1 2e1a5d7e0bdc0a6e4.cloudfront.net (CloudFront)",
    "X-Amz-Cf-Id": "nGq3x3bbw9nT0e0M6gq0Sx0a0Vnq1rY1Qk6Fq0m2f5Ew5YdG3b4wJg==",
}
FORGED = {**THROUGH_THE_EDGE, "X-Catsite-Edge": "a-guess-at-the-secret-0123456789"}
LINKING = (
    "href",
    "src",
    "action",
    "content",
    "data-api",
    "data-uploads",
    "data-register",
    "data-archive",
    "data-picture-page",
)


@pytest.fixture
def app(settings):
    """The stage's app as scripts/deploy configures it behind its distribution."""
    return create_app(
        {
            **settings,
            "CATSITE_PUBLIC_URL": PUBLIC,
            "CATSITE_STATIC_URL": f"{PUBLIC}/static",
            "CATSITE_RENDITIONS_URL": PUBLIC,
            "CATSITE_EDGE_SECRET": SECRET,
            "TESTING": True,
        }
    )


@pytest.fixture
def invoke(app):
    """The lean path Lambda calls, over the app (stage `dev`, binary support on, as deployed)."""
    handler = LeanHttpHandler(SimpleNamespace(API_STAGE="dev", BINARY_SUPPORT=True), wsgi_app=app)

    def call(method, path, headers, **kwargs) -> Answer:
        event = rest_event(method, path, stage="dev", headers={"Accept": "text/html", **headers}, **kwargs)
        return Answer(handler(event, LambdaContext()))

    return call


def urls_of(html: str) -> list[str]:
    found = []
    for _tag, attributes in parse(html):
        found += [attributes[name] for name in LINKING if attributes.get(name)]
        found += [part.split()[0] for part in attributes.get("srcset", "").split(",") if part.strip()]
    return found


@pytest.mark.parametrize("path", ["/", "/pics", "/pics/kitty", "/pics/{id}", "/docs"])
def test_through_the_edge_no_url_on_a_page_names_the_stage_or_the_origin(app, invoke, path):
    record = upload_and_register(app.test_client(), image_bytes("PNG", size=(40, 30)))
    answer = invoke("GET", path.format(id=record["id"]), THROUGH_THE_EDGE)
    assert answer.status == 200
    urls = urls_of(answer.body.decode())
    assert len(urls) >= 5
    assert [u for u in urls if u.startswith("/dev/") or u == "/dev" or REST_HOST in u] == []
    relative = [u for u in urls if u.startswith("/")]
    assert relative and all(not u.startswith("//") for u in relative)
    # assets, renditions, canonical and Open Graph URLs: the site's own host; the original alone is
    # the bucket's, by a short-lived presigned URL (it is private: no distribution serves it)
    absolute = [u for u in urls if "://" in u and "X-Amz-Signature=" not in u]
    assert absolute and [u for u in absolute if not u.startswith(f"{PUBLIC}/")] == []


def test_the_picture_page_shows_its_rendition_from_the_site_itself(app, invoke):
    record = upload_and_register(app.test_client(), image_bytes("PNG", size=(40, 30)))
    assert record["thumb_url"].startswith(f"{PUBLIC}/pics/public/{record['id']}/")
    assert record["display_url"].startswith(f"{PUBLIC}/pics/public/{record['id']}/")
    page = invoke("GET", f"/pics/{record['id']}", THROUGH_THE_EDGE).body.decode()
    meta = {
        a.get("property"): a.get("content") for tag, a in parse(page) if tag == "meta" and a.get("property")
    }
    assert meta["og:image"] == record["display_url"]
    assert meta["og:url"] == f"{PUBLIC}/pics/{record['id']}"


def test_without_the_secret_the_request_is_the_rest_doors_own(invoke):
    answer = invoke("GET", "/pics", FORGED)
    assert answer.status == 200
    relative = [u for u in urls_of(answer.body.decode()) if u.startswith("/")]
    assert relative and all(u.startswith("/dev/") or u == "/dev" for u in relative)


def test_the_no_javascript_form_redirects_back_to_the_public_home_page(invoke):
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    answer = invoke("POST", "/", {**THROUGH_THE_EDGE, **form}, body="says=through+the+edge")
    assert answer.status == 303
    assert answer.header("location") == "/"  # relative, resolved against the public address
    direct = invoke("POST", "/", {**FORGED, **form}, body="says=direct")
    assert direct.status == 303 and direct.header("location") == "/dev/"


def test_a_job_handed_out_through_the_edge_is_watched_at_the_public_address(invoke):
    answer = invoke("POST", "/cat/pics/archive", {**THROUGH_THE_EDGE, "Prefer": "respond-async"})
    assert answer.status == 202
    status_url = answer.json()["status_url"]
    assert status_url.startswith("/jobs/") and answer.header("location") == status_url


def test_the_openapi_document_serves_the_public_address(invoke):
    for headers in (THROUGH_THE_EDGE, FORGED):
        document = json.loads(invoke("GET", "/openapi.json", headers).body)
        assert document["servers"] == [{"url": PUBLIC}]


def test_the_request_log_names_the_cloudfront_door_only_for_the_edges_requests(invoke, capsys):
    invoke("GET", "/healthz", THROUGH_THE_EDGE)
    invoke("GET", "/healthz", FORGED)
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    assert [line["door"] for line in lines if line.get("path") == "/healthz"] == ["cdn", "rest"]
    assert SECRET not in json.dumps(lines)


def test_through_the_edge_answers_are_https_ones(invoke):
    answer = invoke("GET", "/healthz", THROUGH_THE_EDGE)
    assert answer.header("strict-transport-security").startswith("max-age=")

"""A request is seen as its viewer sent it only when it proves it came through the stage's own
distribution (`catsite.web.edge.EdgeRequests`, one WSGI layer, called here with a WSGI app that
keeps the environ it was given).

The oracle: CloudFront developer guide, "Add custom headers to origin requests" (the secret the
distribution adds), "Add CloudFront request headers" (`CloudFront-Viewer-Address` is the viewer's
IP address and source port, `CloudFront-Forwarded-Proto` the protocol of its request), and the
CloudFront row of the doors' table (origin response timeout 30 s by default).
"""

from __future__ import annotations

import pytest

from catsite.doors.table import (
    ALB,
    CLOUDFRONT,
    CLOUDFRONT_ORIGIN_TIMEOUT,
    ENVIRON_KEY,
    HTTP,
    REST,
    FrontDoor,
    behind_cloudfront,
)
from catsite.settings import Settings, SettingsError
from catsite.web.edge import EdgeRequests, viewer_ip

SECRET = "s3cr3t-only-the-distribution-knows-0123456789"
PUBLIC = "https://d111111abcdef8.cloudfront.net"


def a_rest_environ(**headers) -> dict:
    """What the lean path makes of a REST event on the execute-api host, stage `dev`."""
    environ = {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "/dev",
        "PATH_INFO": "/pics",
        "QUERY_STRING": "",
        "SERVER_NAME": "abc123.execute-api.us-east-1.amazonaws.com",
        "SERVER_PORT": "443",
        "HTTP_HOST": "abc123.execute-api.us-east-1.amazonaws.com",
        "wsgi.url_scheme": "https",
        "HTTPS": "on",
        "REMOTE_ADDR": "130.176.1.2",  # the edge server that called API Gateway
        ENVIRON_KEY: REST,
    }
    environ.update({"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()})
    return environ


def seen(environ: dict, secret: str = SECRET, public: str = PUBLIC) -> dict:
    kept = {}

    def app(env, start_response):
        kept.update(env)
        return [b""]

    settings = Settings.load(
        {"CATSITE_BUCKET": "cats", "CATSITE_EDGE_SECRET": secret, "CATSITE_PUBLIC_URL": public}, environ={}
    )
    EdgeRequests(app, settings)(environ, lambda *a: None)
    return kept


VIEWER = {"CloudFront-Viewer-Address": "198.51.100.10:46532", "CloudFront-Forwarded-Proto": "https"}


def test_a_request_with_the_secret_is_seen_at_the_public_address_from_its_viewer():
    env = seen(a_rest_environ(**{"X-Catsite-Edge": SECRET}, **VIEWER))
    assert env["REMOTE_ADDR"] == "198.51.100.10"
    assert env["wsgi.url_scheme"] == "https"
    assert env["SCRIPT_NAME"] == ""  # not the REST stage's /dev
    assert env["PATH_INFO"] == "/pics"
    assert env["HTTP_HOST"] == "d111111abcdef8.cloudfront.net"
    door = env[ENVIRON_KEY]
    assert door.name is FrontDoor.CDN
    assert door.time_limit == 29.0  # the REST API's 29 s binds before CloudFront's 30 s
    assert door.carries == REST.carries


@pytest.mark.parametrize(
    "secret_sent",
    [None, "", "wrong-but-long-enough-0123456789", SECRET[:-1], SECRET + "x", SECRET.upper()],
)
def test_without_the_secret_nothing_a_header_says_is_believed(secret_sent):
    headers = {**VIEWER, "Via": "1.1 abc.cloudfront.net (CloudFront)", "X-Amz-Cf-Id": "x=="}
    if secret_sent is not None:
        headers["X-Catsite-Edge"] = secret_sent
    env = seen(a_rest_environ(**headers))
    assert env["REMOTE_ADDR"] == "130.176.1.2"
    assert env["SCRIPT_NAME"] == "/dev"
    assert env["HTTP_HOST"] == "abc123.execute-api.us-east-1.amazonaws.com"
    assert env[ENVIRON_KEY] is REST


def test_a_stage_without_a_secret_believes_no_request():
    env = seen(a_rest_environ(**{"X-Catsite-Edge": ""}, **VIEWER), secret="")
    assert env[ENVIRON_KEY] is REST and env["REMOTE_ADDR"] == "130.176.1.2"


@pytest.mark.parametrize("sent", [SECRET, "anything"])
def test_the_secret_never_reaches_the_app(sent):
    assert "HTTP_X_CATSITE_EDGE" not in seen(a_rest_environ(**{"X-Catsite-Edge": sent}))


def test_a_viewer_on_http_is_seen_on_http_without_https_on():
    env = seen(a_rest_environ(**{"X-Catsite-Edge": SECRET, "CloudFront-Forwarded-Proto": "http"}))
    assert env["wsgi.url_scheme"] == "http" and "HTTPS" not in env


@pytest.mark.parametrize(
    ("value", "ip"),
    [
        ("198.51.100.10:46532", "198.51.100.10"),
        ("2001:0db8:85a3:0000:0000:8a2e:0370:7334:46532", "2001:db8:85a3::8a2e:370:7334"),
        ("2001:db8::1:443", "2001:db8::1"),
        ("198.51.100.10", None),  # no port: not the header's shape
        ("evil.example:80", None),
        ("", None),
        ("198.51.100.10:", None),
    ],
)
def test_the_viewer_address_is_an_ip_and_a_port(value, ip):
    assert viewer_ip(value) == ip


def test_a_malformed_viewer_address_leaves_the_doors_client():
    env = seen(a_rest_environ(**{"X-Catsite-Edge": SECRET, "CloudFront-Viewer-Address": "not an address"}))
    assert env["REMOTE_ADDR"] == "130.176.1.2"
    assert env[ENVIRON_KEY].name is FrontDoor.CDN  # still proven: the secret says so


def test_behind_cloudfront_each_limit_is_the_smaller_of_the_two():
    assert CLOUDFRONT.time_limit == CLOUDFRONT_ORIGIN_TIMEOUT == 30.0
    assert behind_cloudfront(HTTP).time_limit == 30.0
    assert behind_cloudfront(ALB).time_limit == 30.0  # the ALB waits 900 s, CloudFront does not
    assert behind_cloudfront(ALB).carries == ALB.carries
    assert behind_cloudfront(ALB, timeout=180.0).time_limit == 180.0  # a raised quota


@pytest.mark.parametrize("secret", ["short", "x" * 21])
def test_a_secret_anyone_could_guess_stops_the_app_at_start_up(secret):
    with pytest.raises(SettingsError):
        Settings.load({"CATSITE_BUCKET": "cats", "CATSITE_EDGE_SECRET": secret}, environ={})


def test_long_work_through_the_edge_has_cloudfronts_time_not_the_load_balancers():
    # The ALB waits as long as the function runs (900 s); CloudFront in front of it 30 s, so
    # synchronous long work must hand over to a job by then (catsite.api.jobs.request_deadline).
    from catsite.api.jobs import request_deadline
    from catsite.app import create_app
    from catsite_tools.local.events import LambdaContext

    app = create_app({"CATSITE_BUCKET": "cats"})
    environ = {"lambda.context": LambdaContext(remaining_ms=900_000), ENVIRON_KEY: behind_cloudfront(ALB)}
    with app.test_request_context("/cat/pics/archive", method="POST", environ_base=environ):
        assert 29.0 < request_deadline().remaining() <= 30.0
    environ[ENVIRON_KEY] = ALB
    with app.test_request_context("/cat/pics/archive", method="POST", environ_base=environ):
        assert request_deadline().remaining() > 800

"""What Flask receives behind each front door, and what the door reads back, per AWS's documents.

Events come from the builders in catsite_tools.local.events (each written from the AWS page named
beside it) and go through the Lambda entry point; a test-only echo route (conftest) answers what
the app saw. Expected values come from the documents, not from the code:

- ELB guide, "Lambda functions as targets": query values arrive as the client encoded them and
  must be decoded by the function; single-value mode keeps the last value of a repeated key or
  header; the load balancer appends the client's address to X-Forwarded-For and sets
  X-Forwarded-Proto to its listener's protocol; answers carry `statusDescription`.
- API Gateway, "Lambda proxy integrations": query values decoded, repeated keys in
  `multiValueQueryStringParameters`; the client is `requestContext.identity.sourceIp`.
- "Lambda proxy integrations for HTTP APIs" and "Invoking Lambda function URLs": `rawQueryString`
  as sent, `cookies`, repeated headers joined with commas, `requestContext.http.sourceIp`;
  each entry of the answer's `cookies` becomes one Set-Cookie.
- RFC 6797 7.2: no Strict-Transport-Security over plain http.
"""

from __future__ import annotations

import base64

import pytest

from catsite_tools.local.events import (
    ALB_HOST,
    CLIENT_IP,
    CUSTOM_DOMAIN,
    FUNCTION_URL_HOST,
    REST_HOST,
    alb_event,
    function_url_event,
    http_event,
    rest_event,
)

# door -> (builder, host Flask sees, SCRIPT_NAME)
DOORS = {
    "rest-execute-api": (lambda m, p, **kw: rest_event(m, p, stage="dev", **kw), REST_HOST, "/dev"),
    "rest-custom-domain": (lambda m, p, **kw: rest_event(m, p, host=CUSTOM_DOMAIN, **kw), CUSTOM_DOMAIN, ""),
    "rest-custom-domain-base-path": (
        lambda m, p, **kw: rest_event(m, p, host=CUSTOM_DOMAIN, base_path="api", **kw),
        CUSTOM_DOMAIN,
        "/api",
    ),
    "http-default-stage": (lambda m, p, **kw: http_event(m, p, stage="$default", **kw), REST_HOST, ""),
    "http-named-stage": (lambda m, p, **kw: http_event(m, p, stage="dev", **kw), REST_HOST, "/dev"),
    "function-url": (function_url_event, FUNCTION_URL_HOST, ""),
    "alb": (lambda m, p, **kw: alb_event(m, p, **kw), ALB_HOST, ""),
    "alb-multi-value": (lambda m, p, **kw: alb_event(m, p, multi_value=True, **kw), ALB_HOST, ""),
}
SINGLE_VALUE_ALB = {"alb"}


@pytest.fixture(params=list(DOORS))
def door(request):
    return request.param, *DOORS[request.param]


def echoed(call, event) -> dict:
    answer = call(event)
    assert answer.status == 200, answer.body
    return answer.json()


def test_path_prefix_host_scheme_and_client_address(call, door):
    name, build, host, prefix = door
    # The client forges X-Forwarded-For; the door's own record of the client is what counts.
    seen = echoed(call, build("GET", "/echo/caf%C3%A9%20au%20lait", headers={"X-Forwarded-For": "6.6.6.6"}))
    assert seen["path"] == "/echo/café au lait"
    assert seen["script_root"] == prefix
    assert seen["host"] == host
    assert seen["scheme"] == "https"
    assert seen["remote_addr"] == CLIENT_IP
    assert seen["external"] == f"https://{host}{prefix}/echo"


QUERIES = [
    # (what the client sent, what Flask's request.args must hold)
    ("q=a%20b", {"q": ["a b"]}),
    ("q=a+b", {"q": ["a b"]}),
    ("limit=%31", {"limit": ["1"]}),
    ("says=%26amp%3B%3D", {"says": ["&amp;="]}),
    ("q=caf%C3%A9", {"q": ["café"]}),
    ("q=100%25", {"q": ["100%"]}),
    ("empty=", {"empty": [""]}),
]


@pytest.mark.parametrize(("sent", "expected"), QUERIES, ids=[q for q, _ in QUERIES])
def test_query_values_are_decoded_exactly_once(call, door, sent, expected):
    _, build, _, _ = door
    assert echoed(call, build("GET", f"/echo?{sent}"))["args"] == expected


def test_repeated_query_keys_arrive_as_lists(call, door):
    name, build, _, _ = door
    args = echoed(call, build("GET", "/echo?x=1&x=2&y=3"))["args"]
    # Single-value ALB target groups pass the last value of a repeated key only (ELB guide).
    assert args == ({"x": ["2"], "y": ["3"]} if name in SINGLE_VALUE_ALB else {"x": ["1", "2"], "y": ["3"]})


@pytest.mark.parametrize("multi", [False, True], ids=["single-value", "multi-value"])
def test_a_null_multi_value_query_map_loses_no_alb_parameters(call, multi):
    # ELB guide, "Lambda functions as targets": the map the target group does not use carries
    # nothing; a null one in its place must not hide `queryStringParameters` or fail the event.
    event = alb_event("GET", "/echo?q=a%20b&x=1&x=2", multi_value=multi)
    if multi:
        event["queryStringParameters"] = {
            k: v[-1] for k, v in event["multiValueQueryStringParameters"].items()
        }
    event["multiValueQueryStringParameters"] = None
    # Single-value mode passes the last value of a repeated key (the same page).
    assert echoed(call, event)["args"] == {"q": ["a b"], "x": ["2"]}


def test_null_rest_query_maps_carry_nothing(call):
    # API Gateway, "Lambda proxy integrations", input format: either map may be null.
    event = rest_event("GET", "/echo?q=a%20b&x=1&x=2")
    event["multiValueQueryStringParameters"] = None
    assert echoed(call, event)["args"] == {"q": ["a b"], "x": ["2"]}
    event["queryStringParameters"] = None
    assert echoed(call, event)["args"] == {}


def test_payload_2_passes_the_raw_query_string_verbatim(call):
    event = http_event("GET", "/echo?b=2&a=1&a=%2C")
    event["queryStringParameters"] = {"a": "1,,", "b": "2"}  # joined with commas: ambiguous
    assert echoed(call, event)["args"] == {"b": ["2"], "a": ["1", ","]}


def test_cookies_and_repeated_and_lower_case_headers_arrive(call, door):
    name, build, _, _ = door
    headers = [("Cookie", "a=1; b=2"), ("x-lower-case", "h2"), ("X-Twice", "one"), ("X-Twice", "two")]
    seen = echoed(call, build("GET", "/echo", headers=headers))
    assert seen["cookies"] == {"a": "1", "b": "2"}
    assert seen["headers"]["x-lower-case"] == "h2"
    twice = seen["headers"]["x-twice"].replace(" ", "")
    assert twice == ("two" if name in SINGLE_VALUE_ALB else "one,two")


@pytest.mark.parametrize("encoded", [False, True], ids=["plain", "base64"])
def test_request_bodies_arrive_byte_for_byte(call, door, encoded):
    _, build, _, _ = door
    data = bytes(range(256)) if encoded else "purr é 🐾".encode()
    body = data if encoded else data.decode()
    kind = "application/octet-stream" if encoded else "text/plain; charset=utf-8"
    seen = echoed(
        call, build("POST", "/echo", body=body, base64_body=encoded, headers={"Content-Type": kind})
    )
    assert base64.b64decode(seen["body"]) == data
    assert seen["content_type"] == kind


def test_every_cookie_the_app_sets_reaches_the_client(call, door):
    name, build, _, _ = door
    answer = call(build("GET", "/cat/cookie-jar"))
    cookies = sorted(c.split(";")[0] for c in answer.headers["set-cookie"])
    if name in SINGLE_VALUE_ALB:
        # A single-value `headers` map can carry one Set-Cookie: the first is kept.
        assert cookies == ["first=1"]
    else:
        assert cookies == ["first=1", "second=2"]
    if name.startswith(("http", "function")):
        assert len(answer.raw["cookies"]) == 2 and "set-cookie" not in {
            k.lower() for k in answer.raw["headers"]
        }


def test_head_answers_headers_without_a_body(call, door):
    _, build, _, _ = door
    get, head = call(build("GET", "/cat")), call(build("HEAD", "/cat"))
    assert head.status == 200 and head.body == b""
    assert head.header("content-type") == get.header("content-type")


def test_options_lists_the_methods(call, door):
    _, build, _, _ = door
    answer = call(build("OPTIONS", "/cat"))
    assert answer.status == 200
    assert {"GET", "POST"} <= {m.strip() for m in answer.header("allow").split(",")}


def test_an_event_without_a_host_header_builds_urls_from_the_domain_name(call):
    for event, host, prefix in (
        (rest_event("GET", "/echo", stage="dev"), REST_HOST, "/dev"),
        (rest_event("GET", "/echo", host=CUSTOM_DOMAIN), CUSTOM_DOMAIN, ""),
        (http_event("GET", "/echo"), REST_HOST, ""),
        (function_url_event("GET", "/echo"), FUNCTION_URL_HOST, ""),
    ):
        for key in ("headers", "multiValueHeaders"):
            for name in [n for n in event.get(key) or {} if n.lower() == "host"]:
                del event[key][name]
        assert echoed(call, event)["external"] == f"https://{host}{prefix}/echo"


def test_behind_an_alb_http_listener_urls_are_http_and_no_hsts_is_sent(call):
    for multi in (False, True):
        answer = call(alb_event("GET", "/echo", scheme="http", multi_value=multi))
        seen = answer.json()
        assert seen["scheme"] == "http"
        assert seen["external"] == f"http://{ALB_HOST}/echo"
        assert "strict-transport-security" not in answer.headers  # RFC 6797 7.2
        secure = call(alb_event("GET", "/echo", scheme="https", multi_value=multi))
        assert secure.json()["external"] == f"https://{ALB_HOST}/echo"
        assert secure.header("strict-transport-security").startswith("max-age=")


def test_the_alb_client_address_is_the_entry_the_load_balancer_appended(call):
    # A client sending "X-Forwarded-For: 6.6.6.6, 7.7.7.7" cannot choose its address: the ALB
    # appends the address it saw, the last entry.
    event = alb_event("GET", "/echo", headers={"X-Forwarded-For": "6.6.6.6, 7.7.7.7"})
    assert event["headers"]["x-forwarded-for"] == f"6.6.6.6, 7.7.7.7, {CLIENT_IP}"
    assert echoed(call, event)["remote_addr"] == CLIENT_IP


def test_alb_answers_carry_every_field_the_load_balancer_reads(call):
    for multi in (False, True):
        raw = call(alb_event("GET", "/cat/no-such-thing", multi_value=multi)).raw
        # ELB guide, "Lambda functions as targets": "statusDescription": "200 OK"; the phrase
        # is RFC 9110's (15.5.5), not Werkzeug's upper-case status line.
        assert raw["statusCode"] == 404 and raw["statusDescription"] == "404 Not Found"
        assert raw["isBase64Encoded"] is False
        assert ("multiValueHeaders" if multi else "headers") in raw

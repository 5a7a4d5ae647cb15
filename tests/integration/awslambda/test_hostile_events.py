"""Malformed and hostile events through the Lambda entry point: each gets a JSON answer
`{"message", "code"}` in its door's own response shape, never an exception or a Python repr.

Shapes from AWS's documents: an ALB answer carries `statusCode`, `statusDescription`,
`isBase64Encoded` and `headers` (or `multiValueHeaders` when the target group has them on; ELB
guide, "Lambda functions as targets"); REST v1 and payload 2.0 answers carry `statusCode`,
`headers`, `body` and `isBase64Encoded` (API Gateway, proxy integration output formats).
"""

from __future__ import annotations

import json

import pytest

from catsite_tools.local.events import LambdaContext, alb_event, function_url_event, http_event, rest_event


def spoil(event: dict, path: str, value) -> dict:
    """`event` with the field at `path` (dotted) set to `value`, or removed if value is DELETE."""
    *parents, last = path.split(".")
    target = event
    for name in parents:
        target = target[name]
    if value is DELETE:
        del target[last]
    else:
        target[last] = value
    return event


DELETE = object()

HOSTILE = {
    "rest: no httpMethod": (lambda: rest_event("GET", "/cat"), "httpMethod", DELETE),
    "rest: path not a string": (lambda: rest_event("GET", "/cat"), "path", ["/cat"]),
    "rest: path without a slash": (lambda: rest_event("GET", "/cat"), "path", "cat"),
    "rest: headers not a map": (lambda: rest_event("GET", "/cat"), "headers", "Host: x"),
    "rest: multi-value headers not lists": (
        lambda: rest_event("GET", "/cat"),
        "multiValueHeaders",
        {"a": "b"},
    ),
    "rest: stage variables not strings": (lambda: rest_event("GET", "/cat"), "stageVariables", {"a": 1}),
    "rest: stage variables a list": (lambda: rest_event("GET", "/cat"), "stageVariables", ["a"]),
    "rest: body a number": (lambda: rest_event("POST", "/cat"), "body", 42),
    "rest: bad base64": (lambda: rest_event("POST", "/cat", body="x", base64_body=True), "body", "%%%"),
    "rest: base64 flag a string": (lambda: rest_event("POST", "/cat"), "isBase64Encoded", "yes"),
    "rest: requestContext a string": (lambda: rest_event("GET", "/cat"), "requestContext", "ctx"),
    "rest: query values not strings": (
        lambda: rest_event("GET", "/cat?x=1"),
        "multiValueQueryStringParameters",
        {"x": [1]},
    ),
    "http: no rawPath": (lambda: http_event("GET", "/cat"), "rawPath", DELETE),
    "http: no method": (lambda: http_event("GET", "/cat"), "requestContext.http", DELETE),
    "http: cookies a string": (lambda: http_event("GET", "/cat"), "cookies", "a=1"),
    "http: headers a list": (lambda: http_event("GET", "/cat"), "headers", [["host", "x"]]),
    "http: rawQueryString a map": (lambda: http_event("GET", "/cat"), "rawQueryString", {"a": "b"}),
    "url: body a map": (lambda: function_url_event("POST", "/cat"), "body", {"says": "x"}),
    "url: stage variables nested": (
        lambda: function_url_event("GET", "/"),
        "stageVariables",
        {"a": {"b": "c"}},
    ),
    "alb: no path": (lambda: alb_event("GET", "/cat"), "path", DELETE),
    "alb: method not a token": (lambda: alb_event("GET", "/cat"), "httpMethod", "GET /x"),
    "alb: headers a string": (lambda: alb_event("GET", "/cat"), "headers", "x"),
    "alb multi: bad base64": (
        lambda: alb_event("POST", "/cat", multi_value=True, body="x", base64_body=True),
        "body",
        "not base64!",
    ),
    "alb multi: query not lists": (
        lambda: alb_event("GET", "/cat?x=1", multi_value=True),
        "multiValueQueryStringParameters",
        {"x": "1"},
    ),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_malformed_event_is_a_400_json_in_the_doors_shape(call, case):
    build, path, value = HOSTILE[case]
    event = spoil(build(), path, value)
    answer = call(event)
    raw = answer.raw
    assert raw["statusCode"] == 400
    assert raw["isBase64Encoded"] is False
    body = json.loads(raw["body"])
    assert body["code"] == 400 and isinstance(body["message"], str) and body["message"]
    assert answer.header("content-type") == "application/json"
    if case.startswith("alb"):
        assert raw["statusDescription"] == "400 Bad Request"
        assert ("multiValueHeaders" if "multi" in case else "headers") in raw
    if case.startswith(("http", "url")):
        assert raw["cookies"] == [] and isinstance(raw["headers"], dict)


def test_a_malformed_event_changes_nothing(call, s3, door_app):
    event = rest_event("POST", "/cat", body='{"says": "hiss"}', headers={"Content-Type": "application/json"})
    event["stageVariables"] = {"CATSITE_BUCKET": 7}
    assert call(event).status == 400
    assert "Contents" not in s3.list_objects_v2(Bucket=door_app["bucket"])


def test_an_event_that_is_not_an_object_goes_nowhere_near_the_app():
    from catsite.doors.formats import event_format

    for event in (None, [], "GET /", 7):
        assert event_format(event) is None
    assert event_format({"requestContext": {"elb": {}}}) is not None  # an ALB event without a method is HTTP


def test_an_alb_event_without_a_method_is_a_400_in_the_albs_shape(call):
    raw = call({"requestContext": {"elb": {"targetGroupArn": "arn"}}}, LambdaContext()).raw
    assert raw["statusCode"] == 400 and raw["statusDescription"] == "400 Bad Request"
    assert raw["headers"]["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    "event",
    [
        dict(rest_event("GET", "/cat"), path="/cat/\ud800"),
        dict(alb_event("GET", "/cat"), path="/cat/\ud800"),
        rest_event("GET", "/cat/pics/x", stage="d\ud800v"),
        http_event("GET", "/cat/\ud800"),
    ],
    ids=["rest path", "alb path", "rest stage", "http rawPath"],
)
def test_a_lone_surrogate_in_the_path_is_a_404_json_not_an_exception(call, event):
    # JSON can carry a lone surrogate; it is no character (RFC 3629 section 3), so no resource has
    # it in its name: the app's 404 JSON `{"message", "code"}`, in the door's shape.
    answer = call(event)
    assert answer.status == 404 and answer.json()["code"] == 404

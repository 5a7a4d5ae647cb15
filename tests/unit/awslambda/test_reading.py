"""Each door's event read as AWS documents it (`catsite.awslambda.reading`): its query, its
client, its stage or base path, and a field of the wrong type refused."""

from __future__ import annotations

import pytest

from catsite.awslambda.reading import BadEvent, read_request
from catsite_tools.local.events import CLIENT_IP, alb_event, http_event, rest_event


def test_the_alb_query_is_put_back_as_the_client_encoded_it():
    # ELB guide: "If the query parameters are URL-encoded, the load balancer does not decode them."
    request = read_request(alb_event("GET", "/x?q=a%20b&r=%26&s=caf%C3%A9&t=a+b"))
    assert request.query == "q=a%20b&r=%26&s=caf%C3%A9&t=a+b"


def test_the_rest_query_is_encoded_from_its_decoded_values():
    request = read_request(rest_event("GET", "/x?q=a%20b&r=%26&x=1&x=2"))
    assert request.query == "q=a+b&r=%26&x=1&x=2"


# ELB guide, "Lambda functions as targets": with multi-value headers on the event carries
# `multiValueQueryStringParameters`, off `queryStringParameters` (the last value of a repeated key).
# API Gateway, "Lambda proxy integrations", input format: both maps are present and either may be
# null. A null map carries no parameters, so the other one is read.
NULL_QUERY_MAPS = [
    ("alb single, multi map null", alb_event("GET", "/x?q=a%20b&x=1&x=2"), {"mvq": None}, "q=a%20b&x=2"),
    ("alb multi, multi map null", alb_event("GET", "/x", multi_value=True), {"mvq": None}, ""),
    (
        "alb multi, single map null",
        alb_event("GET", "/x?q=a%20b&x=1&x=2", multi_value=True),
        {"q": None},
        "q=a%20b&x=1&x=2",
    ),
    ("rest, both null", rest_event("GET", "/x"), {"q": None, "mvq": None}, ""),
    ("rest, multi map null", rest_event("GET", "/x?q=a%20b&x=1&x=2"), {"mvq": None}, "q=a+b&x=2"),
    ("rest, single map null", rest_event("GET", "/x?q=a%20b&x=1&x=2"), {"q": None}, "q=a+b&x=1&x=2"),
]
MAPS = {"q": "queryStringParameters", "mvq": "multiValueQueryStringParameters"}


@pytest.mark.parametrize(
    ("event", "nulls", "query"), [c[1:] for c in NULL_QUERY_MAPS], ids=[c[0] for c in NULL_QUERY_MAPS]
)
def test_a_null_query_map_carries_nothing_and_the_other_is_read(event, nulls, query):
    event.update({MAPS[key]: value for key, value in nulls.items()})
    assert read_request(event).query == query


def test_the_rest_client_is_the_identity_source_ip_not_x_forwarded_for():
    request = read_request(rest_event("GET", "/x", headers={"X-Forwarded-For": "6.6.6.6"}))
    assert request.client == CLIENT_IP
    assert request.headers["x-forwarded-for"] == f"6.6.6.6, {CLIENT_IP}"


@pytest.mark.parametrize(
    ("event", "script_name", "path"),
    [
        (rest_event("GET", "/devices", stage="dev"), "/dev", "/devices"),
        (rest_event("GET", "/cat", host="cats.example.com", base_path="api"), "/api", "/cat"),
        (rest_event("GET", "/", host="cats.example.com", base_path="api"), "/api", ""),
        (rest_event("GET", "/api/cat", host="cats.example.com"), "", "/api/cat"),
        (http_event("GET", "/devices", stage="dev"), "/dev", "/devices"),
        (dict(http_event("GET", "/", stage="dev"), rawPath="/dev"), "/dev", ""),
        (http_event("GET", "/dev/x", stage="dev", host="cats.example.com"), "", "/dev/x"),
        (http_event("GET", "/devices", stage="$default"), "", "/devices"),
    ],
)
def test_stages_and_base_paths_become_script_name_on_a_segment_boundary(event, script_name, path):
    request = read_request(event)
    assert (request.script_name, request.path) == (script_name, path)


def test_a_stage_variable_that_is_not_a_string_is_a_bad_event():
    event = rest_event("GET", "/")
    event["stageVariables"] = {"A": None}
    with pytest.raises(BadEvent):
        read_request(event)

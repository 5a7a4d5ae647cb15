"""One decision of an event's format (`catsite.doors.formats.event_format`), which the event's
reading, the error shape and the door's limits all take: each door's event as AWS documents it,
one claiming two formats, and malformed request contexts."""

from __future__ import annotations

import pytest

from catsite.awslambda.answers import error_answer
from catsite.awslambda.reading import read_request
from catsite.doors import table as doors
from catsite.doors.formats import event_format
from catsite_tools.local.events import alb_event, function_url_event, http_event, rest_event


def _with_elb(event: dict) -> dict:
    return dict(event, requestContext=dict(event["requestContext"], elb={"targetGroupArn": "arn"}))


# Each door's event as AWS documents it, the format it declares and the door it came through.
FORMATS = {
    "rest": (rest_event("GET", "/cat"), "rest", doors.REST),
    "http": (http_event("GET", "/cat"), "v2", doors.HTTP),
    "function url": (function_url_event("GET", "/cat"), "v2", doors.FUNCTION_URL),
    "alb": (alb_event("GET", "/cat"), "alb", doors.ALB),
    # Claims two formats (no door sends this; a direct Invoke can): payload 2.0's version wins.
    "v2 with an elb context": (
        _with_elb(http_event("GET", "/cat")),
        "v2",
        doors.HTTP,
    ),
}


@pytest.mark.parametrize(("event", "kind", "door"), FORMATS.values(), ids=FORMATS.keys())
def test_the_reading_the_error_shape_and_the_limits_take_an_event_as_one_format(event, kind, door):
    assert event_format(event) == kind
    assert read_request(event).format == kind
    assert doors.door_for({"lambda.event": event}) is door
    error = error_answer(event, 400, "bad")
    assert ("statusDescription" in error) is (kind == "alb")
    assert ("cookies" in error) is (kind == "v2")


@pytest.mark.parametrize("context", ["elb", 7, None, []], ids=repr)
def test_a_request_context_that_is_no_object_is_payload_1_0_and_raises_nothing(context):
    event = dict(rest_event("GET", "/cat"), requestContext=context)
    assert event_format(event) == "rest"
    assert doors.door_for({"lambda.event": event}) is doors.REST
    assert error_answer(event, 400, "bad")["statusCode"] == 400


def test_no_event_is_the_local_server():
    assert event_format(None) is None
    assert doors.door_for({}) is doors.LOCAL

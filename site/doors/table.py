"""The front doors and their limits: the one table of them, and the door of a request.

Behind Lambda the WSGI environ carries the event (`lambda.event`: the lean path and Zappa's both
put it there); its format and request context tell the door. Without an event the request came
to the local server, which applies the strictest door's limits (the ALB's), so a request or
response that would fail on Lambda also fails locally. The local Lambda door (`./scripts/serve
--lambda`) enforces the same table's `carries` and `time_limit`, so a request refused there is
refused by the door on AWS too.

A request's door is decided once and kept in the environ (`door_for`): the size limits, the
request log and the long-work deadline all ask for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from catsite.doors.formats import EventFormat, event_format
from catsite.doors.media import base64_size
from catsite.settings import MIB

MB = 1_000_000

#: Where a request's door is kept in the WSGI environ once decided.
ENVIRON_KEY = "catsite.door"


class FrontDoor(StrEnum):
    """A way in to the function. Distinct from the event format: an HTTP API and a Function URL
    both send payload 2.0, but carry different limits."""

    REST = "rest"  # API Gateway REST API
    HTTP = "http"  # API Gateway HTTP API
    FUNCTION_URL = "url"  # a Lambda function URL
    ALB = "alb"  # an Application Load Balancer
    CDN = "cdn"  # the stage's CloudFront distribution, in front of one of the doors above
    LOCAL = "local"  # the local development server: no door, the strictest door's limits


@dataclass(frozen=True)
class Door:
    name: FrontDoor
    #: What the door itself carries each way, in bytes: larger requests and answers fail there.
    carries: int
    #: Seconds the door waits for an answer before giving up on the request. Lambda's own
    #: timeout (at most 900 s) bounds it too.
    time_limit: float
    #: Room kept below `carries` for the event's or answer's headers and JSON.
    margin: int = 64 * 1024
    #: Whether binary bodies travel base64-encoded (4/3 of their size).
    base64_binary: bool = True

    @property
    def request_limit(self) -> int:
        """Largest request body the app accepts from this door (below what the door carries)."""
        return self.carries - self.margin

    @property
    def response_limit(self) -> int:
        """Largest response body the app returns through the door (after base64, when the door
        carries binary bodies base64-encoded); larger answers go to S3."""
        return self.carries - self.margin

    def wire_size(self, body_bytes: int, binary: bool) -> int:
        """Bytes a body takes in this door's answer: base64 makes binary bodies 4/3 larger."""
        return base64_size(body_bytes) if binary and self.base64_binary else body_bytes


#: Lambda's synchronous invocation payload: 6 MB (6,291,456 bytes) for the whole event or answer.
#: API Gateway REST takes 10 MB, but the invocation behind it only this.
LAMBDA_PAYLOAD = 6 * MIB
#: "The maximum size of the request body ... [and] of the response JSON ... is 1 MB" (ELB guide,
#: Lambda functions as targets).
ALB_PAYLOAD = 1 * MB
#: Lambda's longest timeout; the ALB and Function URL wait as long as the function runs.
LAMBDA_MAX_TIMEOUT = 900.0

REST = Door(FrontDoor.REST, LAMBDA_PAYLOAD, 29.0)
HTTP = Door(FrontDoor.HTTP, LAMBDA_PAYLOAD, 30.0)
FUNCTION_URL = Door(FrontDoor.FUNCTION_URL, LAMBDA_PAYLOAD, LAMBDA_MAX_TIMEOUT)
ALB = Door(FrontDoor.ALB, ALB_PAYLOAD, LAMBDA_MAX_TIMEOUT, margin=8 * 1024)
LOCAL = Door(FrontDoor.LOCAL, ALB.carries, LAMBDA_MAX_TIMEOUT, margin=ALB.margin)

#: The Lambda front doors by name (the local Lambda door's `--door` choices).
DOORS = {door.name.value: door for door in (REST, HTTP, FUNCTION_URL, ALB)}

#: CloudFront's origin response timeout: "30 seconds by default", configurable from 1 to 60
#: seconds, and up to 180 seconds only once AWS raises the quota (CloudFront developer guide,
#: "Response timeout" under origin settings, and "Quotas"). scripts/deploy keeps the default.
CLOUDFRONT_ORIGIN_TIMEOUT = 30.0
CLOUDFRONT_ORIGIN_TIMEOUT_MAX = 60.0
CLOUDFRONT_ORIGIN_TIMEOUT_QUOTA_MAX = 180.0

#: The CloudFront row of the table: what the distribution itself waits for. It carries what its
#: origin carries (CloudFront passes bodies through; Lambda's invocation payload binds first).
CLOUDFRONT = Door(FrontDoor.CDN, LAMBDA_PAYLOAD, CLOUDFRONT_ORIGIN_TIMEOUT)


def behind_cloudfront(origin: Door, timeout: float = CLOUDFRONT_ORIGIN_TIMEOUT) -> Door:
    """The door of a request that came through the distribution to `origin`: the smaller of the
    two at every limit (a REST API origin answers within 29 s, the distribution waits 30)."""
    return Door(
        FrontDoor.CDN,
        min(origin.carries, CLOUDFRONT.carries),
        min(origin.time_limit, timeout),
        margin=origin.margin,
        base64_binary=origin.base64_binary,
    )


def door_of_event(event, kind: EventFormat | None) -> Door:
    """The door an event of format `kind` came through (LOCAL for no event)."""
    if kind is EventFormat.ALB:
        return ALB
    if kind is EventFormat.V2:
        context = event.get("requestContext")
        domain = context.get("domainName") if isinstance(context, dict) else None
        return FUNCTION_URL if ".lambda-url." in str(domain or "") else HTTP
    if kind is EventFormat.REST:
        return REST
    return LOCAL


def door_for(environ) -> Door:
    """The door of the request in `environ`, decided on first asking and kept there."""
    door = environ.get(ENVIRON_KEY)
    if door is None:
        event = environ.get("lambda.event")
        door = environ[ENVIRON_KEY] = door_of_event(event, event_format(event))
    return door

"""Which front door a request came through, and that door's limits.

Behind Lambda, Zappa puts the event in the WSGI environ (`lambda.event`); its shape tells the
door. Without an event the request came to the local server, which applies the strictest door's
limits (the ALB's), so a request or response that would fail on Lambda also fails locally.
"""

from __future__ import annotations

from dataclasses import dataclass

MB = 1_000_000
MIB = 1024 * 1024


@dataclass(frozen=True)
class Door:
    name: str
    #: Largest request body the door delivers to the function.
    request_limit: int
    #: Largest response body the function may return through the door (after base64, when the
    #: door carries binary bodies base64-encoded). A small margin is kept for headers and JSON.
    response_limit: int
    #: Seconds the door waits for an answer before giving up on the request.
    time_limit: float
    #: Whether binary bodies travel base64-encoded (4/3 of their size).
    base64_binary: bool = True


# Lambda's synchronous payload limit is 6 MB (6,291,456 bytes) for the whole event or answer.
LAMBDA_PAYLOAD = 6 * MIB
MARGIN = 64 * 1024

REST = Door("rest", LAMBDA_PAYLOAD - MARGIN, LAMBDA_PAYLOAD - MARGIN, 29.0)
HTTP = Door("http", LAMBDA_PAYLOAD - MARGIN, LAMBDA_PAYLOAD - MARGIN, 30.0)
FUNCTION_URL = Door("url", LAMBDA_PAYLOAD - MARGIN, LAMBDA_PAYLOAD - MARGIN, 900.0)
ALB = Door("alb", 1 * MB - 8 * 1024, 1 * MB - 8 * 1024, 900.0)
LOCAL = Door("local", ALB.request_limit, ALB.response_limit, 900.0)


def door_for(environ) -> Door:
    event = environ.get("lambda.event")
    if not isinstance(event, dict):
        return LOCAL
    context = event.get("requestContext") or {}
    if context.get("elb"):
        return ALB
    if event.get("version") == "2.0":
        return FUNCTION_URL if ".lambda-url." in str(context.get("domainName", "")) else HTTP
    return REST


def wire_size(body_bytes: int, door: Door, binary: bool) -> int:
    """Bytes the body takes in the door's answer: base64 makes binary bodies 4/3 larger."""
    if binary and door.base64_binary:
        return 4 * ((body_bytes + 2) // 3)
    return body_bytes

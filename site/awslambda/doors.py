"""Which front door a request came through, and that door's limits: the one table of them.

Behind Lambda, Zappa puts the event in the WSGI environ (`lambda.event`); its shape tells the
door. Without an event the request came to the local server, which applies the strictest door's
limits (the ALB's), so a request or response that would fail on Lambda also fails locally. The
local Lambda door (`./scripts/serve --lambda`) enforces the same table's `carries` and
`time_limit`, so a request refused there is refused by the door on AWS too.
"""

from __future__ import annotations

from dataclasses import dataclass

from catsite.awslambda.wire import event_format
from catsite.settings import MIB

MB = 1_000_000


@dataclass(frozen=True)
class Door:
    name: str
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


#: Lambda's synchronous invocation payload: 6 MB (6,291,456 bytes) for the whole event or answer.
#: API Gateway REST takes 10 MB, but the invocation behind it only this.
LAMBDA_PAYLOAD = 6 * MIB
#: "The maximum size of the request body ... [and] of the response JSON ... is 1 MB" (ELB guide,
#: Lambda functions as targets).
ALB_PAYLOAD = 1 * MB
#: Lambda's longest timeout; the ALB and Function URL wait as long as the function runs.
LAMBDA_MAX_TIMEOUT = 900.0

REST = Door("rest", LAMBDA_PAYLOAD, 29.0)
HTTP = Door("http", LAMBDA_PAYLOAD, 30.0)
FUNCTION_URL = Door("url", LAMBDA_PAYLOAD, LAMBDA_MAX_TIMEOUT)
ALB = Door("alb", ALB_PAYLOAD, LAMBDA_MAX_TIMEOUT, margin=8 * 1024)
LOCAL = Door("local", ALB.carries, LAMBDA_MAX_TIMEOUT, margin=ALB.margin)

#: The Lambda front doors by name (the local Lambda door's `--door` choices).
DOORS = {door.name: door for door in (REST, HTTP, FUNCTION_URL, ALB)}


def door_for(environ) -> Door:
    event = environ.get("lambda.event")
    kind = event_format(event)
    if kind is None:
        return LOCAL
    if kind == "alb":
        return ALB
    if kind == "v2":
        context = event.get("requestContext")
        domain = context.get("domainName") if isinstance(context, dict) else None
        return FUNCTION_URL if ".lambda-url." in str(domain or "") else HTTP
    return REST


def wire_size(body_bytes: int, door: Door, binary: bool) -> int:
    """Bytes the body takes in the door's answer: base64 makes binary bodies 4/3 larger."""
    if binary and door.base64_binary:
        return 4 * ((body_bytes + 2) // 3)
    return body_bytes

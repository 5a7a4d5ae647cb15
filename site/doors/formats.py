"""The event formats AWS documents for HTTP events, and which one an event is, decided here once.

An event is read, answered and held to its door's limits as the same format: the reading
(`catsite.awslambda.reading`), the answer's shape (`catsite.awslambda.answers`), the door's limits
(`catsite.doors.table`) and Zappa's stage repair all ask `event_format`.
"""

from __future__ import annotations

from enum import StrEnum


class EventFormat(StrEnum):
    #: API Gateway REST APIs: payload format 1.0 ("Lambda proxy integrations", input format).
    REST = "rest"
    #: Payload format 2.0: HTTP APIs and Function URLs ("Lambda proxy integrations for HTTP APIs").
    V2 = "v2"
    #: An Application Load Balancer target group (ELB guide, "Lambda functions as targets").
    ALB = "alb"


def event_format(event) -> EventFormat | None:
    """The HTTP event format `event` declares, or None when it is no HTTP event (`@task`, a
    schedule, S3, SQS, anything that is not an object).

    Payload 2.0 says `"version": "2.0"`; an ALB event has `requestContext.elb`; payload 1.0 has
    `httpMethod` (or, malformed, at least `path` beside `resource`). An event claiming two
    formats is taken as the first of these; a malformed one is still its format, so it is
    refused in its door's shape rather than handed to code that does not expect it.
    """
    if not isinstance(event, dict):
        return None
    if event.get("version") == "2.0":
        return EventFormat.V2
    context = event.get("requestContext")
    if isinstance(context, dict) and "elb" in context:
        return EventFormat.ALB
    if "httpMethod" in event or ("path" in event and "resource" in event):
        return EventFormat.REST
    return None

"""Answers in each event format's documented response shape.

- ALB: ELB user guide, "Lambda functions as targets", "Respond to the load balancer":
  `statusCode`, `statusDescription`, `isBase64Encoded`, and `headers` or `multiValueHeaders` as
  the target group is set.
- REST v1: "Lambda proxy integrations", output format (`headers` and `multiValueHeaders`).
- Payload 2.0 (HTTP API, Function URL): `cookies` for Set-Cookie, other headers joined.
"""

from __future__ import annotations

import logging

from catsite.awslambda.reading import HttpRequest
from catsite.doors.formats import EventFormat, event_format

logger = logging.getLogger("catsite.awslambda")


def shape_answer(request: HttpRequest, status_line: str, headers, body: str, is_base64: bool) -> dict:
    """The answer in the door's documented response format."""
    status = int(status_line.split(" ", 1)[0])
    answer: dict = {"statusCode": status, "isBase64Encoded": is_base64, "body": body}
    if request.format is EventFormat.V2:
        # Payload 2.0: each cookie in `cookies` becomes one Set-Cookie; other headers given
        # more than once are joined with commas.
        answer["cookies"] = [v for k, v in headers if k.lower() == "set-cookie"]
        answer["headers"] = _joined([(k, v) for k, v in headers if k.lower() != "set-cookie"])
        return answer
    if request.format is EventFormat.ALB:
        answer["statusDescription"] = status_description(status, status_line)
    if request.multi_value:
        grouped: dict[str, list[str]] = {}
        for key, value in headers:
            grouped.setdefault(key, []).append(value)
        answer["multiValueHeaders"] = grouped
    else:
        answer["headers"] = _single_value(headers)
    return answer


def _joined(headers) -> dict[str, str]:
    joined: dict[str, str] = {}
    for key, value in headers:
        joined[key] = f"{joined[key]}, {value}" if key in joined else value
    return joined


def _single_value(headers) -> dict[str, str]:
    """Headers for an ALB target group without multi-value headers: a header given more than
    once is joined with commas (RFC 9110 5.3), except Set-Cookie, which cannot be (RFC 6265
    3): the first cookie is kept and the others dropped with a warning. Turn multi-value
    headers on for a target group whose app sets more than one cookie."""
    cookies = [v for k, v in headers if k.lower() == "set-cookie"]
    single = _joined([(k, v) for k, v in headers if k.lower() != "set-cookie"])
    if cookies:
        single["Set-Cookie"] = cookies[0]
        if len(cookies) > 1:
            dropped = ", ".join(c.split("=", 1)[0] for c in cookies[1:])
            logger.warning("single-value ALB headers carry one Set-Cookie; dropped: %s", dropped)
    return single


def error_answer(event, status: int, message: str) -> dict:
    """A JSON error `{"message", "code"}` in the shape of the door the event came through, read
    from as little of the event as can be trusted."""
    import json  # errors only: kept off the cold start

    body = json.dumps({"message": message, "code": status})
    headers = {"Content-Type": "application/json", "X-Content-Type-Options": "nosniff"}
    answer: dict = {"statusCode": status, "isBase64Encoded": False, "body": body}
    kind = event_format(event)
    if kind is EventFormat.ALB:
        answer["statusDescription"] = status_description(status)
    if kind is EventFormat.V2:
        answer["cookies"] = []
    if kind in (EventFormat.ALB, EventFormat.REST) and "multiValueHeaders" in event:
        answer["multiValueHeaders"] = {k: [v] for k, v in headers.items()}
    else:
        answer["headers"] = headers
    return answer


def status_description(status: int, status_line: str = "") -> str:
    """An ALB answer's `statusDescription`: the code and its reason phrase, "404 Not Found", as the
    ELB guide's "Lambda functions as targets" shows it and RFC 9110 section 15 names each code
    (Werkzeug's own status line says "404 NOT FOUND"). A code without a registered phrase keeps
    the app's status line."""
    from http import HTTPStatus  # already loaded by Werkzeug; kept here so cold start pays nothing

    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return status_line or str(status)

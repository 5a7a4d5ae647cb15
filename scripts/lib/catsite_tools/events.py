"""Builders for the events each Lambda front door sends, in AWS's own shapes.

Written for catsite from AWS's documented payload formats: API Gateway REST (v1 proxy), HTTP API
(payload 2.0), Lambda Function URL (payload 2.0), and ALB target groups with multi-value headers
off and on. Each builder takes a method, a path (with query string, if any) and optional body and
headers, and fills in what that door always sends.
"""

from __future__ import annotations

import base64
import time
import uuid
from urllib.parse import parse_qs, urlsplit

REST_HOST = "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com"
CUSTOM_DOMAIN = "cats.example.com"
FUNCTION_URL_HOST = "abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-east-1.on.aws"
ALB_HOST = "catsite-prod-123456789.us-east-1.elb.amazonaws.com"
TARGET_GROUP = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/catsite-prod/0123456789abcdef"


def _body(body: bytes | str | None, encode: bool) -> tuple[str | None, bool]:
    if body is None:
        return None, False
    raw = body.encode("utf-8") if isinstance(body, str) else body
    if encode:
        return base64.b64encode(raw).decode("ascii"), True
    return raw.decode("utf-8"), False


def _split(path: str) -> tuple[str, dict[str, list[str]], str]:
    parts = urlsplit(path)
    return parts.path or "/", parse_qs(parts.query, keep_blank_values=True), parts.query


def rest_event(method, path, *, stage="dev", host=REST_HOST, body=None, base64_body=False, headers=None):
    """API Gateway REST API, v1 proxy integration. On the execute-api host, `path` excludes the
    stage and `requestContext.path` includes it; on a custom domain neither does."""
    path_only, query, _ = _split(path)
    all_headers = {
        "Host": host,
        "Accept": "*/*",
        "User-Agent": "catsite-tests",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Port": "443",
        "X-Forwarded-For": "203.0.113.7",
        **(headers or {}),
    }
    encoded, is_b64 = _body(body, base64_body)
    on_execute_api = host.endswith(".amazonaws.com")
    return {
        "resource": "/{proxy+}",
        "path": path_only,
        "httpMethod": method,
        "headers": all_headers,
        "multiValueHeaders": {k: [v] for k, v in all_headers.items()},
        "queryStringParameters": {k: v[-1] for k, v in query.items()} or None,
        "multiValueQueryStringParameters": query or None,
        "pathParameters": {"proxy": path_only.lstrip("/")},
        "stageVariables": None,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": host.split(".")[0],
            "domainName": host,
            "httpMethod": method,
            "identity": {"sourceIp": "203.0.113.7", "userAgent": "catsite-tests", "userArn": None},
            "path": f"/{stage}{path_only}" if on_execute_api else path_only,
            "protocol": "HTTP/1.1",
            "requestId": str(uuid.uuid4()),
            "requestTimeEpoch": int(time.time() * 1000),
            "resourcePath": "/{proxy+}",
            "stage": stage,
        },
        "body": encoded,
        "isBase64Encoded": is_b64,
    }


def _v2_event(method, path, *, host, stage, raw_path, body, base64_body, headers):
    _, _, raw_query = _split(path)
    all_headers = {
        "host": host,
        "accept": "*/*",
        "user-agent": "catsite-tests",
        "x-forwarded-proto": "https",
        "x-forwarded-port": "443",
        "x-forwarded-for": "203.0.113.7",
    }
    all_headers.update({k.lower(): v for k, v in (headers or {}).items()})
    encoded, is_b64 = _body(body, base64_body)
    event = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": raw_path,
        "rawQueryString": raw_query,
        "headers": all_headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": host.split(".")[0],
            "domainName": host,
            "domainPrefix": host.split(".")[0],
            "http": {
                "method": method,
                "path": raw_path,
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.7",
                "userAgent": "catsite-tests",
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": "$default",
            "stage": stage,
            "timeEpoch": int(time.time() * 1000),
        },
        "isBase64Encoded": is_b64,
    }
    if raw_query:
        event["queryStringParameters"] = {k: ",".join(v) for k, v in parse_qs(raw_query).items()}
    if encoded is not None:
        event["body"] = encoded
    return event


def http_event(method, path, *, stage="$default", body=None, base64_body=False, headers=None):
    """API Gateway HTTP API, payload 2.0. A named stage appears in `rawPath`; `$default` does not."""
    path_only, _, _ = _split(path)
    raw_path = path_only if stage == "$default" else f"/{stage}{path_only}"
    return _v2_event(
        method,
        path,
        host=REST_HOST,
        stage=stage,
        raw_path=raw_path,
        body=body,
        base64_body=base64_body,
        headers=headers,
    )


def function_url_event(method, path, *, body=None, base64_body=False, headers=None):
    """Lambda Function URL: payload 2.0, stage `$default`, no prefix."""
    path_only, _, _ = _split(path)
    return _v2_event(
        method,
        path,
        host=FUNCTION_URL_HOST,
        stage="$default",
        raw_path=path_only,
        body=body,
        base64_body=base64_body,
        headers=headers,
    )


def alb_event(method, path, *, multi_value=False, body=None, base64_body=False, headers=None):
    """ALB target group. Headers arrive lower-case; with multi-value headers on, only the
    `multiValue*` keys are present, otherwise only the single-value ones."""
    path_only, query, _ = _split(path)
    all_headers = {
        "host": ALB_HOST,
        "accept": "*/*",
        "user-agent": "catsite-tests",
        "x-forwarded-proto": "https",
        "x-forwarded-port": "443",
        "x-forwarded-for": "203.0.113.7",
    }
    all_headers.update({k.lower(): v for k, v in (headers or {}).items()})
    encoded, is_b64 = _body(body, base64_body)
    event = {
        "requestContext": {"elb": {"targetGroupArn": TARGET_GROUP}},
        "httpMethod": method,
        "path": path_only,
        "body": encoded or "",
        "isBase64Encoded": is_b64,
    }
    if multi_value:
        event["multiValueHeaders"] = {k: [v] for k, v in all_headers.items()}
        event["multiValueQueryStringParameters"] = query
    else:
        event["headers"] = all_headers
        event["queryStringParameters"] = {k: v[-1] for k, v in query.items()}
    return event


class LambdaContext:
    """What Lambda passes as `context`, with the attributes catsite and Zappa read."""

    def __init__(self, remaining_ms: int = 30_000, function_name: str = "catsite-dev"):
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = 512
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{function_name}"
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "2026/11/25/[$LATEST]0123456789abcdef"
        self._deadline = time.monotonic() + remaining_ms / 1000

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def scheduled_event(
    rule: str, *, region: str = "us-east-1", account: str = "123456789012", zappa=True
) -> dict:
    """EventBridge's "Scheduled Event" from the rule named `rule`, in the shape the Lambda
    Developer Guide documents ("Invoke a Lambda function on a schedule",
    docs.aws.amazon.com/lambda/latest/dg/with-scheduled-events.html): version "0", an id,
    detail-type "Scheduled Event", source "aws.events", account, time, region, the rule's ARN
    as the one resource, and an empty detail.

    `zappa`: as a rule Zappa created delivers it. Zappa's target re-emits the same fields through
    an input transformer and adds its own `kwargs` (empty unless the event in zappa_settings.json
    gives some); its handler finds the function to run after the rule name's last `-`.
    """
    event = {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": account,
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "region": region,
        "resources": [f"arn:aws:events:{region}:{account}:rule/{rule}"],
        "detail": {},
    }
    if zappa:
        event["kwargs"] = {}
    return event

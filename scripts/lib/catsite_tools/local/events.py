"""Builders for the events each Lambda front door sends, in the shapes AWS documents.

The one place both the tests and the local Lambda door (`lambda_gateway`) make events, and the
context Lambda passes (`LambdaContext`). Each builder takes a method, a target as the client sent
it (path and query string, the query percent-encoded as a client encodes it) and optional body
and headers, and fills in what that door always sends. Headers are a mapping (a list value is a
header given more than once) or a list of (name, value) pairs; a Host header given wins over the
door's default host. `defaults=False` leaves out the headers a typical client adds (the local
door passes the real request's headers). Standard library only: the Lambda worker, which runs
beside an unzipped artifact with nothing else on its path, loads `LambdaContext` from here. The
page each shape comes from is named beside its builder:

- ELB user guide, "Lambda functions as targets" (Application Load Balancer events):
  https://docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html
- API Gateway developer guide, "Lambda proxy integrations", input format (REST, v1):
  https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
- API Gateway developer guide, "Lambda proxy integrations for HTTP APIs" (payload 2.0):
  https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
- Lambda developer guide, "Invoking Lambda function URLs" (request and response payloads):
  https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html
"""

from __future__ import annotations

import base64
import time
import uuid
from urllib.parse import parse_qsl, unquote

REST_HOST = "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com"
CUSTOM_DOMAIN = "cats.example.com"
FUNCTION_URL_HOST = "abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-east-1.on.aws"
ALB_HOST = "catsite-prod-123456789.us-east-1.elb.amazonaws.com"
TARGET_GROUP = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/catsite-prod/0123456789abcdef"
#: The client's address as the door sees it (RFC 5737 documentation range).
CLIENT_IP = "203.0.113.7"


def _body(body: bytes | str | None, encode: bool) -> tuple[str | None, bool]:
    if body is None:
        return None, False
    raw = body.encode("utf-8") if isinstance(body, str) else body
    if encode:
        return base64.b64encode(raw).decode("ascii"), True
    return raw.decode("utf-8"), False


def _pairs(headers) -> list[tuple[str, str]]:
    """Headers as (name, value) pairs, in order, a repeated header once per value."""
    if not headers:
        return []
    items = headers.items() if isinstance(headers, dict) else headers
    pairs = []
    for name, value in items:
        for one in value if isinstance(value, list) else [value]:
            pairs.append((name, one))
    return pairs


def _grouped(pairs, lower: bool) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for name, value in pairs:
        grouped.setdefault(name.lower() if lower else name, []).append(value)
    return grouped


def _raw_query(target: str) -> tuple[str, list[tuple[str, str]]]:
    """The path and the query as the client sent it: (key, value) pairs still percent-encoded.
    Split at the first "?" only: a request target is a path, never a URL (`//x` is a path)."""
    path, _, query = target.partition("?")
    raw = [tuple(p.split("=", 1)) if "=" in p else (p, "") for p in query.split("&") if p]
    return path or "/", raw


#: What a typical client sends besides Host; the caller's headers of the same name replace them.
_TYPICAL = (("Accept", "*/*"), ("User-Agent", "catsite-tests"))


def _client_pairs(headers, host: str, defaults: bool, lower: bool = False) -> list[tuple[str, str]]:
    """The client's headers as the door passes them on: Host (the caller's, else `host`), a
    typical client's headers unless `defaults` is off or the caller sent the same name, then the
    caller's; X-Forwarded-For is left to the door (`_forwarded`)."""
    given = [(k, v) for k, v in _pairs(headers) if k.lower() != "x-forwarded-for"]
    names = {k.lower() for k, _ in given}
    first = [] if "host" in names else [("Host", host)]
    typical = [(k, v) for k, v in _TYPICAL if defaults and k.lower() not in names]
    pairs = first + typical + given
    return [(k.lower(), v) for k, v in pairs] if lower else pairs


def _forwarded(pairs, source_ip: str) -> str:
    """X-Forwarded-For as the door sends it: what the client sent, then the client's address."""
    sent = [v for k, v in pairs if k.lower() == "x-forwarded-for"]
    return ", ".join([*sent, source_ip])


def rest_event(
    method,
    path,
    *,
    stage="dev",
    host=REST_HOST,
    body=None,
    base64_body=False,
    headers=None,
    base_path=None,
    source_ip=CLIENT_IP,
    defaults=True,
):
    """API Gateway REST API, Lambda proxy integration, input format (v1), as Zappa deploys it
    (resources `/` and `/{proxy+}`, method ANY). Query values arrive decoded;
    `queryStringParameters` holds the last of a repeated key, `multiValueQueryStringParameters`
    all of them; `headers` the last of a repeated header, `multiValueHeaders` all of them. On the
    execute-api host `path` excludes the stage and `requestContext.path` includes it; on a custom
    domain both include the base path mapping, if any (`base_path`), and neither the stage."""
    path_only, raw = _raw_query(path)
    query = [(unquote(k.replace("+", " ")), unquote(v.replace("+", " "))) for k, v in raw]
    pairs = [
        *_client_pairs(headers, host, defaults),
        ("X-Forwarded-For", _forwarded(_pairs(headers), source_ip)),
        ("X-Forwarded-Port", "443"),
        ("X-Forwarded-Proto", "https"),
    ]
    multi_headers = _grouped(pairs, lower=False)
    multi_query = _grouped(query, lower=False)
    encoded, is_b64 = _body(body, base64_body)
    on_execute_api = ".execute-api." in host
    mapped = f"/{base_path.strip('/')}" if base_path and not on_execute_api else ""
    full_path = f"{mapped}{path_only}" if path_only != "/" or not mapped else mapped
    proxy = path_only.lstrip("/")
    return {
        "resource": "/{proxy+}" if proxy else "/",
        "path": full_path,
        "httpMethod": method,
        "headers": {k: v[-1] for k, v in multi_headers.items()},
        "multiValueHeaders": multi_headers,
        "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": {"proxy": unquote(proxy)} if proxy else None,
        "stageVariables": None,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": REST_HOST.split(".")[0],
            "domainName": host,
            "domainPrefix": host.split(".")[0],
            "httpMethod": method,
            "identity": {
                "sourceIp": source_ip,
                "userAgent": next(
                    (v[-1] for k, v in multi_headers.items() if k.lower() == "user-agent"), None
                ),
                "userArn": None,
            },
            "path": f"/{stage}{path_only}" if on_execute_api else full_path,
            "protocol": "HTTP/1.1",
            "requestId": str(uuid.uuid4()),
            "requestTimeEpoch": int(time.time() * 1000),
            "resourceId": "abc123",
            "resourcePath": "/{proxy+}" if proxy else "/",
            "stage": stage,
        },
        "body": encoded,
        "isBase64Encoded": is_b64,
    }


def _v2_event(
    method,
    path,
    *,
    host,
    stage,
    raw_path,
    body=None,
    base64_body=False,
    headers=None,
    source_ip=CLIENT_IP,
    defaults=True,
):
    """Payload 2.0: header names lower-case, a repeated header joined with commas, the Cookie
    header moved into `cookies`, `rawQueryString` exactly as sent, `queryStringParameters`
    decoded with a repeated key joined by commas, no `body` key without a body."""
    raw_query = path.partition("?")[2]
    all_pairs = [
        *_client_pairs(headers, host, defaults, lower=True),
        ("x-forwarded-for", _forwarded(_pairs(headers), source_ip)),
        ("x-forwarded-port", "443"),
        ("x-forwarded-proto", "https"),
    ]
    grouped = _grouped(all_pairs, lower=True)
    cookies = [c.strip() for v in grouped.pop("cookie", []) for c in v.split(";") if c.strip()]
    encoded, is_b64 = _body(body, base64_body)
    event = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": raw_path,
        "rawQueryString": raw_query,
        "headers": {k: ",".join(v) for k, v in grouped.items()},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": host.split(".")[0],
            "domainName": host,
            "domainPrefix": host.split(".")[0],
            "http": {
                "method": method,
                "path": unquote(raw_path),
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": ",".join(grouped.get("user-agent", [])),
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": "$default",
            "stage": stage,
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime()),
            "timeEpoch": int(time.time() * 1000),
        },
        "isBase64Encoded": is_b64,
    }
    if cookies:
        event["cookies"] = cookies
    if raw_query:
        decoded = _grouped(parse_qsl(raw_query, keep_blank_values=True), lower=False)
        event["queryStringParameters"] = {k: ",".join(v) for k, v in decoded.items()}
    if encoded is not None:
        event["body"] = encoded
    return event


def http_event(method, path, *, stage="$default", host=REST_HOST, **request):
    """API Gateway HTTP API, payload 2.0 ("Lambda proxy integrations for HTTP APIs"). On the
    execute-api host a named stage begins `rawPath` and `$default` does not; on a custom domain
    (`host`) `rawPath` carries neither the stage nor the API mapping. `request` is the client's
    part (body, base64_body, headers, source_ip, defaults), as for every builder."""
    path_only, _ = _raw_query(path)
    named = stage != "$default" and ".execute-api." in host
    raw_path = f"/{stage}{path_only}" if named else path_only
    return _v2_event(method, path, host=host, stage=stage, raw_path=raw_path, **request)


def function_url_event(method, path, **request):
    """Lambda Function URL ("Invoking Lambda function URLs"): payload 2.0, stage `$default`, no
    prefix, `requestContext.domainName` the function URL's host."""
    path_only, _ = _raw_query(path)
    return _v2_event(method, path, host=FUNCTION_URL_HOST, stage="$default", raw_path=path_only, **request)


def alb_event(
    method,
    path,
    *,
    multi_value=False,
    body=None,
    base64_body=False,
    headers=None,
    scheme="https",
    source_ip=CLIENT_IP,
    defaults=True,
):
    """ALB target group ("Lambda functions as targets"). Query keys and values are passed as the
    client sent them: "If the query parameters are URL-encoded, the load balancer does not decode
    them." Header names arrive lower-case. With multi-value headers on, only `multiValueHeaders`
    and `multiValueQueryStringParameters` are present; off, only `headers` and
    `queryStringParameters`, with the last value of a repeated header or key. The load balancer
    appends the client's address to X-Forwarded-For and sets X-Forwarded-Proto and -Port to its
    listener's (`scheme`: an ALB may have an http listener). `body` is always present."""
    path_only, raw = _raw_query(path)
    all_pairs = [
        *_client_pairs(headers, ALB_HOST, defaults, lower=True),
        ("x-amzn-trace-id", "Root=1-5c536348-3d683b8b04734faae651f476"),
        ("x-forwarded-for", _forwarded(_pairs(headers), source_ip)),
        ("x-forwarded-port", "443" if scheme == "https" else "80"),
        ("x-forwarded-proto", scheme),
    ]
    grouped = _grouped(all_pairs, lower=True)
    query = _grouped(raw, lower=False)
    encoded, is_b64 = _body(body, base64_body)
    event = {
        "requestContext": {"elb": {"targetGroupArn": TARGET_GROUP}},
        "httpMethod": method,
        "path": path_only,
        "body": encoded or "",
        "isBase64Encoded": is_b64,
    }
    if multi_value:
        event["multiValueQueryStringParameters"] = query
        event["multiValueHeaders"] = grouped
    else:
        event["queryStringParameters"] = {k: v[-1] for k, v in query.items()}
        event["headers"] = {k: v[-1] for k, v in grouped.items()}
    return event


class LambdaContext:
    """What Lambda passes as `context`, with the attributes catsite and Zappa read."""

    def __init__(self, remaining_ms: int = 30_000, function_name: str = "catsite-dev", log_stream: str = ""):
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = 512
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{function_name}"
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = log_stream or "2026/11/25/[$LATEST]0123456789abcdef"
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

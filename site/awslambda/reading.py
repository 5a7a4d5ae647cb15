"""Reading an HTTP event as the AWS document of its format describes it, checking every field read.

One reading per event format (`catsite.doors.formats.EventFormat`), each from AWS's own document:

- `alb`: ELB user guide, "Lambda functions as targets". Query parameters arrive as the client
  sent them ("If the query parameters are URL-encoded, the load balancer does not decode them"),
  so they are joined back verbatim and decoded once, by the app. Headers are `headers` (the last
  value of a repeated header) or `multiValueHeaders` (all of them), as the target group is set.
  The load balancer appends the client's address to `X-Forwarded-For` (the last entry is the
  one it added; earlier entries are whatever the client sent) and sets `X-Forwarded-Proto` to
  the protocol of its listener, which may be plain http.
- `rest`: API Gateway developer guide, "Lambda proxy integrations", input format. Query values
  arrive decoded (`multiValueQueryStringParameters` holds repeated keys), so they are encoded
  again for the WSGI query string. On the execute-api host `path` excludes the stage, which
  becomes SCRIPT_NAME; on a custom domain `path` includes the base path mapping (the HTTP API
  guide: "use the path field of format 1.0" for the API mapping), which is found by resolving
  `resource` with `pathParameters` and becomes SCRIPT_NAME. The client is
  `requestContext.identity.sourceIp`. REST APIs are https only.
- `v2` (HTTP API and Function URL): "Lambda proxy integrations for HTTP APIs", payload 2.0, and
  "Invoking Lambda function URLs". `rawQueryString` is passed verbatim; `cookies` holds the
  request's cookies; duplicate headers are already joined with commas; the client is
  `requestContext.http.sourceIp`. On the execute-api host a named stage begins `rawPath`;
  `$default` does not; `rawPath` never carries a custom domain's API mapping.

Anything of the wrong type (or missing where the door always sends it) is a `BadEvent`.
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import quote, unquote, unquote_to_bytes, urlencode

from catsite.doors.formats import EventFormat, event_format
from catsite.doors.wsgi_text import utf8, wsgi_string

#: Characters kept as they are when an ALB query value is put back into a query string: the
#: reserved and unreserved ones (RFC 3986 2.2, 2.3) and `%`, so an encoded value stays encoded
#: exactly as the client sent it. Anything else (a space, a non-ASCII letter) is encoded.
_QUERY_SAFE = "!$'()*+,/:;=?@[]%~"


class BadEvent(ValueError):
    """The event is not in the shape its door documents."""


class HttpRequest:
    """One request as its event described it (a plain class: no code generated at import)."""

    __slots__ = (
        "format",  # the EventFormat it came in
        "multi_value",  # answer with `multiValueHeaders`
        "method",
        "script_name",  # WSGI string (latin-1 of the UTF-8 bytes)
        "path",  # WSGI string, decoded once
        "query",
        "headers",  # lower-case names, repeated values joined
        "body",
        "scheme",
        "client",
        "domain",
        "protocol",
        "stage_variables",
    )

    def __init__(self, *, protocol: str = "HTTP/1.1", **fields):
        self.protocol = protocol
        self.stage_variables: dict[str, str] = {}
        for name, value in fields.items():
            setattr(self, name, value)


def read_request(event, base_path: str = "") -> HttpRequest:
    kind = event_format(event)
    if kind is None:
        raise BadEvent("the event is not an HTTP event")
    context = _dict(event.get("requestContext"), "requestContext")
    stage_variables = _str_map(event.get("stageVariables"), "stageVariables")
    if kind is EventFormat.V2:
        request = _v2(event, context, base_path)
    elif kind is EventFormat.ALB:
        request = _alb(event)
    else:
        request = _rest(event, context, base_path)
    request.stage_variables = stage_variables
    return request


def _alb(event) -> HttpRequest:
    multi = "multiValueHeaders" in event
    headers = _headers(event, multi)
    query = "&".join(
        f"{quote(key, safe=_QUERY_SAFE)}={quote(value, safe=_QUERY_SAFE)}"
        for key, values in _query_params(event).items()
        for value in values
    )
    proto = headers.get("x-forwarded-proto", "").rsplit(",", 1)[-1].strip().lower()
    forwarded = [a.strip() for a in headers.get("x-forwarded-for", "").split(",") if a.strip()]
    return HttpRequest(
        format=EventFormat.ALB,
        multi_value=multi,
        method=_method(event.get("httpMethod")),
        script_name="",
        path=_path(event.get("path"), "path"),
        query=query,
        headers=headers,
        body=_body(event),
        scheme=proto if proto in ("http", "https") else "http",
        client=forwarded[-1] if forwarded else None,
        domain=None,
    )


def _rest(event, context, base_path: str) -> HttpRequest:
    headers = _headers(event, "multiValueHeaders" in event)
    path = _path(event.get("path"), "path")
    domain = _opt_str(context.get("domainName"), "requestContext.domainName")
    host = headers.get("host") or domain or ""
    stage = _opt_str(context.get("stage"), "requestContext.stage") or ""
    if ".execute-api." in host or not host:
        # API Gateway removed the stage from `path`; links need it back.
        script_name = wsgi_string(f"/{stage}") if stage and stage != "$default" else ""
    else:
        base = wsgi_string(base_path) or _mapped_base(
            path, event.get("resource"), event.get("pathParameters")
        )
        script_name, path = _split_prefix(path, base)
    identity = _dict(context.get("identity"), "requestContext.identity")
    return HttpRequest(
        format=EventFormat.REST,
        multi_value="multiValueHeaders" in event,
        method=_method(event.get("httpMethod")),
        script_name=script_name,
        path=path,
        query=urlencode(_query_params(event), doseq=True),
        headers=headers,
        body=_body(event),
        scheme="https",
        client=_opt_str(identity.get("sourceIp"), "requestContext.identity.sourceIp"),
        domain=domain,
        protocol=_opt_str(context.get("protocol"), "requestContext.protocol") or "HTTP/1.1",
    )


def _v2(event, context, base_path: str) -> HttpRequest:
    http = _dict(context.get("http"), "requestContext.http")
    headers = {k.lower(): v for k, v in _str_map(event.get("headers"), "headers").items()}
    cookies = event.get("cookies")
    if cookies is not None:
        # The request's cookies, one per entry. Function URL events also repeat them in a
        # `cookie` header (AWS's own captures show both): `cookies` is the one source read.
        if not isinstance(cookies, list) or not all(isinstance(c, str) for c in cookies):
            raise BadEvent("cookies is not a list of strings")
        headers.pop("cookie", None)
        if cookies:
            headers["cookie"] = "; ".join(cookies)
    if "rawQueryString" in event:
        query = _opt_str(event["rawQueryString"], "rawQueryString") or ""
    else:
        query = urlencode(_str_map(event.get("queryStringParameters"), "queryStringParameters"))
    raw_path = _opt_str(event.get("rawPath"), "rawPath")
    if raw_path is None:
        raise BadEvent("rawPath is missing")
    domain = _opt_str(context.get("domainName"), "requestContext.domainName")
    stage = _opt_str(context.get("stage"), "requestContext.stage") or ""
    if ".execute-api." in (headers.get("host") or domain or ""):
        named = wsgi_string(stage) if stage and stage != "$default" else ""
        script_name, path = _split_prefix(_path(raw_path, "rawPath"), named)
    else:
        script_name, path = (wsgi_string(f"/{base_path}") if base_path else ""), _path(raw_path, "rawPath")
    return HttpRequest(
        format=EventFormat.V2,
        multi_value=False,
        method=_method(http.get("method")),
        script_name=script_name,
        path=path,
        query=query,
        headers=headers,
        body=_body(event),
        scheme="https",
        client=_opt_str(http.get("sourceIp"), "requestContext.http.sourceIp"),
        domain=domain,
        protocol=_opt_str(http.get("protocol"), "requestContext.http.protocol") or "HTTP/1.1",
    )


def _mapped_base(path: str, resource, parameters) -> str:
    """A custom domain's base path: what `path` holds before the resource it reached."""
    if not isinstance(resource, str):
        return ""
    resolved = resource
    for name, value in _str_map(parameters, "pathParameters").items():
        resolved = resolved.replace(f"{{{name}+}}", value).replace(f"{{{name}}}", value)
    resolved = wsgi_string(unquote(resolved)).rstrip("/")
    if "{" in resolved or not path.endswith(resolved):
        return ""
    return path[: len(path) - len(resolved)].strip("/")


def _split_prefix(path: str, prefix: str) -> tuple[str, str]:
    """(SCRIPT_NAME, PATH_INFO): `prefix` (a WSGI string) taken off `path` on a segment boundary."""
    if not prefix:
        return "", path
    head = "/" + prefix
    if path == head or path.startswith(head + "/"):
        return head, path[len(head) :] or ""
    return "", path


def _query_params(event) -> dict[str, list[str]]:
    """Every query value by key, for the ALB and REST v1, which name the same two maps. The ALB
    sends `multiValueQueryStringParameters` with multi-value headers on, `queryStringParameters`
    with them off (ELB guide, "Lambda functions as targets"); API Gateway sends both, and either
    may be null ("Lambda proxy integrations", input format). A null map carries nothing."""
    multi = event.get("multiValueQueryStringParameters")
    if multi is not None:
        return _list_map(multi, "multiValueQueryStringParameters")
    single = _str_map(event.get("queryStringParameters"), "queryStringParameters")
    return {key: [value] for key, value in single.items()}


def _headers(event, multi: bool) -> dict[str, str]:
    merged: dict[str, list[str]] = {}
    if multi:
        for key, values in _list_map(event.get("multiValueHeaders"), "multiValueHeaders").items():
            merged.setdefault(key.lower(), []).extend(values)
    for key, value in _str_map(event.get("headers"), "headers").items():
        merged.setdefault(key.lower(), [value])
    return {k: ("; " if k == "cookie" else ", ").join(v) for k, v in merged.items() if v}


def _body(event) -> bytes:
    body = event.get("body")
    encoded = event.get("isBase64Encoded", False)
    if not isinstance(encoded, bool):
        raise BadEvent("isBase64Encoded is not a boolean")
    if body is None:
        return b""
    if not isinstance(body, str):
        raise BadEvent("body is not a string")
    if not encoded:
        return utf8(body)
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise BadEvent("body is not valid base64") from None


def _method(value) -> str:
    if not isinstance(value, str) or not value.isalpha():
        raise BadEvent("the HTTP method is missing or not a token")
    return value.upper()


def _path(value, name: str) -> str:
    if not isinstance(value, str) or not value.startswith("/"):
        raise BadEvent(f"{name} is missing or does not begin with /")
    return unquote_to_bytes(utf8(value)).decode("latin-1")


def _dict(value, name: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadEvent(f"{name} is not an object")
    return value


def _opt_str(value, name: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise BadEvent(f"{name} is not a string")
    return value


def _str_map(value, name: str) -> dict[str, str]:
    value = _dict(value, name)
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise BadEvent(f"{name} is not a map of strings")
    return value


def _list_map(value, name: str) -> dict[str, list[str]]:
    value = _dict(value, name)
    for key, values in value.items():
        if not isinstance(key, str) or not isinstance(values, list):
            raise BadEvent(f"{name} is not a map of string lists")
        if not all(isinstance(v, str) for v in values):
            raise BadEvent(f"{name} is not a map of string lists")
    return value

"""The serving rehearsal's local AWS: ministack, with thirteen AWS behaviours it lacks.

    .venv-ministack/bin/python scripts/lib/catsite_tools/rehearse/ministack_emulator.py

Configured by the environment, as ministack is (`GATEWAY_PORT`, `MINISTACK_HOST`, `AUTH`, ...).
Runs in ministack's own virtualenv (its botocore pin is not catsite's), so it imports nothing of
catsite's. Each behaviour is written from AWS's documentation, not from what Zappa expects:

1. `DescribeTargetHealth` of a target named in `Targets` that is not registered answers it with
   `State` `unused` and `Reason` `Target.NotRegistered` (Elastic Load Balancing API reference,
   TargetHealth). ministack leaves such a target out, so the `target_deregistered` waiter that
   `zappa undeploy` uses on an ALB stage never finishes.
2. `UpdateRestApi` with the patch paths `/binaryMediaTypes/<type>` adds and removes one media
   type, the `/` inside it escaped as `~1` (API Gateway developer guide, "Enabling binary support
   using the API Gateway REST API"; RFC 6901 for the escape). ministack stores the escaped path
   as a key, so a stage with `binary_support` would answer every base64 body as base64 text.
3. An ALB event for a Lambda target carries query values as the client sent them: "If the query
   parameters are URL-encoded, the load balancer does not decode them" (ELB user guide, "Lambda
   functions as targets"). ministack decodes them when multi-value headers are on.
4. A distribution's origin may be a REST API's execute-api endpoint (CloudFront developer guide,
   "Use various origins": "API Gateway"). API Gateway answers HTTPS only, and only requests that
   carry its own host name, which is why the viewer's `Host` must not be forwarded (CloudFront
   developer guide, "Origin request policies": AllViewerExceptHostHeader, "for API Gateway"). A REST
   API of this emulator is served in-process, as ministack serves its own load balancer and
   Function URL origins; ministack refuses to dial any execute-api host (a 502).
5. The CloudFront headers an origin request policy names, `CloudFront-Viewer-Address` (the
   viewer's address and port) and `CloudFront-Forwarded-Proto` (its protocol), are added to the
   origin request (CloudFront developer guide, "Add CloudFront request headers"); CloudFront sets
   them itself, so a viewer's own copies never reach the origin. ministack adds none.
6. A viewer's protocol is the protocol of its connection to CloudFront, not a header it writes
   (CloudFront developer guide, "Require HTTPS for communication between viewers and CloudFront").
   ministack reads it from the viewer's `X-Forwarded-Proto`. The emulator has no certificates and
   serves every distribution over plain http on its port: that connection stands for the viewer's
   TLS connection to the edge, so every viewer request is an https one, whatever it says.
   (Redirecting plain-http viewers to https is therefore not shown here.)
7. A stack's `AWS::ApiGateway::RestApi` has the endpoint type its `EndpointConfiguration` names
   (CloudFormation template reference: `Types`, `VpcEndpointIds`; the REST API's
   `endpointConfiguration` holds them as `types`, `vpcEndpointIds`). ministack stores the
   template's property as it is, so the API reads back with no endpoint type at all (Zappa makes
   a stage's API through a stack, and catsite's must be Regional behind its distribution).
8. An alarm is evaluated whenever data for its metric arrives, from whichever source: "CloudWatch
   ... evaluates ... alarms" on the metric's data points, and Lambda "sends metrics to
   CloudWatch" for every invocation (CloudWatch user guide, "Using Amazon CloudWatch alarms";
   Lambda developer guide, "Types of metrics for Lambda functions"). ministack evaluates alarms
   only on PutMetricData and PutMetricAlarm, so a failing function never moved its Errors alarm.
9. A log line of a function that is an Embedded Metric Format document becomes metrics: "CloudWatch
   Logs ... automatically extract[s] metric values embedded in structured log events" (CloudWatch
   user guide, "Specification: Embedded metric format"): each metric of each directive, by each
   of its dimension sets, in its namespace, with its unit. ministack stores the line only.
10. A failed attempt of an asynchronous invocation counts in the function's `Errors`: "Errors: the
   number of invocations that result in a function error" (Lambda developer guide, "Types of
   metrics for Lambda functions"), whatever the invocation type. ministack records an
   asynchronous invocation once, when it is queued, as a success, so a failing `@task` job or
   schedule never moved an Errors alarm.
11. An alarm watches one metric: its namespace, name and dimensions ("a metric is uniquely defined by
   a name, a namespace, and zero or more dimensions"; an alarm "watches a single CloudWatch
   metric", CloudWatch user guide, "Metrics concepts" and "Using Amazon CloudWatch alarms").
   ministack ignores an alarm's dimensions, so one function's errors moved every function's
   Errors alarm.
12. IAM authorises an action that names its resource in its parameters against that resource
   (Service Authorization Reference: Lambda's CreateFunction on `function`, CloudWatch's
   PutDashboard, GetDashboard and DeleteDashboards on `dashboard`, DeleteAlarms on `alarm`,
   Elastic Load Balancing's CreateLoadBalancer and CreateTargetGroup on `loadbalancer/app` and
   `targetgroup`; CloudFront's CreateDistribution on `distribution/*`, and its origin access
   controls and origin request policies by id, their creation on `<type>/*`). ministack
   evaluates these against `*`, so a policy scoped to a stage's own
   names (the deployer's) was refused them; the same for EventBridge's PutTargets, RemoveTargets
   and ListTargetsByRule on the `rule` they name, and SNS's TagResource, UntagResource and
   ListTagsForResource on the `topic` their ResourceArn names. And a rule on the default event bus is
   `rule/<name>` (the bus is named in a rule's ARN only when it is not the default: Service
   Authorization Reference, "Resource types defined by Amazon EventBridge"); ministack wrote
   `rule/default/<name>`.
13. IAM authorises a Lambda request as the action its API names: GetAlias, UpdateAlias and
   DeleteAlias on `.../aliases/{name}`; Get, Put and DeleteFunctionConcurrency on
   `.../concurrency`; the FunctionEventInvokeConfig actions on `.../event-invoke-config`;
   ListFunctionUrlConfigs on `.../urls` (Lambda API reference; Service Authorization Reference,
   "Actions defined by AWS Lambda"). ministack took reading an alias for ListAliases, every
   concurrency call for PutFunctionConcurrency, and the others for GetFunction or
   UpdateFunctionCode.

Left as ministack has them, because catsite relies on neither (the door tests hold catsite to
AWS's shapes, built from the AWS pages): header names arrive lower-cased and repeated headers
joined, and the load balancer adds no `X-Forwarded-*` headers (catsite then answers as behind an
http listener, which is what the emulator is).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import http.client
import os
import re
import sys
from urllib.parse import parse_qs


def _target_health_with_not_registered(original):
    from ministack.services import alb

    def describe_target_health(params):
        answer = original(params)
        group = alb._p(params, "TargetGroupArn")
        if group not in alb._tgs:
            return answer
        registered = {t["Id"] for t in alb._targets.get(group, [])}
        missing = [t for t in alb._parse_targets_param(params) if t["Id"] not in registered]
        if not missing:
            return answer
        status, headers, body = answer
        members = "".join(
            "<member>"
            f"<Target><Id>{t['Id']}</Id></Target>"
            "<TargetHealth><State>unused</State><Reason>Target.NotRegistered</Reason>"
            "<Description>Target is not registered to the target group</Description></TargetHealth>"
            "</member>"
            for t in missing
        )
        text = body.decode() if isinstance(body, bytes) else body
        text = text.replace("</TargetHealthDescriptions>", members + "</TargetHealthDescriptions>", 1)
        return status, headers, text.encode() if isinstance(body, bytes) else text

    return describe_target_health


def _update_rest_api_with_media_types(original):
    from ministack.services import apigateway_v1

    prefix = "/binaryMediaTypes/"

    def update_rest_api(api_id, data):
        api = apigateway_v1._rest_apis.get(api_id)
        operations = data.get("patchOperations", []) or []
        media = [op for op in operations if op.get("path", "").startswith(prefix)]
        if api is None or not media:
            return original(api_id, data)
        types = [t for t in api.get("binaryMediaTypes") or [] if isinstance(t, str)]
        for op in media:
            kind = op["path"][len(prefix) :].replace("~1", "/").replace("~0", "~")
            if op.get("op") == "add" and kind not in types:
                types.append(kind)
            elif op.get("op") == "remove" and kind in types:
                types.remove(kind)
        api["binaryMediaTypes"] = types
        rest = [op for op in operations if op not in media]
        return original(api_id, {**data, "patchOperations": rest})

    return update_rest_api


def _raw_query(raw: str) -> dict[str, list[str]]:
    """`a=%31&a=2&b` split into keys and values as the client sent them, none decoded."""
    params: dict[str, list[str]] = {}
    for part in filter(None, raw.split("&")):
        key, _, value = part.partition("=")
        params.setdefault(key, []).append(value)
    return params


def _lambda_target_with_raw_query(original):
    async def invoke_lambda_target(
        function_ref, tg_arn, method, path, headers, body, query_params, raw_query_string=None
    ):
        if raw_query_string is not None:
            query_params = _raw_query(raw_query_string)
        return await original(
            function_ref, tg_arn, method, path, headers, body, query_params, raw_query_string
        )

    return invoke_lambda_target


#: A REST API's Regional or edge-optimized endpoint name.
_EXECUTE_API_HOST = re.compile(r"^([a-z0-9]+)\.execute-api\.[a-z0-9-]+\.amazonaws\.com$")
#: The viewer's TCP peer (address, port) of the request being served, from the ASGI scope.
_viewer_peer: contextvars.ContextVar = contextvars.ContextVar("catsite_viewer_peer", default=("127.0.0.1", 0))


def _asgi_app_recording_the_peer(original):
    async def app(scope, receive, send):
        if scope.get("type") == "http" and scope.get("client"):
            _viewer_peer.set(tuple(scope["client"]))
        return await original(scope, receive, send)

    return app


def _fetch_with_rest_api_origins(original):
    """Gap 4: an execute-api origin of this emulator's REST APIs, served in-process."""

    async def fetch(
        origin, method, uri, query_string, headers, body, viewer_is_https, client_ip, viewer_xff, dist_arn
    ):
        from ministack import app
        from ministack.services import apigateway_v1
        from ministack.services import cloudfront as cf

        host = cf._normalize_origin_host(origin["domain_name"])
        match = _EXECUTE_API_HOST.match(host)
        if not match or apigateway_v1.find_api_scope(match.group(1)) is None:
            return await original(
                origin,
                method,
                uri,
                query_string,
                headers,
                body,
                viewer_is_https,
                client_ip,
                viewer_xff,
                dist_arn,
            )
        _host, _port, use_https = cf._origin_connect_target(origin, viewer_is_https)
        if not use_https:
            raise cf.OriginUnreachable(f"{host} answers HTTPS only")
        sent = {
            k.lower(): v
            for k, v in cf._origin_request_headers(origin, headers, client_ip, viewer_xff).items()
        }
        if sent.get("host", "").split(":", 1)[0].lower() != host:
            forbidden = [("Content-Type", "application/json"), ("x-amzn-ErrorType", "ForbiddenException")]
            return 403, "Forbidden", cf._multidict_from_pairs(forbidden), b'{"message":"Forbidden"}'
        path = (origin.get("origin_path") or "") + uri
        route = f"{match.group(1)}.execute-api.{app._MINISTACK_HOST}"
        timeout = origin.get("read_timeout", 30)
        try:
            status, answer_headers, data = await asyncio.wait_for(
                app._handle_execute_api_request(
                    route,
                    path,
                    method,
                    sent,
                    body or b"",
                    parse_qs(query_string, keep_blank_values=True),
                    raw_path=path,
                    raw_query_string=query_string,
                ),
                timeout,
            )
        except TimeoutError as error:
            raise cf.OriginTimeout(f"no response from {host} within {timeout}s") from error
        except Exception as error:
            raise cf.OriginUnreachable(str(error)) from error
        if isinstance(data, cf.StreamingResponse):
            data = await cf._collect_streaming_body(data, timeout)
        pairs = [
            (name, value)
            for name, values in answer_headers.items()
            for value in (values if isinstance(values, list) else [values])
        ]
        return status, http.client.responses.get(status, ""), cf._multidict_from_pairs(pairs), data

    return fetch


def _cloudfront_headers(dist: dict, path: str, client_ip: str) -> dict[str, str]:
    """Gap 5: the CloudFront headers the matched behaviour's origin request policy names."""
    from ministack.services import cloudfront as cf

    behavior = cf._match_behavior(cf.parse_distribution_dataplane_config(dist), path) or {}
    policy = cf.origin_request_policy_config(behavior.get("origin_request_policy_id") or "") or {}
    if policy.get("HeaderBehavior") not in ("whitelist", "allViewerAndWhitelistCloudFront"):
        return {}
    named = {name.lower() for name in policy.get("Headers") or []}
    address, port = _viewer_peer.get()
    values = {
        "cloudfront-viewer-address": f"{client_ip or address}:{port}",
        "cloudfront-forwarded-proto": "https",  # gap 6: the viewer's connection stands for TLS
    }
    return {name: value for name, value in values.items() if name in named}


def _viewer_request_as_cloudfront_sees_it(original):
    """Gaps 5 and 6: the viewer's protocol from its connection, CloudFront's own headers."""

    async def handle_viewer_request(
        dist, method, path, raw_uri, raw_query_string, headers, body, query_params, client_ip="127.0.0.1"
    ):
        seen = {k: v for k, v in headers.items() if not k.lower().startswith("cloudfront-")}
        seen["x-forwarded-proto"] = "https"
        seen.update(_cloudfront_headers(dist, path, client_ip))
        return await original(
            dist, method, path, raw_uri, raw_query_string, seen, body, query_params, client_ip
        )

    return handle_viewer_request


def _api_members(props: dict) -> dict:
    """A RestApi's template properties with EndpointConfiguration in the API's own member names."""
    given = props.get("EndpointConfiguration")
    if not isinstance(given, dict):
        return props
    names = {"Types": "types", "VpcEndpointIds": "vpcEndpointIds"}
    return {**props, "EndpointConfiguration": {names.get(k, k): v for k, v in given.items()}}


def _rest_api_with_its_endpoint_type(create, update):
    """Gap 7: a stack's RestApi created and updated with the endpoint type its template names."""

    def created(logical_id, props, stack_name):
        return create(logical_id, _api_members(props), stack_name)

    def updated(physical_id, old_props, new_props, stack_name, logical_id=None):
        return update(physical_id, _api_members(old_props), _api_members(new_props), stack_name, logical_id)

    return created, updated


def _record_metric_evaluating_alarms(original):
    from ministack.services import cloudwatch

    def record_metric(namespace, metric_name, value, unit="None", dimensions=None):
        original(namespace, metric_name, value, unit, dimensions)
        for alarm in list(cloudwatch._alarms.values()):
            if alarm.get("Namespace") == namespace and alarm.get("MetricName") == metric_name:
                # as ministack's own evaluation does: an alarm's error never breaks the caller
                with contextlib.suppress(Exception):
                    cloudwatch._evaluate_alarm(alarm)

    return record_metric


def emf_metrics(line: str) -> list[tuple[str, str, float, str, dict]]:
    """(namespace, metric, value, unit, dimensions) of every metric an EMF line names; [] for a
    line that is not one (not JSON, no `_aws.CloudWatchMetrics`, a member missing)."""
    import json

    try:
        document = json.loads(line)
        directives = document["_aws"]["CloudWatchMetrics"]
    except (ValueError, KeyError, TypeError):
        return []
    found = []
    for directive in directives if isinstance(directives, list) else []:
        try:
            for dimensions in directive.get("Dimensions") or [[]]:
                dims = {name: str(document[name]) for name in dimensions}
                for metric in directive["Metrics"]:
                    values = document[metric["Name"]]
                    for value in values if isinstance(values, list) else [values]:
                        found.append(
                            (
                                directive["Namespace"],
                                metric["Name"],
                                float(value),
                                metric.get("Unit", "None"),
                                dims,
                            )
                        )
        except (KeyError, TypeError, ValueError):
            continue
    return found


def _logs_extracting_metrics(original):
    from ministack.services import cloudwatch

    def emit_lambda_logs(func, request_id, log_text, error, duration_ms, *, log_source=None):
        original(func, request_id, log_text, error, duration_ms, log_source=log_source)
        for line in (log_text or "").splitlines():
            if '"_aws"' in line:
                for namespace, name, value, unit, dims in emf_metrics(line[line.find("{") :]):
                    cloudwatch.record_metric(namespace, name, value, unit, dims)

    return emit_lambda_logs


_COMPARE = {
    "GreaterThanOrEqualToThreshold": lambda value, threshold: value >= threshold,
    "GreaterThanThreshold": lambda value, threshold: value > threshold,
    "LessThanThreshold": lambda value, threshold: value < threshold,
    "LessThanOrEqualToThreshold": lambda value, threshold: value <= threshold,
}


def _alarm_by_dimensions(original):
    """An alarm with dimensions judged on its own metric's points only (behaviour 11); the state
    change is made, recorded and notified through ministack's own helpers."""
    import time

    from ministack.services import cloudwatch

    def evaluate_alarm(alarm):
        wanted = cloudwatch._dims_from_list(alarm.get("Dimensions") or [])
        operator = _COMPARE.get(alarm.get("ComparisonOperator", ""))
        if not wanted or operator is None or not alarm.get("Namespace") or not alarm.get("MetricName"):
            return original(alarm)
        key = (alarm["Namespace"], alarm["MetricName"], cloudwatch._dims_key(wanted))
        cutoff = time.time() - alarm.get("Period", 60) * alarm.get("EvaluationPeriods", 1)
        recent = [
            p
            for k, points in list(cloudwatch._metrics.items())
            if k == key
            for p in points
            if p["Timestamp"] >= cutoff
        ]
        if not recent:
            return None
        statistic = alarm.get("ExtendedStatistic") or alarm.get("Statistic", "Average")
        value = cloudwatch._stat_value(cloudwatch._calc_stats(recent), statistic, recent)
        if value is None:
            return None
        threshold = alarm.get("Threshold", 0)
        old, new = alarm["StateValue"], "ALARM" if operator(value, threshold) else "OK"
        if old != new:
            reason = f"Threshold Crossed: {statistic} {value} {alarm['ComparisonOperator']} {threshold}"
            alarm.update(StateValue=new, StateReason=reason, StateUpdatedTimestamp=int(time.time()))
            cloudwatch._record_history(alarm["AlarmName"], old, new, reason)
            cloudwatch._dispatch_alarm_actions(alarm, old, new, reason)
            cloudwatch._evaluate_parent_alarms(alarm)
        return None

    return evaluate_alarm


def _resources_named_in_parameters(original):
    """extract_resource_arn with behaviour 12; every other request as ministack names it."""
    import json
    from urllib.parse import parse_qs

    def field(body, query_params, name):
        """A parameter from a JSON body as it is (a list stays a list), else from the query or
        form parameters (their first value)."""
        try:
            value = json.loads(body or b"{}").get(name)
        except (ValueError, AttributeError):
            value = None
        if value is not None:
            return value
        value = query_params.get(name)
        if value is None and body:
            value = parse_qs(body.decode("utf-8", "replace")).get(name)
        return value[0] if isinstance(value, list) and value else value

    def extract_resource_arn(service, method, path, headers, body, query_params, region, account_id):
        arn = original(service, method, path, headers, body, query_params, region, account_id)
        default_rule = f"arn:aws:events:{region}:{account_id}:rule/default/"
        if service == "events" and arn.startswith(default_rule):
            return f"arn:aws:events:{region}:{account_id}:rule/" + arn[len(default_rule) :]
        if arn != "*":
            return arn
        target = (headers.get("x-amz-target") or headers.get("X-Amz-Target") or "").rsplit(".", 1)[-1]
        action = field(body, query_params, "Action") or target
        if service == "lambda" and method == "POST" and path.rstrip("/").endswith("/functions"):
            name = field(body, query_params, "FunctionName")
            if name:
                return (
                    name
                    if name.startswith("arn:")
                    else f"arn:aws:lambda:{region}:{account_id}:function:{name}"
                )
        if service == "monitoring":
            dashboard = field(body, query_params, "DashboardName") or field(
                body, query_params, "DashboardNames.member.1"
            )
            names = field(body, query_params, "DashboardNames")
            if not dashboard and isinstance(names, list) and names:
                dashboard = names[0]
            if dashboard:
                return f"arn:aws:cloudwatch::{account_id}:dashboard/{dashboard}"
            alarms = field(body, query_params, "AlarmNames")
            alarm = (
                alarms[0]
                if isinstance(alarms, list) and alarms
                else field(body, query_params, "AlarmNames.member.1")
            )
            if alarm and action in ("DeleteAlarms", ""):
                return f"arn:aws:cloudwatch:{region}:{account_id}:alarm:{alarm}"
        if service == "cloudfront":
            # CreateDistribution on `distribution/*`; the origin access controls and origin request
            # policies by their id, their creation on `<type>/*` (Service Authorization Reference,
            # "Actions defined by Amazon CloudFront"). The List actions stay on `*`.
            parts = [p for p in path.split("/") if p]
            for kind in ("distribution", "origin-access-control", "origin-request-policy"):
                if kind in parts:
                    rest = parts[parts.index(kind) + 1 :]
                    if rest:
                        return f"arn:aws:cloudfront::{account_id}:{kind}/{rest[0]}"
                    if method == "POST":
                        return f"arn:aws:cloudfront::{account_id}:{kind}/*"
        if service == "sns" and action in ("TagResource", "UntagResource", "ListTagsForResource"):
            topic = field(body, query_params, "ResourceArn")  # on the `topic` it names
            if topic:
                return topic
        if service == "events":
            rule = field(body, query_params, "Rule")  # PutTargets, RemoveTargets, ListTargetsByRule
            if rule:
                return f"arn:aws:events:{region}:{account_id}:rule/{rule}"
        if service == "elasticloadbalancing":
            name = field(body, query_params, "Name")
            if name and action == "CreateLoadBalancer":
                return f"arn:aws:elasticloadbalancing:{region}:{account_id}:loadbalancer/app/{name}/*"
            if name and action == "CreateTargetGroup":
                return f"arn:aws:elasticloadbalancing:{region}:{account_id}:targetgroup/{name}/*"
        return arn

    return extract_resource_arn


#: Lambda's actions by the sub-resource of a function path (Lambda API reference: GetAlias,
#: UpdateAlias, DeleteAlias on .../aliases/{name}; Get/Put/DeleteFunctionConcurrency on
#: .../concurrency; Get/Put/Update/DeleteFunctionEventInvokeConfig on .../event-invoke-config;
#: ListFunctionUrlConfigs on .../urls).
_LAMBDA_SUB_ACTIONS = {
    ("aliases", True): {"GET": "GetAlias", "PUT": "UpdateAlias", "DELETE": "DeleteAlias"},
    ("concurrency", False): {"GET": "GetFunctionConcurrency", "PUT": "PutFunctionConcurrency",
                             "DELETE": "DeleteFunctionConcurrency"},
    ("event-invoke-config", False): {"GET": "GetFunctionEventInvokeConfig",
                                     "PUT": "PutFunctionEventInvokeConfig",
                                     "POST": "UpdateFunctionEventInvokeConfig",
                                     "DELETE": "DeleteFunctionEventInvokeConfig"},
    ("urls", False): {"GET": "ListFunctionUrlConfigs"},
}  # fmt: skip


def _lambda_actions_by_path(original):
    """Lambda's action for a request, as its API names it (behaviour 13); ministack's otherwise."""

    def lambda_action(method, path):
        parts = [p for p in path.split("/") if p]
        if "functions" in parts:
            rest = parts[parts.index("functions") + 1 :]
            if len(rest) >= 2:
                named = _LAMBDA_SUB_ACTIONS.get((rest[1], len(rest) > 2))
                if named and method in named:
                    return named[method]
        return original(method, path)

    return lambda_action


_asynchronous = contextvars.ContextVar("catsite_rehearsal_asynchronous", default=False)


def _async_marking(original):
    """The asynchronous path, marked: its worker thread runs in a copy of this context."""

    def invoke_async_with_retry(func, event):
        token = _asynchronous.set(True)
        try:
            return original(func, event)
        finally:
            _asynchronous.reset(token)

    return invoke_async_with_retry


def _execute_counting_async_errors(original):
    from ministack.services import cloudwatch

    def execute_function(func, event):
        result = original(func, event)
        if _asynchronous.get() and result.get("error"):
            config = func.get("config") or func
            name = config.get("FunctionName", "unknown")
            cloudwatch.record_metric("AWS/Lambda", "Errors", 1, "Count", {"FunctionName": name})
        return result

    return execute_function


def extend_ministack() -> None:
    """Add the thirteen behaviours, before ministack serves its first request (and before its app
    imports the IAM helpers by name)."""
    from ministack.core import iam_actions

    iam_actions.extract_resource_arn = _resources_named_in_parameters(iam_actions.extract_resource_arn)
    iam_actions._lambda_action = _lambda_actions_by_path(iam_actions._lambda_action)
    from ministack import app
    from ministack.services import alb, apigateway_v1, cloudfront, cloudwatch, lambda_svc
    from ministack.services.cloudformation import provisioners

    alb._ACTION_MAP["DescribeTargetHealth"] = _target_health_with_not_registered(
        alb._ACTION_MAP["DescribeTargetHealth"]
    )
    apigateway_v1._update_rest_api = _update_rest_api_with_media_types(apigateway_v1._update_rest_api)
    alb._invoke_lambda_target = _lambda_target_with_raw_query(alb._invoke_lambda_target)
    cloudfront._fetch_from_origin = _fetch_with_rest_api_origins(cloudfront._fetch_from_origin)
    cloudfront.handle_viewer_request = _viewer_request_as_cloudfront_sees_it(cloudfront.handle_viewer_request)
    app.app = _asgi_app_recording_the_peer(app.app)
    rest_api = provisioners._RESOURCE_HANDLERS["AWS::ApiGateway::RestApi"]
    rest_api["create"], rest_api["update"] = _rest_api_with_its_endpoint_type(
        rest_api["create"], rest_api["update"]
    )
    cloudwatch.record_metric = _record_metric_evaluating_alarms(cloudwatch.record_metric)
    cloudwatch._evaluate_alarm = _alarm_by_dimensions(cloudwatch._evaluate_alarm)
    lambda_svc._emit_lambda_logs = _logs_extracting_metrics(lambda_svc._emit_lambda_logs)
    lambda_svc.invoke_async_with_retry = _async_marking(lambda_svc.invoke_async_with_retry)
    lambda_svc._execute_function = _execute_counting_async_errors(lambda_svc._execute_function)


def main() -> None:
    if sys.argv[1:2] in (["-h"], ["--help"]):
        print(__doc__)
        return
    # Run as a script, this folder heads sys.path; ministack must not import the tools' modules.
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != here]
    extend_ministack()
    from ministack.app import main as ministack_main

    ministack_main()


if __name__ == "__main__":
    main()

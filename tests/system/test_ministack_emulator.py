"""The serving rehearsal's local AWS (ministack with `catsite_tools.rehearse.ministack_emulator`): the
behaviours it adds (thirteen), each as AWS's documentation states it, and the Lambda runtime it
gives functions (the stage's Python, with the boto3 Lambda's runtime provides)."""

from __future__ import annotations

import datetime
import http.server
import io
import json
import threading
import zipfile

import boto3
import pytest
import requests

from catsite_tools.rehearse.emulators import MinistackEmulator
from catsite_tools.rehearse.operations import sns_may_send

#: Answers the event's query maps and what the runtime is.
HANDLER = """
import json, sys

def handler(event, context):
    import boto3
    if "fail" in event:
        raise RuntimeError("failing on purpose")
    if "emf" in event:  # one log line, as the function wrote it
        print(json.dumps(event["emf"]), flush=True)
        return {"printed": True}
    if "bucket" in event:  # a direct invoke: read one object with the function's role
        try:
            boto3.client("s3").get_object(Bucket=event["bucket"], Key=event["key"])
            return {"read": True}
        except Exception as error:
            return {"error": getattr(error, "response", {}).get("Error", {}).get("Code", repr(error))}
    return {
        "statusCode": 200,
        "statusDescription": "200 OK",
        "isBase64Encoded": False,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({
            "python": list(sys.version_info[:2]),
            "boto3": boto3.__version__,
            "single": event.get("queryStringParameters"),
            "multi": event.get("multiValueQueryStringParameters"),
        }),
    }
"""


@pytest.fixture(scope="module")
def emulator():
    with MinistackEmulator() as server:
        yield server


def client(emulator, service):
    return boto3.client(
        service,
        endpoint_url=emulator.url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 - the emulator's placeholder
    )


def a_user_holding(emulator, user: str, statements: list[dict]):
    """An IAM user holding only `statements`; returns a maker of clients signed with its key."""
    iam = client(emulator, "iam")
    iam.create_user(UserName=user)
    document = json.dumps({"Version": "2012-10-17", "Statement": statements})
    iam.put_user_policy(UserName=user, PolicyName="only-this", PolicyDocument=document)
    key = iam.create_access_key(UserName=user)["AccessKey"]

    def as_user(service: str):
        return boto3.client(
            service,
            endpoint_url=emulator.url,
            region_name="us-east-1",
            aws_access_key_id=key["AccessKeyId"],
            aws_secret_access_key=key["SecretAccessKey"],
        )

    return as_user


def a_function(emulator, name: str, policy: dict | None = None) -> str:
    iam = client(emulator, "iam")
    role = iam.create_role(RoleName=f"{name}-role", AssumeRolePolicyDocument="{}")
    if policy:
        iam.put_role_policy(RoleName=f"{name}-role", PolicyName="grants", PolicyDocument=json.dumps(policy))
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("handler.py", HANDLER)
    lam = client(emulator, "lambda")
    arn = lam.create_function(
        FunctionName=name,
        Runtime="python3.13",
        Role=role["Role"]["Arn"],
        Handler="handler.handler",
        Code={"ZipFile": code.getvalue()},
        Timeout=30,
    )["FunctionArn"]
    lam.get_waiter("function_active_v2").wait(FunctionName=name)
    return arn


def a_load_balancer(emulator, name: str, function_arn: str, multi_value: bool) -> str:
    """An ALB forwarding to the function; answers the load balancer's DNS name."""
    ec2, elbv2 = client(emulator, "ec2"), client(emulator, "elbv2")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.9.{i}.0/24", AvailabilityZone=f"us-east-1{z}")["Subnet"][
            "SubnetId"
        ]
        for i, z in enumerate("ab")
    ]
    lb = elbv2.create_load_balancer(Name=name, Subnets=subnets)["LoadBalancers"][0]
    group = elbv2.create_target_group(Name=name, TargetType="lambda")["TargetGroups"][0]["TargetGroupArn"]
    elbv2.modify_target_group_attributes(
        TargetGroupArn=group,
        Attributes=[{"Key": "lambda.multi_value_headers.enabled", "Value": str(multi_value).lower()}],
    )
    elbv2.register_targets(TargetGroupArn=group, Targets=[{"Id": function_arn}])
    elbv2.create_listener(
        LoadBalancerArn=lb["LoadBalancerArn"],
        Protocol="HTTP",
        Port=80,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": group}],
    )
    return lb["DNSName"]


def through_alb(emulator, dns_name: str, query: str) -> dict:
    response = requests.get(
        f"{emulator.url}/?{query}", headers={"Host": f"{dns_name}:{emulator.port}"}, timeout=60
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_functions_run_on_the_stage_python_with_boto3_beside_them(emulator):
    # Lambda's python3.13 runtime is Python 3.13 and includes the AWS SDK for Python (Lambda
    # developer guide, "Lambda runtimes"); the catsite zip leaves boto3 out for that reason.
    arn = a_function(emulator, "runtime-probe")
    dns = a_load_balancer(emulator, "runtime-probe", arn, multi_value=False)
    answer = through_alb(emulator, dns, "x=1")
    assert answer["python"] == [3, 13]
    assert answer["boto3"]


@pytest.mark.parametrize("multi_value", [False, True])
def test_alb_passes_query_values_as_the_client_sent_them(emulator, multi_value):
    # ELB user guide, "Lambda functions as targets": "If the query parameters are URL-encoded,
    # the load balancer does not decode them"; with multi-value headers on, repeated keys are
    # all in multiValueQueryStringParameters, else queryStringParameters has the last one.
    name = f"raw-query-{'multi' if multi_value else 'single'}"
    dns = a_load_balancer(emulator, name, a_function(emulator, name), multi_value)
    # (%2B and %26 stay encoded on the wire: HTTP clients decode only unreserved characters)
    answer = through_alb(emulator, dns, "a=%2B1&a=2&b=x%20y&c=%E2%9C%93&d=%26")
    if multi_value:
        assert answer["multi"] == {"a": ["%2B1", "2"], "b": ["x%20y"], "c": ["%E2%9C%93"], "d": ["%26"]}
    else:
        assert answer["single"] == {"a": "2", "b": "x%20y", "c": "%E2%9C%93", "d": "%26"}


def test_target_health_of_a_target_not_registered(emulator):
    # Elastic Load Balancing API reference, TargetHealth: State "unused", Reason
    # "Target.NotRegistered" ("The target is not registered with the target group").
    arn = a_function(emulator, "health-probe")
    elbv2 = client(emulator, "elbv2")
    group = elbv2.create_target_group(Name="health-probe", TargetType="lambda")["TargetGroups"][0][
        "TargetGroupArn"
    ]
    elbv2.register_targets(TargetGroupArn=group, Targets=[{"Id": f"{arn}:live"}])
    health = elbv2.describe_target_health(TargetGroupArn=group, Targets=[{"Id": arn}])[
        "TargetHealthDescriptions"
    ]
    assert [(h["Target"]["Id"], h["TargetHealth"]["State"], h["TargetHealth"]["Reason"]) for h in health] == [
        (arn, "unused", "Target.NotRegistered")
    ]
    # the waiter `zappa undeploy` uses finishes on it
    elbv2.get_waiter("target_deregistered").wait(
        TargetGroupArn=group, Targets=[{"Id": arn}], WaiterConfig={"Delay": 1, "MaxAttempts": 3}
    )
    registered = elbv2.describe_target_health(TargetGroupArn=group)["TargetHealthDescriptions"]
    assert [h["Target"]["Id"] for h in registered] == [f"{arn}:live"]


def test_binary_media_types_are_added_and_removed_by_patch_path(emulator):
    # API Gateway developer guide, "Enabling binary support using the API Gateway REST API":
    # the patch path is /binaryMediaTypes/<type>, its "/" escaped as "~1" (RFC 6901).
    apigateway = client(emulator, "apigateway")
    api = apigateway.create_rest_api(name="binary")["id"]
    add = [
        {"op": "add", "path": "/binaryMediaTypes/image~1png"},
        {"op": "add", "path": "/binaryMediaTypes/*~1*"},
    ]
    assert apigateway.update_rest_api(restApiId=api, patchOperations=add)["binaryMediaTypes"] == [
        "image/png",
        "*/*",
    ]
    remove = [{"op": "remove", "path": "/binaryMediaTypes/image~1png"}]
    apigateway.update_rest_api(restApiId=api, patchOperations=remove)
    assert apigateway.get_rest_api(restApiId=api)["binaryMediaTypes"] == ["*/*"]
    # other patch paths still apply
    apigateway.update_rest_api(
        restApiId=api, patchOperations=[{"op": "replace", "path": "/description", "value": "cats"}]
    )
    assert apigateway.get_rest_api(restApiId=api)["description"] == "cats"


def test_a_function_s_calls_are_held_to_its_role_policy(emulator):
    # IAM user guide, "Policy evaluation logic": what no policy allows is denied; the rehearsal
    # leans on this to run every smoke step under the stage's own generated policy.
    s3 = client(emulator, "s3")
    s3.create_bucket(Bucket="held-to-policy")
    s3.put_object(Bucket="held-to-policy", Key="state/cat.json", Body=b"{}")
    s3.put_object(Bucket="held-to-policy", Key="other/secret.json", Body=b"{}")
    grant = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::held-to-policy/state/*"}
        ],
    }
    a_function(emulator, "held", policy=grant)
    lam = client(emulator, "lambda")

    def read(key: str) -> dict:
        payload = json.dumps({"bucket": "held-to-policy", "key": key})
        return json.loads(lam.invoke(FunctionName="held", Payload=payload)["Payload"].read())

    assert read("state/cat.json") == {"read": True}
    assert read("other/secret.json") == {"error": "AccessDenied"}


# -- CloudFront: the distribution's origins and what it tells them -------------------------------

#: Answers what API Gateway's proxy integration handed it.
ECHO_EVENT = """
import json

def handler(event, context):
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": json.dumps({
        "path": event.get("path"), "query": event.get("queryStringParameters"),
        "headers": {k.lower(): v for k, v in (event.get("headers") or {}).items()},
    })}
"""
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER = "216adef6-5c7f-47e4-b989-5492eafa07d3"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"


def a_rest_api(emulator, name: str) -> str:
    """A REST API with a `/{proxy+}` Lambda proxy integration on stage `dev`; answers its id."""
    iam, lam = client(emulator, "iam"), client(emulator, "lambda")
    role = iam.create_role(RoleName=f"{name}-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("handler.py", ECHO_EVENT)
    arn = lam.create_function(
        FunctionName=name,
        Runtime="python3.13",
        Role=role,
        Handler="handler.handler",
        Code={"ZipFile": code.getvalue()},
        Timeout=30,
    )["FunctionArn"]
    lam.get_waiter("function_active_v2").wait(FunctionName=name)
    apigateway = client(emulator, "apigateway")
    api = apigateway.create_rest_api(name=name, endpointConfiguration={"types": ["REGIONAL"]})["id"]
    root = apigateway.get_resources(restApiId=api)["items"][0]["id"]
    proxy = apigateway.create_resource(restApiId=api, parentId=root, pathPart="{proxy+}")["id"]
    apigateway.put_method(restApiId=api, resourceId=proxy, httpMethod="ANY", authorizationType="NONE")
    apigateway.put_integration(
        restApiId=api,
        resourceId=proxy,
        httpMethod="ANY",
        type="AWS_PROXY",
        integrationHttpMethod="POST",
        uri=f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{arn}/invocations",
    )
    apigateway.create_deployment(restApiId=api, stageName="dev")
    return api


def behaviour(origin: str, origin_policy: str, cache_policy: str = CACHING_DISABLED) -> dict:
    methods = ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"]
    return {
        "TargetOriginId": origin,
        "ViewerProtocolPolicy": "redirect-to-https",
        "CachePolicyId": cache_policy,
        "OriginRequestPolicyId": origin_policy,
        "AllowedMethods": {
            "Quantity": 7,
            "Items": methods,
            "CachedMethods": {"Quantity": 2, "Items": methods[:2]},
        },
    }


def a_distribution(emulator, origin: dict, origin_policy: str) -> str:
    """A distribution with one custom origin; answers the Host its viewers send."""
    config = {
        "CallerReference": origin["Id"] + origin_policy,
        "Comment": origin["Id"],
        "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [origin]},
        "DefaultCacheBehavior": behaviour(origin["Id"], origin_policy),
    }
    created = client(emulator, "cloudfront").create_distribution(DistributionConfig=config)["Distribution"]
    return f"{created['DomainName']}:{emulator.port}"


#: What a plain-ministack viewer would need to be an https one (gap 6); the extended emulator
#: ignores it. Sent so that each test below fails on plain ministack for its own gap alone.
HTTPS_VIEWER = {"X-Forwarded-Proto": "https"}


def custom_origin(
    origin_id: str, domain: str, port: int = 443, protocol: str = "https-only", path: str = ""
) -> dict:
    return {
        "Id": origin_id,
        "DomainName": domain,
        "OriginPath": path,
        "CustomOriginConfig": {"HTTPPort": port, "HTTPSPort": port, "OriginProtocolPolicy": protocol},
    }


def test_a_rest_api_is_a_distribution_origin_reached_over_https_with_its_own_host(emulator):
    # CloudFront developer guide, "Use various origins" (API Gateway) and "Use managed origin
    # request policies": with AllViewerExceptHostHeader the origin gets its own Host and answers;
    # with the viewer's Host (AllViewer) API Gateway refuses it, 403.
    api = a_rest_api(emulator, "edge-origin")
    origin = custom_origin("api", f"{api}.execute-api.us-east-1.amazonaws.com", path="/dev")
    host = a_distribution(emulator, origin, ALL_VIEWER_EXCEPT_HOST)
    answer = requests.get(f"{emulator.url}/cats/1?x=2", headers={"Host": host, **HTTPS_VIEWER}, timeout=60)
    assert answer.status_code == 200, answer.text[:300]
    assert answer.json()["path"] == "/cats/1" and answer.json()["query"] == {"x": "2"}
    assert answer.headers["Via"].endswith(".cloudfront.net (CloudFront)")
    wrong_host = a_distribution(emulator, {**origin, "Id": "api-viewer-host"}, ALL_VIEWER)
    refused = requests.get(f"{emulator.url}/cats/1", headers={"Host": wrong_host, **HTTPS_VIEWER}, timeout=60)
    assert refused.status_code == 403
    # API Gateway answers HTTPS only: an origin reached over http is unreachable, 502
    plain = a_distribution(
        emulator,
        {
            **origin,
            "Id": "api-http",
            "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"},
        },
        ALL_VIEWER_EXCEPT_HOST,
    )
    assert (
        requests.get(
            f"{emulator.url}/cats/1", headers={"Host": plain, **HTTPS_VIEWER}, timeout=60
        ).status_code
        == 502
    )


class _EchoHeaders(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the stdlib's name
        body = json.dumps({k.lower(): v for k, v in self.headers.items()}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def echo_origin():
    """A plain-http origin on 127.0.0.1 answering the headers it received."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _EchoHeaders)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()
    thread.join()


def a_viewer_headers_policy(emulator, name: str) -> str:
    config = {
        "Name": name,
        "HeadersConfig": {
            "HeaderBehavior": "whitelist",
            "Headers": {"Quantity": 2, "Items": ["CloudFront-Viewer-Address", "CloudFront-Forwarded-Proto"]},
        },
        "CookiesConfig": {"CookieBehavior": "none"},
        "QueryStringsConfig": {"QueryStringBehavior": "all"},
    }
    answer = client(emulator, "cloudfront").create_origin_request_policy(OriginRequestPolicyConfig=config)
    return answer["OriginRequestPolicy"]["Id"]


def test_the_origin_gets_the_cloudfront_headers_its_policy_names_and_never_the_viewers(emulator, echo_origin):
    # CloudFront developer guide, "Add CloudFront request headers": CloudFront-Viewer-Address is
    # the viewer's IP address and source port, CloudFront-Forwarded-Proto the protocol of its
    # request; CloudFront adds them when the origin request policy names them.
    policy = a_viewer_headers_policy(emulator, "viewer-headers")
    host = a_distribution(emulator, custom_origin("echo", "127.0.0.1", echo_origin, "http-only"), policy)
    forged = {
        "Host": host,
        **HTTPS_VIEWER,
        "CloudFront-Viewer-Address": "203.0.113.9:1",
        "CloudFront-Forwarded-Proto": "http",
    }
    seen = requests.get(f"{emulator.url}/", headers=forged, timeout=60).json()
    address, _, port = seen["cloudfront-viewer-address"].rpartition(":")
    assert address == "127.0.0.1" and port.isdigit() and int(port) > 0
    assert seen["cloudfront-forwarded-proto"] == "https"
    # headers no policy names are not added
    plain = a_distribution(
        emulator, custom_origin("echo-none", "127.0.0.1", echo_origin, "http-only"), ALL_VIEWER_EXCEPT_HOST
    )
    seen = requests.get(f"{emulator.url}/", headers={"Host": plain, **HTTPS_VIEWER}, timeout=60).json()
    assert "cloudfront-viewer-address" not in seen


def test_a_viewers_protocol_is_its_connections_not_a_header_it_sends(emulator, echo_origin):
    # CloudFront developer guide, "Require HTTPS for communication between viewers and
    # CloudFront": redirect-to-https answers viewers on http with a redirect. The emulator's plain
    # connection stands for the viewer's TLS one, so no header makes it an http viewer.
    host = a_distribution(
        emulator, custom_origin("echo-https", "127.0.0.1", echo_origin, "http-only"), ALL_VIEWER_EXCEPT_HOST
    )
    for sent in ({}, {"X-Forwarded-Proto": "http"}):
        answer = requests.get(
            f"{emulator.url}/", headers={"Host": host, **sent}, allow_redirects=False, timeout=60
        )
        assert answer.status_code == 200, (sent, answer.status_code, answer.headers.get("Location"))


@pytest.mark.parametrize("kind", ["REGIONAL", "EDGE"])
def test_a_stacks_rest_api_has_the_endpoint_type_its_template_names(emulator, kind):
    # CloudFormation template reference, AWS::ApiGateway::RestApi EndpointConfiguration (`Types`);
    # API Gateway API reference, RestApi `endpointConfiguration.types`. Zappa makes the stage's API
    # through a stack; behind its own distribution it must be REGIONAL.
    template = {
        "Resources": {
            "Api": {
                "Type": "AWS::ApiGateway::RestApi",
                "Properties": {
                    "Name": f"endpoint-{kind.lower()}",
                    "EndpointConfiguration": {"Types": [kind]},
                },
            }
        }
    }
    cloudformation = client(emulator, "cloudformation")
    cloudformation.create_stack(StackName=f"endpoint-{kind.lower()}", TemplateBody=json.dumps(template))
    cloudformation.get_waiter("stack_create_complete").wait(
        StackName=f"endpoint-{kind.lower()}", WaiterConfig={"Delay": 1, "MaxAttempts": 30}
    )
    apis = client(emulator, "apigateway").get_rest_apis()["items"]
    (api,) = [a for a in apis if a["name"] == f"endpoint-{kind.lower()}"]
    assert api["endpointConfiguration"]["types"] == [kind]


def metric_sum(emulator, namespace: str, name: str, dimensions: dict) -> float:
    """The Sum of a metric's data points over the last ten minutes (GetMetricStatistics)."""
    now = datetime.datetime.now(datetime.UTC)
    points = client(emulator, "cloudwatch").get_metric_statistics(
        Namespace=namespace,
        MetricName=name,
        Dimensions=[{"Name": k, "Value": v} for k, v in dimensions.items()],
        StartTime=now - datetime.timedelta(minutes=10),
        EndTime=now + datetime.timedelta(minutes=1),
        Period=60,
        Statistics=["Sum"],
    )["Datapoints"]
    return sum(p["Sum"] for p in points)


def test_an_alarm_on_a_function_s_errors_fires_when_it_fails_and_notifies_sqs(emulator):
    """CloudWatch user guide, "Using Amazon CloudWatch alarms" (an alarm follows its metric's data,
    whatever sends it) and "Alarm actions" (SNS); SNS developer guide, "Fanout to Amazon SQS
    queues" (the notification is the SNS envelope, its Message the alarm's JSON)."""
    a_function(emulator, "alarmed")
    sns, sqs, cloudwatch = client(emulator, "sns"), client(emulator, "sqs"), client(emulator, "cloudwatch")
    topic = sns.create_topic(Name="alarmed-alarms")["TopicArn"]
    inbox = sqs.create_queue(QueueName="alarmed-inbox")["QueueUrl"]
    inbox_arn = sqs.get_queue_attributes(QueueUrl=inbox, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    # the queue admits the topic (SNS developer guide, "Subscribing an Amazon SQS queue to an
    # Amazon SNS topic"): the emulator, with IAM on, delivers nothing without it
    sqs.set_queue_attributes(
        QueueUrl=inbox, Attributes={"Policy": json.dumps(sns_may_send(inbox_arn, topic))}
    )
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=inbox_arn)
    cloudwatch.put_metric_alarm(
        AlarmName="alarmed-errors",
        Namespace="AWS/Lambda",
        MetricName="Errors",
        Dimensions=[{"Name": "FunctionName", "Value": "alarmed"}],
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
        AlarmActions=[topic],
    )
    lam = client(emulator, "lambda")
    assert "FunctionError" in lam.invoke(FunctionName="alarmed", Payload=json.dumps({"fail": True}))
    state = cloudwatch.describe_alarms(AlarmNames=["alarmed-errors"])["MetricAlarms"][0]["StateValue"]
    assert state == "ALARM"
    messages = sqs.receive_message(QueueUrl=inbox, WaitTimeSeconds=5)["Messages"]
    alarm = json.loads(json.loads(messages[0]["Body"])["Message"])
    assert (alarm["AlarmName"], alarm["NewStateValue"]) == ("alarmed-errors", "ALARM")


def test_a_function_s_emf_log_line_becomes_metrics(emulator):
    """CloudWatch user guide, "Specification: Embedded metric format": each metric of the
    directive, by its dimension set, in its namespace and unit."""
    a_function(emulator, "emitting")
    line = {
        "_aws": {
            "Timestamp": 1767225600000,
            "CloudWatchMetrics": [
                {
                    "Namespace": "rehearsal",
                    "Dimensions": [["function"]],
                    "Metrics": [{"Name": "widgets", "Unit": "Count"}],
                }
            ],
        },
        "function": "emitting",
        "widgets": 3,
    }
    lam = client(emulator, "lambda")
    assert json.loads(
        lam.invoke(FunctionName="emitting", Payload=json.dumps({"emf": line}))["Payload"].read()
    )
    assert metric_sum(emulator, "rehearsal", "widgets", {"function": "emitting"}) == 3


def test_a_failed_asynchronous_invocation_counts_in_errors(emulator):
    """Lambda developer guide, "Types of metrics for Lambda functions" (Errors, any invocation
    type) and "Retaining records of asynchronous invocations" (after the retries, the record
    goes to the on-failure destination)."""
    a_function(emulator, "failing-async")
    lam, sqs = client(emulator, "lambda"), client(emulator, "sqs")
    failed = sqs.create_queue(QueueName="failing-async-failed")["QueueUrl"]
    failed_arn = sqs.get_queue_attributes(QueueUrl=failed, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    lam.put_function_event_invoke_config(
        FunctionName="failing-async",
        MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": failed_arn}},
    )
    lam.invoke(FunctionName="failing-async", InvocationType="Event", Payload=json.dumps({"fail": True}))
    assert sqs.receive_message(QueueUrl=failed, WaitTimeSeconds=10)["Messages"]
    assert metric_sum(emulator, "AWS/Lambda", "Errors", {"FunctionName": "failing-async"}) == 1


def test_an_alarm_watches_its_own_function_only(emulator):
    """CloudWatch user guide, "Metrics concepts" (a metric is its namespace, name and dimensions)
    and "Using Amazon CloudWatch alarms" (an alarm watches a single metric)."""
    a_function(emulator, "noisy")
    cloudwatch = client(emulator, "cloudwatch")
    for name in ("noisy", "quiet"):
        cloudwatch.put_metric_alarm(
            AlarmName=f"{name}-errors",
            Namespace="AWS/Lambda",
            MetricName="Errors",
            Dimensions=[{"Name": "FunctionName", "Value": name}],
            Statistic="Sum",
            Period=60,
            EvaluationPeriods=1,
            Threshold=1,
            ComparisonOperator="GreaterThanOrEqualToThreshold",
        )
    client(emulator, "lambda").invoke(FunctionName="noisy", Payload=json.dumps({"fail": True}))
    states = {
        a["AlarmName"]: a["StateValue"]
        for a in cloudwatch.describe_alarms(AlarmNames=["noisy-errors", "quiet-errors"])["MetricAlarms"]
    }
    assert (states["noisy-errors"], states["quiet-errors"]) == ("ALARM", "INSUFFICIENT_DATA")


def test_an_action_is_authorised_against_the_resource_its_parameters_name(emulator):
    """Service Authorization Reference: Lambda's CreateFunction acts on the `function` it names,
    CloudWatch's PutDashboard on the `dashboard`, EventBridge's PutRule on `rule/<name>` (the
    default bus is not in the ARN): a policy scoped to names allows those and nothing else (IAM
    user guide, "Policy evaluation logic")."""
    iam = client(emulator, "iam")
    role = iam.create_role(RoleName="scoped-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    as_user = a_user_holding(
        emulator,
        "scoped",
        [
            {
                "Effect": "Allow",
                "Action": "lambda:CreateFunction",
                "Resource": "arn:aws:lambda:us-east-1:*:function:mine-*",
            },
            {"Effect": "Allow", "Action": "iam:PassRole", "Resource": role},
            {
                "Effect": "Allow",
                "Action": "cloudwatch:PutDashboard",
                "Resource": "arn:aws:cloudwatch::*:dashboard/mine-*",
            },
            {
                "Effect": "Allow",
                "Action": "cloudwatch:DeleteAlarms",
                "Resource": "arn:aws:cloudwatch:us-east-1:*:alarm:mine-*",
            },
            {
                "Effect": "Allow",
                "Action": ["lambda:GetAlias", "lambda:GetFunctionConcurrency"],
                "Resource": "arn:aws:lambda:us-east-1:*:function:mine-*",
            },
            {
                "Effect": "Allow",
                "Action": ["events:PutRule", "events:PutTargets"],
                "Resource": "arn:aws:events:us-east-1:*:rule/mine-*",
            },
        ],
    )
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("handler.py", HANDLER)
    lam, cloudwatch = as_user("lambda"), as_user("cloudwatch")

    def create(name):
        return lam.create_function(
            FunctionName=name,
            Runtime="python3.13",
            Role=role,
            Handler="handler.handler",
            Code={"ZipFile": code.getvalue()},
        )

    assert create("mine-one")["FunctionName"] == "mine-one"
    with pytest.raises(lam.exceptions.ClientError, match="AccessDenied"):
        create("other-one")
    cloudwatch.put_dashboard(DashboardName="mine-board", DashboardBody=json.dumps({"widgets": []}))
    with pytest.raises(cloudwatch.exceptions.ClientError, match="AccessDenied"):
        cloudwatch.put_dashboard(DashboardName="other-board", DashboardBody=json.dumps({"widgets": []}))
    for name in ("mine-alarm", "other-alarm"):
        client(emulator, "cloudwatch").put_metric_alarm(
            AlarmName=name,
            Namespace="rehearsal",
            MetricName="m",
            Statistic="Sum",
            Period=60,
            EvaluationPeriods=1,
            Threshold=1,
            ComparisonOperator="GreaterThanOrEqualToThreshold",
        )
    cloudwatch.delete_alarms(AlarmNames=["mine-alarm"])
    with pytest.raises(cloudwatch.exceptions.ClientError, match="AccessDenied"):
        cloudwatch.delete_alarms(AlarmNames=["other-alarm"])
    # Lambda's own action names, by path (Lambda API reference): GetAlias, GetFunctionConcurrency
    client(emulator, "lambda").create_alias(FunctionName="mine-one", Name="live", FunctionVersion="$LATEST")
    assert lam.get_alias(FunctionName="mine-one", Name="live")["Name"] == "live"
    assert "ReservedConcurrentExecutions" not in lam.get_function_concurrency(FunctionName="mine-one")
    events = as_user("events")
    events.put_rule(Name="mine-rule", ScheduleExpression="rate(1 hour)")  # the default bus: rule/<name>
    target = {"Id": "1", "Arn": "arn:aws:lambda:us-east-1:000000000000:function:mine-one"}
    events.put_targets(Rule="mine-rule", Targets=[target])
    with pytest.raises(events.exceptions.ClientError, match="AccessDenied"):
        events.put_rule(Name="other-rule", ScheduleExpression="rate(1 hour)")


def test_cloudfronts_resources_are_authorised_by_their_type(emulator):
    """Service Authorization Reference, "Actions defined by Amazon CloudFront": CreateDistribution
    and CreateOriginAccessControl act on `distribution/*` and `origin-access-control/*`, Get and
    Delete on the resource their id names; a policy granting origin access controls only allows
    those, and no distribution (IAM user guide, "Policy evaluation logic")."""
    as_user = a_user_holding(
        emulator,
        "edge-only",
        [
            {
                "Effect": "Allow",
                "Action": [
                    "cloudfront:CreateOriginAccessControl",
                    "cloudfront:GetOriginAccessControl",
                    "cloudfront:DeleteOriginAccessControl",
                ],
                "Resource": "arn:aws:cloudfront::*:origin-access-control/*",
            }
        ],
    )
    cloudfront = as_user("cloudfront")
    config = {
        "Name": "edge-only-oac",
        "SigningProtocol": "sigv4",
        "SigningBehavior": "always",
        "OriginAccessControlOriginType": "s3",
    }
    made = cloudfront.create_origin_access_control(OriginAccessControlConfig=config)["OriginAccessControl"]
    etag = cloudfront.get_origin_access_control(Id=made["Id"])["ETag"]
    cloudfront.delete_origin_access_control(Id=made["Id"], IfMatch=etag)
    with pytest.raises(cloudfront.exceptions.ClientError, match="AccessDenied"):
        cloudfront.create_origin_request_policy(
            OriginRequestPolicyConfig={
                "Name": "edge-only-policy",
                "HeadersConfig": {"HeaderBehavior": "none"},
                "CookiesConfig": {"CookieBehavior": "none"},
                "QueryStringsConfig": {"QueryStringBehavior": "all"},
            }
        )


def test_a_topics_tags_are_authorised_against_the_topic(emulator):
    """Service Authorization Reference, "Actions defined by Amazon SNS": TagResource,
    UntagResource and ListTagsForResource act on the `topic` their ResourceArn names, so a policy
    granting them on one topic allows them there and nowhere else."""
    admin = client(emulator, "sns")
    mine = admin.create_topic(Name="tags-mine-alarms")["TopicArn"]
    theirs = admin.create_topic(Name="tags-theirs-alarms")["TopicArn"]
    tags = {
        "Effect": "Allow",
        "Action": ["sns:TagResource", "sns:UntagResource", "sns:ListTagsForResource"],
        "Resource": mine,
    }
    sns = a_user_holding(emulator, "tags-mine", [tags])("sns")
    sns.tag_resource(ResourceArn=mine, Tags=[{"Key": "k", "Value": "v"}])
    assert sns.list_tags_for_resource(ResourceArn=mine)["Tags"] == [{"Key": "k", "Value": "v"}]
    sns.untag_resource(ResourceArn=mine, TagKeys=["k"])
    assert sns.list_tags_for_resource(ResourceArn=mine)["Tags"] == []
    with pytest.raises(sns.exceptions.AuthorizationErrorException):
        sns.list_tags_for_resource(ResourceArn=theirs)
    with pytest.raises(sns.exceptions.AuthorizationErrorException):
        sns.tag_resource(ResourceArn=theirs, Tags=[{"Key": "k", "Value": "v"}])

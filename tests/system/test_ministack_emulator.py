"""The serving rehearsal's local AWS (ministack with `catsite_tools.rehearse.ministack_emulator`): the
six behaviours it adds, each as AWS's documentation states it, and the Lambda runtime it
gives functions (the stage's Python, with the boto3 Lambda's runtime provides)."""

from __future__ import annotations

import http.server
import io
import json
import threading
import zipfile

import boto3
import pytest
import requests

from catsite_tools.rehearse.emulators import MinistackEmulator

#: Answers the event's query maps and what the runtime is.
HANDLER = """
import json, sys

def handler(event, context):
    import boto3
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

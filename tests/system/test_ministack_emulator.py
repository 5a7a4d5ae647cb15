"""The serving rehearsal's local AWS (ministack with `catsite_tools.rehearse.ministack_emulator`): the
five behaviours it adds, each as AWS's documentation states it, and the Lambda runtime it
gives functions (the stage's Python, with the boto3 Lambda's runtime provides)."""

from __future__ import annotations

import datetime
import io
import json
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
    grant = {
        "Version": "2012-10-17",
        "Statement": [
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
    }
    iam.create_user(UserName="scoped")
    iam.put_user_policy(UserName="scoped", PolicyName="names", PolicyDocument=json.dumps(grant))
    key = iam.create_access_key(UserName="scoped")["AccessKey"]

    def as_user(service):
        return boto3.client(
            service,
            endpoint_url=emulator.url,
            region_name="us-east-1",
            aws_access_key_id=key["AccessKeyId"],
            aws_secret_access_key=key["SecretAccessKey"],
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

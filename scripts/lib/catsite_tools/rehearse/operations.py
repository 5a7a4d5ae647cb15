"""The rehearsal's checks of a stage's operations (`catsite_tools.deploy.operations`).

After every deploy and update (`check_operations`): the log group's retention, the alarms and
where they notify, the dashboard, the failed-work queue as the on-failure destination, reserved
concurrency, active tracing, API Gateway's stage throttle, and where the admin token lives (a
SecureString in Parameter Store, never in the function's environment, and the role may read
exactly it). Expected values come from the stage's settings and AWS's documentation.

On an emulator that runs the function, after the first deploy (`exercise`):
- a failing asynchronous invocation: Lambda retries it twice and then sends its record to the
  failed-work queue ("Retaining records of asynchronous invocations"); its Errors move the
  errors alarm to ALARM, whose notification reaches an SQS queue subscribed to the stage's topic;
- a burst over the stage throttle gets API Gateway's 429 `{"message": "Too Many Requests"}`
  ("Throttle requests to your REST APIs");
- a rotated admin token is honoured: after the kept copy's time, the old token is refused (401)
  and the new one accepted, without a redeploy.
After undeploy (`check_operations_gone`): nothing of it is left but the log group.
"""

from __future__ import annotations

import json
import time
from urllib.parse import unquote

from catsite_tools.client.smoke import http_session, parse_resolve
from catsite_tools.deploy.operations import alarms, failed_work_queue_name, settings_of, topic_name
from catsite_tools.rehearse import serve
from catsite_tools.rehearse.checks import function, rest_apis

#: The rehearsal's own subscriber to a stage's alarm topic.
INBOX = "catsite-rehearsal-alarm-inbox"
#: The stages' API Gateway throttle in the rehearsal: one sequential client crosses it.
REHEARSAL_THROTTLE = {"rate_limit": 5, "burst_limit": 10}
#: The stages' alarm address in the rehearsal, and the one an update changes it to: the update's
#: check sees the first unsubscribed.
ALARM_EMAIL = "alarms@example.com"
UPDATE_ALARM_EMAIL = "on-call@example.com"
#: How long the kept copy of the admin token lives in the rehearsal (CATSITE_ADMIN_TOKEN_TTL_SECONDS).
TOKEN_TTL_SECONDS = 2


def queue_url(r, name: str) -> str | None:
    sqs = r.client("sqs")
    try:
        return sqs.get_queue_url(QueueName=name)["QueueUrl"]
    except sqs.exceptions.QueueDoesNotExist:
        return None


def topic_arn(r, fn: str) -> str | None:
    topics = [t["TopicArn"] for t in r.client("sns").list_topics()["Topics"]]
    return next((t for t in topics if t.rsplit(":", 1)[-1] == topic_name(fn)), None)


def alarm_names(r, fn: str) -> list[str]:
    return sorted(
        a["AlarmName"]
        for a in r.client("cloudwatch").describe_alarms(AlarmNamePrefix=f"{fn}-")["MetricAlarms"]
    )


def role_statements(r, fn: str) -> list[dict]:
    iam = r.client("iam")
    role = f"{fn}-ZappaLambdaExecutionRole"
    found = []
    for name in iam.list_role_policies(RoleName=role)["PolicyNames"]:
        document = iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
        document = json.loads(unquote(document)) if isinstance(document, str) else document
        found += document["Statement"]
    return found


def check_operations(r, stage: str, config: dict, fn: str) -> None:
    ops = settings_of(config)
    lam, cloudwatch = r.client("lambda"), r.client("cloudwatch")

    groups = r.client("logs").describe_log_groups(logGroupNamePrefix=f"/aws/lambda/{fn}")["logGroups"]
    retention = [g.get("retentionInDays") for g in groups if g["logGroupName"] == f"/aws/lambda/{fn}"]
    r.check("log group retention (days)", retention, [ops["log_retention_days"]])

    url = queue_url(r, failed_work_queue_name(fn))
    attributes = (
        r.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        if url
        else {}
    )
    r.check(
        "failed-work queue retention (s)",
        attributes.get("MessageRetentionPeriod"),
        str(ops["failed_work_retention_days"] * 86400),
    )
    invoke_config = lam.get_function_event_invoke_config(FunctionName=fn)
    r.check(
        "asynchronous failures go to the queue",
        invoke_config.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination"),
        attributes.get("QueueArn"),
    )
    r.check("asynchronous retries", invoke_config.get("MaximumRetryAttempts"), 2)

    concurrency = lam.get_function_concurrency(FunctionName=fn).get("ReservedConcurrentExecutions")
    r.check("reserved concurrency", concurrency, config.get("lambda_concurrency"))
    tracing = (function(r, fn) or {}).get("TracingConfig", {}).get("Mode")
    r.check("tracing", tracing, "Active" if config.get("xray_tracing") else "PassThrough")

    apigateway = r.client("apigateway")
    for api in rest_apis(r, fn):
        settings = apigateway.get_stage(restApiId=api["id"], stageName=stage).get("methodSettings", {})
        every = settings.get("*/*", {})
        throttle = (every.get("throttlingRateLimit"), every.get("throttlingBurstLimit"))
        expected = (float(ops["api_throttle"]["rate_limit"]), ops["api_throttle"]["burst_limit"])
        r.check("API Gateway stage throttle (rate, burst)", throttle, expected)

    topic = topic_arn(r, fn)
    r.check(f"SNS topic {topic_name(fn)}", topic is not None, True)
    listed = r.client("sns").list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"] if topic else []
    r.check(
        "the topic mails alarm_email alone",
        sorted(s["Endpoint"] for s in listed if s["Protocol"] == "email"),
        [ops["alarm_email"]] if ops["alarm_email"] else [],
    )
    balancer = "alb" if config.get("alb_enabled") else None
    # The stage's distribution (the edge step's: its Comment is the function's name), if it has one.
    listed = r.client("cloudfront").list_distributions()["DistributionList"].get("Items", [])
    distribution = next((d["Id"] for d in listed if d.get("Comment") == fn), None)
    expected_alarms = sorted(a.name for a in alarms(_Stage(stage, config, fn), balancer, distribution))
    r.check("alarms", alarm_names(r, fn), expected_alarms)
    described = cloudwatch.describe_alarms(AlarmNamePrefix=f"{fn}-")["MetricAlarms"]
    r.check(
        "every alarm notifies the topic on ALARM and OK",
        sorted({(tuple(a["AlarmActions"]), tuple(a["OKActions"])) for a in described}),
        [((topic,), (topic,))],
    )
    dashboards = [
        d["DashboardName"] for d in cloudwatch.list_dashboards(DashboardNamePrefix=fn)["DashboardEntries"]
    ]
    r.check("dashboard", dashboards, [fn])

    env = (function(r, fn) or {}).get("Environment", {}).get("Variables", {})
    name = env.get("CATSITE_ADMIN_TOKEN_PARAMETER")
    r.check("the admin token is not in the function's environment", "CATSITE_ADMIN_TOKEN" in env, False)
    kind = r.client("ssm").get_parameter(Name=name)["Parameter"]["Type"] if name else None
    r.check(f"the admin token lives in Parameter Store ({name})", kind, "SecureString")
    readable = sorted(
        resource
        for s in role_statements(r, fn)
        if s["Effect"] == "Allow"
        and "ssm:GetParameter" in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])
        for resource in (s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]])
    )
    r.check(
        "the role may read exactly that parameter",
        readable,
        [f"arn:aws:ssm:{config['aws_region']}:*:parameter{name}"],
    )


class _Stage:
    """What `alarms` reads of a StageContext."""

    def __init__(self, stage: str, config: dict, fn: str):
        self.stage, self.config, self.function = stage, config, fn


def check_operations_gone(r, fn: str) -> None:
    r.check("alarms", alarm_names(r, fn), [])
    r.check("SNS topic", topic_arn(r, fn), None)
    r.check("failed-work queue", queue_url(r, failed_work_queue_name(fn)), None)
    dashboards = r.client("cloudwatch").list_dashboards(DashboardNamePrefix=fn)["DashboardEntries"]
    r.check("dashboard", [d["DashboardName"] for d in dashboards], [])
    groups = r.client("logs").describe_log_groups(logGroupNamePrefix=f"/aws/lambda/{fn}")["logGroups"]
    print(f"  kept by design: log group /aws/lambda/{fn} ({'present' if groups else 'absent'})", flush=True)


# -- on an emulator that runs the function ---------------------------------------------------


def exercise(r, stage: str, config: dict, fn: str) -> None:
    failing_invocation_alarms(r, fn)
    rest = next((u for u in serve.door_urls(r, fn, config).values() if "execute-api" in u), None)
    if rest:
        burst_over_throttle(r, rest, settings_of(config)["api_throttle"]["burst_limit"])
        rotated_token(r, rest, config["aws_environment_variables"]["CATSITE_ADMIN_TOKEN_PARAMETER"])


def sns_may_send(queue_arn: str, topic: str) -> dict:
    """The queue policy that lets one topic deliver to the queue (SNS developer guide,
    "Subscribing an Amazon SQS queue to an Amazon SNS topic")."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "sns.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": queue_arn,
                "Condition": {"ArnEquals": {"aws:SourceArn": topic}},
            }
        ],
    }


def failing_invocation_alarms(r, fn: str, wait: float = 60.0) -> None:
    """An asynchronous invocation of a function that does not exist in the package fails three
    times (Zappa's `command` routing raises), lands in the failed-work queue with Lambda's
    destination record, and its Errors put the errors alarm in ALARM, whose SNS notification
    reaches the rehearsal's SQS subscriber."""
    sqs, sns = r.client("sqs"), r.client("sns")
    inbox = sqs.create_queue(QueueName=INBOX)["QueueUrl"]
    inbox_arn = sqs.get_queue_attributes(QueueUrl=inbox, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sqs.set_queue_attributes(
        QueueUrl=inbox, Attributes={"Policy": json.dumps(sns_may_send(inbox_arn, topic_arn(r, fn)))}
    )
    subscription = sns.subscribe(TopicArn=topic_arn(r, fn), Protocol="sqs", Endpoint=inbox_arn)[
        "SubscriptionArn"
    ]
    payload = {"command": "catsite.jobs.janitor.no_such_function"}
    r.client("lambda").invoke(FunctionName=fn, InvocationType="Event", Payload=json.dumps(payload))

    failed_url = queue_url(r, failed_work_queue_name(fn))
    record = notification = None
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline and (record is None or notification is None):
        if record is None:
            for message in sqs.receive_message(QueueUrl=failed_url, WaitTimeSeconds=1).get("Messages", []):
                record = json.loads(message["Body"])
        if notification is None:
            for message in sqs.receive_message(QueueUrl=inbox, WaitTimeSeconds=1).get("Messages", []):
                body = json.loads(json.loads(message["Body"])["Message"])
                if body.get("AlarmName") == f"{fn}-errors" and body.get("NewStateValue") == "ALARM":
                    notification = body
    r.check(
        "a failed asynchronous invocation is kept in the queue (its event and condition)",
        (record or {}).get("requestPayload") == payload
        and (record or {}).get("requestContext", {}).get("condition") == "RetriesExhausted",
        True,
    )
    state = r.client("cloudwatch").describe_alarms(AlarmNames=[f"{fn}-errors"])["MetricAlarms"]
    r.check("the errors alarm is in ALARM", [a["StateValue"] for a in state], ["ALARM"])
    r.check("its SNS notification reached an SQS subscriber", notification is not None, True)
    sns.unsubscribe(SubscriptionArn=subscription)
    sqs.delete_queue(QueueUrl=inbox)


def burst_over_throttle(r, url: str, burst: int) -> None:
    """Three times the burst limit of `GET /healthz`, back to back, without retrying."""
    http = http_session(dict([parse_resolve(r.emulator.resolve(url))]), when_busy=False)
    answers = [http.get(f"{url}healthz", timeout=30) for _ in range(3 * burst)]
    throttled = [a for a in answers if a.status_code == 429]
    r.check(f"a burst of {3 * burst} over the stage throttle gets 429s", len(throttled) > 0, True)
    r.check(
        "API Gateway's own 429 body",
        {json.dumps(a.json(), sort_keys=True) for a in throttled},
        {json.dumps({"message": "Too Many Requests"})},
    )
    time.sleep(3 * burst / 10)  # let the token bucket fill again before the next steps


def rotated_token(r, url: str, name: str) -> None:
    """Rotate the admin token in Parameter Store; once the kept copy is older than its TTL the
    old token is refused and the new one accepted (a 404 for a picture that does not exist)."""
    http = http_session(dict([parse_resolve(r.emulator.resolve(url))]))
    ssm = r.client("ssm")
    missing = f"{url}cat/pics/{'0' * 32}"

    def delete_with(token: str) -> int:
        return http.delete(missing, headers={"Authorization": f"Bearer {token}"}, timeout=30).status_code

    r.check("before the rotation the token is accepted", delete_with(serve.ADMIN_TOKEN), 404)
    rotated = serve.ADMIN_TOKEN + "-rotated"
    ssm.put_parameter(Name=name, Value=rotated, Type="SecureString", Overwrite=True)
    time.sleep(TOKEN_TTL_SECONDS + 1)
    r.check("after the rotation the old token is refused", delete_with(serve.ADMIN_TOKEN), 401)
    r.check("and the new one accepted, without a redeploy", delete_with(rotated), 404)
    ssm.put_parameter(Name=name, Value=serve.ADMIN_TOKEN, Type="SecureString", Overwrite=True)

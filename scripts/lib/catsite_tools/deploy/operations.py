"""What tells a stage's operator it is failing, keeps what failed, and caps what a burst costs:
one step of `catsite_tools.deploy.extras`, applied after every deploy and update, idempotent.

From the stage's `catsite_operations` settings (zappa_settings.json; defaults in `DEFAULTS`):

- the function's log group `/aws/lambda/<function>` exists with `log_retention_days` (Zappa sets
  none: "never expire");
- failed asynchronous work (Zappa `@task` jobs, the scheduled janitor) goes to the SQS queue
  `<function>-failed`, kept `failed_work_retention_days` (at most 14, SQS's limit), as the
  function's on-failure destination after Lambda's two retries (Lambda developer guide,
  "Retaining records of asynchronous invocations");
- API Gateway's stage throttle `api_throttle` (`rate_limit` per second, `burst_limit`), below the
  account's 10,000 and 5,000 ("Throttle requests to your REST APIs");
- the SNS topic `<function>-alarms`, with an email subscription when `alarm_email` names an
  address (AWS mails a confirmation link first);
- the alarms of `alarms()`, each notifying the topic on ALARM and on OK;
- the dashboard `<function>`.

Reserved concurrency and tracing are Zappa's own settings (`lambda_concurrency`,
`xray_tracing`), which it applies on deploy and update. `check` runs before anything is created:
a malformed `alarm_email` stops the deploy with one line. `remove` deletes all of it before
`zappa undeploy`, but keeps the log group (with its retention, so it expires by itself) and the
admin token's parameter (the operator's secret).

The CloudFront 5xx alarm is made when the stage has a distribution: `StageContext.distribution_id`
when the edge step set it, else the distribution in the account whose Comment is the function's
name.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from catsite_tools.deploy.extras import StageContext

DEFAULTS = {
    "log_retention_days": 30,
    "failed_work_retention_days": 14,
    "alarm_email": "",
    "api_throttle": {"rate_limit": 10, "burst_limit": 20},
}
#: What PutRetentionPolicy accepts (CloudWatch Logs API reference).
RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
                  2922, 3288, 3653)  # fmt: skip
#: An address SNS can mail: one @, a dotted domain, no spaces or angle brackets.
EMAIL = re.compile(r"[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;.]+")
#: The topic's tag recording (as a SHA-256 digest) the address the deploy subscribed, so that a
#: changed or removed `alarm_email` unsubscribes that address and nobody subscribed by hand.
EMAIL_TAG = "catsite:alarm-email-sha256"
#: Duration alarm: the slowest invocation over this share of the timeout.
DURATION_SHARE = 0.8


def failed_work_queue_name(function: str) -> str:
    return f"{function}-failed"


def topic_name(function: str) -> str:
    return f"{function}-alarms"


def settings_of(config: dict) -> dict:
    given = config.get("catsite_operations") or {}
    merged = {**DEFAULTS, **given}
    merged["api_throttle"] = {**DEFAULTS["api_throttle"], **(given.get("api_throttle") or {})}
    return merged


def problems(config: dict) -> list[str]:
    """What is wrong with the stage's operations settings (nothing is created while any is)."""
    ops = settings_of(config)
    found = []
    email = ops["alarm_email"]
    if email and not (isinstance(email, str) and EMAIL.fullmatch(email)):
        found.append(f"catsite_operations.alarm_email {email!r} is not an email address")
    if ops["log_retention_days"] not in RETENTION_DAYS:
        found.append(
            f"catsite_operations.log_retention_days must be one of {', '.join(map(str, RETENTION_DAYS))}"
        )
    if not (
        isinstance(ops["failed_work_retention_days"], int) and 1 <= ops["failed_work_retention_days"] <= 14
    ):
        found.append(
            "catsite_operations.failed_work_retention_days must be 1 to 14 (SQS keeps messages 14 days)"
        )
    throttle = ops["api_throttle"]
    if not (0 < throttle["rate_limit"] <= 10000 and 0 < throttle["burst_limit"] <= 5000):
        found.append(
            "catsite_operations.api_throttle must be positive and below the account's (10000/s, 5000)"
        )
    env = config.get("aws_environment_variables") or {}
    if env.get("CATSITE_ADMIN_TOKEN"):
        found.append(
            "CATSITE_ADMIN_TOKEN must not be in aws_environment_variables: keep it in Parameter Store "
            "(CATSITE_ADMIN_TOKEN_PARAMETER names it)"
        )
    return found


@dataclass(frozen=True)
class Alarm:
    name: str
    meaning: str
    namespace: str
    metric: str
    dimensions: dict
    statistic: str
    threshold: float
    period: int = 300
    region: str | None = None  # CloudFront's metrics live in us-east-1

    def request(self, topic_arn: str) -> dict:
        return {
            "AlarmName": self.name,
            "AlarmDescription": self.meaning,
            "Namespace": self.namespace,
            "MetricName": self.metric,
            "Dimensions": [{"Name": k, "Value": v} for k, v in self.dimensions.items()],
            "Statistic": self.statistic,
            "Period": self.period,
            "EvaluationPeriods": 1,
            "Threshold": self.threshold,
            "ComparisonOperator": "GreaterThanOrEqualToThreshold",
            "TreatMissingData": "notBreaching",
            "ActionsEnabled": True,
            "AlarmActions": [topic_arn],
            "OKActions": [topic_arn],
        }


def alarms(stage: StageContext, load_balancer: str | None, distribution: str | None) -> list[Alarm]:
    """Every alarm of the stage (docs/operations.md says what each means and what to do)."""
    fn = stage.function
    by_function = {"FunctionName": fn}
    timeout_ms = stage.config["timeout_seconds"] * 1000
    found = [
        Alarm(f"{fn}-errors", "An invocation failed (an uncaught error, a timeout, out of memory).",
              "AWS/Lambda", "Errors", by_function, "Sum", 1),
        Alarm(f"{fn}-throttles", "Lambda refused an invocation: reserved concurrency is used up.",
              "AWS/Lambda", "Throttles", by_function, "Sum", 1),
        Alarm(f"{fn}-duration", f"An invocation ran past {DURATION_SHARE:.0%} of the timeout.",
              "AWS/Lambda", "Duration", by_function, "Maximum", DURATION_SHARE * timeout_ms),
        Alarm(f"{fn}-apigateway-5xx", "API Gateway answered 5xx: the function's, or it could not invoke it.",
              "AWS/ApiGateway", "5XXError", {"ApiName": fn, "Stage": stage.stage}, "Sum", 1),
        Alarm(f"{fn}-jobs-failed", "A job (the archive) ended failed, or the janitor found one that died.",
              "catsite", "jobs_failed", {"function": fn}, "Sum", 1),
        Alarm(f"{fn}-janitor-failures", "A janitor run stopped with an error (S3 unavailable, most likely).",
              "catsite", "janitor_failures", {"function": fn}, "Sum", 1),
        Alarm(f"{fn}-failed-work", "Failed asynchronous work waits in the queue: read it, replay or drop it.",
              "AWS/SQS", "ApproximateNumberOfMessagesVisible", {"QueueName": failed_work_queue_name(fn)},
              "Maximum", 1),
    ]  # fmt: skip
    if load_balancer:
        found += [
            Alarm(f"{fn}-alb-5xx", "The load balancer answered 5xx itself (502: failed; 503: throttled).",
                  "AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", {"LoadBalancer": load_balancer}, "Sum", 1),
            Alarm(f"{fn}-alb-target-5xx", "The function answered 5xx through the load balancer.",
                  "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", {"LoadBalancer": load_balancer},
                  "Sum", 1),
        ]  # fmt: skip
    if distribution:
        found.append(
            Alarm(f"{fn}-cloudfront-5xx", "More than 1% of CloudFront's answers were 5xx.",
                  "AWS/CloudFront", "5xxErrorRate", {"DistributionId": distribution, "Region": "Global"},
                  "Average", 1, region="us-east-1")
        )  # fmt: skip
    return found


class OperationsStep:
    name = "operations (logs, failed work, throttle, alarms, dashboard)"

    def check(self, config: dict) -> list[str]:
        return problems(config)

    # -- apply ------------------------------------------------------------------------------

    def apply(self, stage: StageContext) -> None:
        import boto3

        wrong = problems(stage.config)
        if wrong:
            raise SystemExit("deploy: " + "; ".join(wrong))
        ops = settings_of(stage.config)
        session = boto3.Session(region_name=stage.region)
        fn = stage.function

        logs = session.client("logs")
        group = f"/aws/lambda/{fn}"
        if not logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]:
            logs.create_log_group(logGroupName=group)
        logs.put_retention_policy(logGroupName=group, retentionInDays=ops["log_retention_days"])
        stage.log(f"  log group {group}: kept {ops['log_retention_days']} days")

        sqs = session.client("sqs")
        seconds = ops["failed_work_retention_days"] * 86400
        queue_url = sqs.create_queue(QueueName=failed_work_queue_name(fn))["QueueUrl"]
        sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"MessageRetentionPeriod": str(seconds)})
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        session.client("lambda").put_function_event_invoke_config(
            FunctionName=fn,
            MaximumRetryAttempts=2,
            DestinationConfig={"OnFailure": {"Destination": queue_arn}},
        )
        stage.log(
            f"  failed asynchronous work -> {queue_arn} (kept {ops['failed_work_retention_days']} days)"
        )

        apigateway = session.client("apigateway")
        throttle = ops["api_throttle"]
        for api in _rest_apis(apigateway, fn):
            apigateway.update_stage(
                restApiId=api["id"],
                stageName=stage.stage,
                patchOperations=[
                    {
                        "op": "replace",
                        "path": "/*/*/throttling/rateLimit",
                        "value": str(throttle["rate_limit"]),
                    },
                    {
                        "op": "replace",
                        "path": "/*/*/throttling/burstLimit",
                        "value": str(throttle["burst_limit"]),
                    },
                ],
            )
            stage.log(
                f"  API Gateway {api['id']}/{stage.stage}: {throttle['rate_limit']}/s, "
                f"burst {throttle['burst_limit']}"
            )

        sns = session.client("sns")
        topic = sns.create_topic(Name=topic_name(fn))["TopicArn"]
        alarm_email(sns, topic, ops["alarm_email"], stage.log)

        balancer = _load_balancer_dimension(session, fn) if stage.config.get("alb_enabled") else None
        distribution = _distribution(session, stage)
        made = alarms(stage, balancer, distribution)
        wanted = {alarm.name for alarm in made}
        cloudwatch = session.client("cloudwatch")
        for alarm in made:
            client = session.client("cloudwatch", region_name=alarm.region) if alarm.region else cloudwatch
            client.put_metric_alarm(**alarm.request(topic))
        stale = [a for a in _alarm_names(cloudwatch, fn) if a not in wanted]
        if stale:
            cloudwatch.delete_alarms(AlarmNames=stale)
        stage.log(f"  {len(made)} alarms -> {topic}")
        account = session.client("sts").get_caller_identity()["Account"]
        body = dashboard(stage, made, account)
        cloudwatch.put_dashboard(DashboardName=fn, DashboardBody=json.dumps(body))
        stage.log(f"  dashboard {fn}")

        _check_secret(session, stage)

    # -- remove -----------------------------------------------------------------------------

    def remove(self, stage: StageContext) -> None:
        import boto3

        session = boto3.Session(region_name=stage.region)
        fn = stage.function
        cloudwatch = session.client("cloudwatch")
        names = _alarm_names(cloudwatch, fn)
        if names:
            cloudwatch.delete_alarms(AlarmNames=names)
        edge = session.client("cloudwatch", region_name="us-east-1")
        if f"{fn}-cloudfront-5xx" in _alarm_names(edge, fn):
            edge.delete_alarms(AlarmNames=[f"{fn}-cloudfront-5xx"])
        if _has_dashboard(cloudwatch, fn):
            cloudwatch.delete_dashboards(DashboardNames=[fn])
        sns = session.client("sns")
        for topic in sns.list_topics()["Topics"]:
            if topic["TopicArn"].rsplit(":", 1)[-1] == topic_name(fn):
                sns.delete_topic(TopicArn=topic["TopicArn"])
        lam = session.client("lambda")
        with contextlib.suppress(lam.exceptions.ResourceNotFoundException):
            lam.delete_function_event_invoke_config(FunctionName=fn)
        sqs = session.client("sqs")
        with contextlib.suppress(sqs.exceptions.QueueDoesNotExist):
            sqs.delete_queue(QueueUrl=sqs.get_queue_url(QueueName=failed_work_queue_name(fn))["QueueUrl"])
        stage.log(f"  alarms, dashboard, topic and queue of {fn} removed; log group /aws/lambda/{fn} kept")


def alarm_email(sns, topic: str, email: str, log) -> None:
    """Make `email` the one address the deploy has subscribed to `topic` (none when empty).

    The address subscribed before is read from the topic's tag; when the setting has changed, its
    subscription is deleted. SNS lists a subscription still awaiting its confirmation as
    `PendingConfirmation` and cannot delete it (Unsubscribe takes a subscription ARN), so that one
    is named in the log and left to lapse unconfirmed. Subscriptions made by hand are kept."""
    tags = {t["Key"]: t["Value"] for t in sns.list_tags_for_resource(ResourceArn=topic)["Tags"]}
    before, wanted = tags.get(EMAIL_TAG), _digest(email)
    pages = sns.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=topic)
    mailed = [s for page in pages for s in page["Subscriptions"] if s["Protocol"] == "email"]
    if before and before != wanted:
        for subscription in (s for s in mailed if _digest(s["Endpoint"]) == before):
            if subscription["SubscriptionArn"].startswith("arn:"):
                sns.unsubscribe(SubscriptionArn=subscription["SubscriptionArn"])
                log(f"  {subscription['Endpoint']} unsubscribed from {topic}: alarm_email no longer names it")
            else:
                log(f"  {subscription['Endpoint']} was never confirmed: its pending subscription lapses")
    if not email:
        if before:
            sns.untag_resource(ResourceArn=topic, TagKeys=[EMAIL_TAG])
        log(f"  alarms notify {topic} (no catsite_operations.alarm_email: subscribe someone)")
        return
    if not any(s["Endpoint"] == email for s in mailed):
        sns.subscribe(TopicArn=topic, Protocol="email", Endpoint=email)
        log(f"  {email} subscribed to {topic}: confirm the link AWS mails")
    if before != wanted:
        sns.tag_resource(ResourceArn=topic, Tags=[{"Key": EMAIL_TAG, "Value": wanted}])


def _digest(email: str) -> str:
    return hashlib.sha256(email.encode()).hexdigest() if email else ""


def dashboard(stage: StageContext, made: list[Alarm], account: str) -> dict:
    """One dashboard: the site's traffic and latency, the function's health, the alarms."""
    fn, region = stage.function, stage.region

    def graph(title, metrics, stat="Sum", x=0, y=0):
        return {
            "type": "metric", "x": x, "y": y, "width": 12, "height": 6,
            "properties": {"title": title, "region": region, "stat": stat, "period": 300, "metrics": metrics},
        }  # fmt: skip

    return {
        "widgets": [
            graph(
                "Requests by door and status class",
                [
                    ["catsite", "requests", "function", fn, "door", door, "status_class", cls]
                    for door in ("rest", "alb")
                    for cls in ("2xx", "4xx", "5xx")
                ],
            ),  # fmt: skip
            graph(
                "Latency (ms)",
                [["catsite", "duration_ms", "function", fn, "door", "rest", "status_class", "2xx"]],
                "p90",
                x=12,
            ),  # fmt: skip
            graph(
                "Lambda",
                [["AWS/Lambda", m, "FunctionName", fn] for m in ("Invocations", "Errors", "Throttles")],
                y=6,
            ),
            graph(
                "S3 calls, pictures, jobs, janitor",
                [
                    ["catsite", m, "function", fn]
                    for m in (
                        "s3_calls",
                        "pictures_registered",
                        "jobs_failed",
                        "janitor_removals",
                        "janitor_failures",
                    )
                ],
                x=12,
                y=6,
            ),  # fmt: skip
            {
                "type": "alarm",
                "x": 0,
                "y": 12,
                "width": 24,
                "height": 4,
                "properties": {
                    "title": "Alarms",
                    "alarms": [
                        f"arn:aws:cloudwatch:{a.region or region}:{account}:alarm:{a.name}" for a in made
                    ],
                },
            },  # fmt: skip
        ]
    }


def _rest_apis(apigateway, name: str) -> list[dict]:
    return [api for api in apigateway.get_rest_apis(limit=500)["items"] if api["name"] == name]


def _load_balancer_dimension(session, name: str) -> str | None:
    """The ALB's CloudWatch dimension: the part of its ARN after `loadbalancer/`."""
    balancers = session.client("elbv2").describe_load_balancers(Names=[name])["LoadBalancers"]
    return balancers[0]["LoadBalancerArn"].split(":loadbalancer/", 1)[1] if balancers else None


def _distribution(session, stage: StageContext) -> str | None:
    given = getattr(stage, "distribution_id", None)
    if given:
        return given
    try:
        listed = session.client("cloudfront").list_distributions()["DistributionList"].get("Items", [])
    except Exception:  # noqa: BLE001 - no CloudFront here (an emulator without it): no edge alarm
        return None
    return next((d["Id"] for d in listed if d.get("Comment") == stage.function), None)


def _alarm_names(cloudwatch, fn: str) -> list[str]:
    pages = cloudwatch.get_paginator("describe_alarms").paginate(AlarmNamePrefix=f"{fn}-")
    return [a["AlarmName"] for page in pages for a in page["MetricAlarms"]]


def _has_dashboard(cloudwatch, fn: str) -> bool:
    return any(
        d["DashboardName"] == fn
        for d in cloudwatch.list_dashboards(DashboardNamePrefix=fn)["DashboardEntries"]
    )


def _check_secret(session, stage: StageContext) -> None:
    name = (stage.config.get("aws_environment_variables") or {}).get("CATSITE_ADMIN_TOKEN_PARAMETER")
    if not name:
        stage.log("  no CATSITE_ADMIN_TOKEN_PARAMETER: nobody may delete pictures")
        return
    ssm = session.client("ssm")
    try:
        kind = ssm.get_parameter(Name=name)["Parameter"]["Type"]
    except ssm.exceptions.ParameterNotFound:
        stage.log(
            f"  the admin token {name} does not exist yet: deletes answer 503 until "
            f"`aws ssm put-parameter --name {name} --type SecureString --value ...`"
        )
        return
    stage.log(f"  the admin token is {name} ({kind})")
    if kind != "SecureString":
        raise SystemExit(f"deploy: {name} is a {kind}, not a SecureString: put it again as a SecureString")


STEP = OperationsStep()

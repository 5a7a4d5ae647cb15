"""The rehearsal's checks of what invokes the function: the front doors (API Gateway's
integrations, the ALB's target) and the janitor's schedule.

Each takes the `Rehearsal` (its `client` and `check`). Expected values come from the stage's
settings and AWS's documentation: SnapStart runs only published versions and aliases, never
`$LATEST`; a scheduled EventBridge rule carries the stage's `expression` and targets the
function, which allows `events.amazonaws.com` to invoke it for that rule (Lambda developer guide,
"Using Lambda with EventBridge scheduled rules"). After `zappa undeploy` none of it is left.
"""

from __future__ import annotations

import fnmatch
import json
from urllib.parse import unquote

from catsite_tools.deploy.invoke_target import (
    doors,
    function_of_uri,
    newest_version,
    qualifier_of,
    resolved_version,
    rest_integrations,
    snap_start_on,
)


def check_doors(r, name: str, config: dict, fn: dict) -> None:
    """Every door invokes this function; on a SnapStart stage, through an alias or version (not
    `$LATEST`) that is the newest published version, with SnapStart on; and the role API
    Gateway's integration calls Lambda with may invoke exactly what the integration names."""
    lam = r.client("lambda")
    r.check("SnapStart setting", fn.get("SnapStart", {}).get("ApplyOn"), config.get("snap_start", "None"))
    alb = bool(config.get("alb_enabled"))
    invoked = doors(r.client, name, alb)
    r.check(
        "doors that invoke the function",
        sorted(door.split(" target group ")[0] for door in invoked),
        sorted(["API Gateway / ANY", "API Gateway /{proxy+} ANY"] + ["ALB"] * alb),
    )
    newest = newest_version(lam, name)
    for door, arn in invoked.items():
        r.check(f"{door} invokes the function", arn.split(":")[:7], fn["FunctionArn"].split(":")[:7])
        if not snap_start_on(config):
            continue
        qualifier = qualifier_of(arn)
        r.check(f"{door} invokes an alias or version, not $LATEST", qualifier not in (None, "$LATEST"), True)
        version = resolved_version(lam, name, qualifier)
        r.check(f"{door}: {qualifier} is the newest published version", version, newest)
        if version != "$LATEST":
            status = lam.get_function_configuration(FunctionName=name, Qualifier=version)["SnapStart"]
            r.check(f"{door}: version {version} SnapStart", status.get("OptimizationStatus"), "On")
    for where, integration in rest_integrations(r.client("apigateway"), name).items():
        allowed = role_may_invoke(r, integration.get("credentials"), function_of_uri(integration["uri"]))
        r.check(f"API Gateway {where}: its role may invoke what it names", allowed, True)


def role_may_invoke(r, role_arn: str | None, function_arn: str) -> bool:
    """An Allow of `lambda:InvokeFunction` on `function_arn` in the role's inline policies (IAM
    matches Resource patterns with `*` and `?`; an unqualified ARN does not match an alias's)."""
    if not role_arn:
        return False
    iam = r.client("iam")
    role = role_arn.rsplit("/", 1)[-1]
    for policy_name in iam.list_role_policies(RoleName=role)["PolicyNames"]:
        document = iam.get_role_policy(RoleName=role, PolicyName=policy_name)["PolicyDocument"]
        document = json.loads(unquote(document)) if isinstance(document, str) else document
        statements = document["Statement"]
        for s in statements if isinstance(statements, list) else [statements]:
            actions = s["Action"] if isinstance(s["Action"], list) else [s["Action"]]
            resources = s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]]
            invokes = any(fnmatch.fnmatchcase("lambda:InvokeFunction", a) for a in actions)
            covers = any(fnmatch.fnmatchcase(function_arn, pattern) for pattern in resources)
            if s["Effect"] == "Allow" and invokes and covers:
                return True
    return False


def schedule_rules(r, function_arn: str) -> list[dict]:
    events = r.client("events")
    names = events.list_rule_names_by_target(TargetArn=function_arn)["RuleNames"]
    return [events.describe_rule(Name=rule) for rule in names]


def check_schedule(r, name: str, config: dict, fn: dict) -> None:
    """One enabled rule per `events` entry, with its expression, targeting the function, and a
    permission for EventBridge to invoke the function for that rule."""
    expected = sorted(event["expression"] for event in config.get("events", []))
    rules = schedule_rules(r, fn["FunctionArn"])
    r.check("schedule rules", sorted(rule.get("ScheduleExpression") for rule in rules), expected)
    events = r.client("events")
    policy = json.loads(r.client("lambda").get_policy(FunctionName=name)["Policy"])
    for rule in rules:
        r.check(f"rule {rule['Name']} state", rule.get("State"), "ENABLED")
        targets = [t["Arn"] for t in events.list_targets_by_rule(Rule=rule["Name"])["Targets"]]
        r.check(f"rule {rule['Name']} targets", targets, [fn["FunctionArn"]])
        allowed = [
            s
            for s in policy["Statement"]
            if s.get("Principal", {}).get("Service") == "events.amazonaws.com"
            and s.get("Condition", {}).get("ArnLike", {}).get("AWS:SourceArn") == rule["Arn"]
        ]
        r.check(f"rule {rule['Name']}: EventBridge may invoke the function", len(allowed) >= 1, True)


def check_schedule_gone(r, function_arn: str | None, name: str) -> None:
    rules = schedule_rules(r, function_arn) if function_arn else []
    r.check("schedule rules targeting the function", [rule["Name"] for rule in rules], [])
    left = [rule["Name"] for rule in r.client("events").list_rules(NamePrefix=f"{name}-")["Rules"]]
    r.check(f"event rules named {name}-*", left, [])

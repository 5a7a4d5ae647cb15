"""What each front door invokes: API Gateway's integrations and the ALB's target, read back.

SnapStart applies to published versions and aliases only, never `$LATEST` (AWS Lambda developer
guide, "Improving startup performance with Lambda SnapStart"). Zappa 0.63 keeps a `snapstart`
alias on a stage with `snap_start` and puts it in the REST integration URI
(`apigateway_lambda_qualifier`, defaulted by zappa.cli), and its ALB target is the
`current-alb-version` alias, moved to each version `zappa update` publishes. Zappa's issue #1463
reports API Gateway still invoking `$LATEST`: `scripts/deploy` reads both doors back after every
deploy and update, points any that invokes `$LATEST` (an unqualified ARN) at the alias, and fails
when a door still does not invoke the newest published version with SnapStart on.

An integration URI is `arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<function
ARN>/invocations` (API Gateway REST API reference, Integration `uri`); a function ARN with an
eighth `:`-part is qualified by that version or alias (Lambda API reference, "Name formats").
"""

from __future__ import annotations

URI_PREFIX = "lambda:path/2015-03-31/functions/"


def snap_start_on(config: dict) -> bool:
    return config.get("snap_start") not in (None, "None")


def api_qualifier(config: dict) -> str | None:
    """The qualifier API Gateway's integration should carry (as zappa.cli defaults it)."""
    from catsite_tools.deploy.iam import api_alias

    return api_alias(config)


def function_of_uri(uri: str) -> str:
    return uri.split(URI_PREFIX, 1)[1].removesuffix("/invocations")


def qualifier_of(arn: str) -> str | None:
    """`None` for an unqualified function ARN (which invokes `$LATEST`), else the qualifier."""
    parts = arn.split(":")
    return parts[7] if len(parts) > 7 else None


def rest_integrations(apigateway, name: str) -> dict[str, dict]:
    """`<resource path> <method>` -> the integration, for the REST API named `name`."""
    found = {}
    for api in apigateway.get_rest_apis(limit=500)["items"]:
        if api["name"] != name:
            continue
        for resource in apigateway.get_resources(restApiId=api["id"], limit=500)["items"]:
            for method in resource.get("resourceMethods") or {}:
                integration = apigateway.get_integration(
                    restApiId=api["id"], resourceId=resource["id"], httpMethod=method
                )
                if integration.get("type") == "AWS_PROXY":
                    found[f"{resource['path']} {method}"] = {
                        **integration,
                        "restApiId": api["id"],
                        "resourceId": resource["id"],
                        "httpMethod": method,
                    }
    return found


def alb_target_groups(elbv2, name: str) -> dict[str, list[str]]:
    """Target group ARN -> the ids registered in it, for the groups named `name`."""
    groups = [g for g in elbv2.describe_target_groups()["TargetGroups"] if g["TargetGroupName"] == name]
    answer = {}
    for group in groups:
        health = elbv2.describe_target_health(TargetGroupArn=group["TargetGroupArn"])
        answer[group["TargetGroupArn"]] = [t["Target"]["Id"] for t in health["TargetHealthDescriptions"]]
    return answer


def resolved_version(lam, name: str, qualifier: str | None) -> str:
    """The version a qualifier invokes: an alias's version, a version itself, `$LATEST` for none."""
    if qualifier is None or qualifier == "$LATEST":
        return "$LATEST"
    if qualifier.isdigit():
        return qualifier
    return lam.get_alias(FunctionName=name, Name=qualifier)["FunctionVersion"]


def newest_version(lam, name: str) -> str:
    versions = []
    for page in lam.get_paginator("list_versions_by_function").paginate(FunctionName=name):
        versions += [int(v["Version"]) for v in page["Versions"] if v["Version"] != "$LATEST"]
    return str(max(versions)) if versions else "$LATEST"


def doors(client, name: str, alb: bool) -> dict[str, str]:
    """Each door -> the function ARN it invokes (qualified or not). `client(service)` makes a
    boto3 client (the deploy's, or the rehearsal's on its emulator)."""
    invoked = {
        f"API Gateway {where}": function_of_uri(integration["uri"])
        for where, integration in rest_integrations(client("apigateway"), name).items()
    }
    if alb:
        for group, targets in alb_target_groups(client("elbv2"), name).items():
            for target in targets:
                invoked[f"ALB target group {group.rsplit('/', 2)[-2]}"] = target
    return invoked


def problems(client, name: str, config: dict) -> list[str]:
    """What is wrong with what the doors invoke on a SnapStart stage (empty when all is well):
    each must invoke an alias or version (not `$LATEST`) that resolves to the newest published
    version, whose SnapStart optimisation is on."""
    if not snap_start_on(config):
        return []
    lam = client("lambda")
    newest = newest_version(lam, name)
    found = []
    for door, arn in doors(client, name, bool(config.get("alb_enabled"))).items():
        qualifier = qualifier_of(arn)
        version = resolved_version(lam, name, qualifier)
        if version == "$LATEST":
            found.append(f"{door} invokes $LATEST ({arn})")
            continue
        if version != newest:
            found.append(f"{door} invokes version {version} ({qualifier}), not the newest, {newest}")
        status = lam.get_function_configuration(FunctionName=name, Qualifier=version)["SnapStart"]
        if status.get("OptimizationStatus") != "On":
            found.append(f"{door}: version {version} has SnapStart {status}")
    return found


def repair_rest_integrations(client, name: str, config: dict, stage: str, log=print) -> int:
    """Point every REST integration that invokes `$LATEST` at the stage's alias (#1463), then
    redeploy the stage so the change is live; answer how many were changed."""
    qualifier = api_qualifier(config)
    if not snap_start_on(config) or not qualifier:
        return 0
    apigateway = client("apigateway")
    changed, apis = 0, set()
    for where, integration in rest_integrations(apigateway, name).items():
        arn = function_of_uri(integration["uri"])
        if qualifier_of(arn) not in (None, "$LATEST"):
            continue
        uri = integration["uri"].replace(arn, f"{arn.split(':$LATEST')[0]}:{qualifier}")
        apigateway.update_integration(
            restApiId=integration["restApiId"],
            resourceId=integration["resourceId"],
            httpMethod=integration["httpMethod"],
            patchOperations=[{"op": "replace", "path": "/uri", "value": uri}],
        )
        log(f"API Gateway {where} invoked $LATEST: now {qualifier} (Zappa issue #1463)")
        changed += 1
        apis.add(integration["restApiId"])
    for api in apis:
        apigateway.create_deployment(restApiId=api, stageName=stage, description="catsite: invoke the alias")
    return changed

"""The rehearsal's checks of what a deploy created, read back from the emulator's AWS APIs.

Each takes the `Rehearsal` (its `client` and `check`). What is expected comes from the stage's
settings and AWS's documentation; the front doors and the schedule are `doors`', the
distribution and the private bucket `edge`'s.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from zappa.core import ALB_LAMBDA_ALIAS

from catsite.web.static import build_assets
from catsite.web.static import manifest as static_manifest
from catsite_tools import ROOT
from catsite_tools.rehearse import edge as edge_checks
from catsite_tools.rehearse.doors import check_doors, check_schedule

REGION = "us-east-1"
ORIGIN = "https://cat.example.com"


def expected_environment(config: dict, site: str | None) -> dict:
    """The function's environment: the stage's, with what scripts/deploy adds for the edge: the
    site's public address (`site`, its distribution's), its static assets and picture renditions
    read from the same host, and the secret (present; its value is the distribution's, checked
    with the distribution)."""
    env = dict(config["aws_environment_variables"])
    if site:
        env.setdefault("CATSITE_PUBLIC_URL", site)
        env["CATSITE_STATIC_URL"] = env.get("CATSITE_STATIC_URL") or f"{site}/static"
        env["CATSITE_RENDITIONS_URL"] = env.get("CATSITE_RENDITIONS_URL") or site
    return env


def function(r, name: str) -> dict | None:
    try:
        return r.client("lambda").get_function_configuration(FunctionName=name)
    except r.client("lambda").exceptions.ResourceNotFoundException:
        return None


def versions(r, name: str) -> int:
    return len(r.client("lambda").list_versions_by_function(FunctionName=name)["Versions"])


def rest_apis(r, name: str) -> list[dict]:
    return [api for api in r.client("apigateway").get_rest_apis(limit=500)["items"] if api["name"] == name]


def live_stacks(r, name: str) -> list[str]:
    stacks = r.client("cloudformation").list_stacks()["StackSummaries"]
    return [
        s["StackStatus"] for s in stacks if s["StackName"] == name and s["StackStatus"] != "DELETE_COMPLETE"
    ]


def load_balancers(r, name: str) -> list[dict]:
    return [
        lb
        for lb in r.client("elbv2").describe_load_balancers()["LoadBalancers"]
        if lb["LoadBalancerName"] == name
    ]


def target_groups(r, name: str) -> list[dict]:
    return [
        tg
        for tg in r.client("elbv2").describe_target_groups()["TargetGroups"]
        if tg["TargetGroupName"] == name
    ]


def check_deployed(r, stage: str, config: dict, name: str) -> dict:
    site = edge_checks.site_address(r, name, config)
    env = expected_environment(config, site)
    bucket = env["CATSITE_BUCKET"]
    fn = function(r, name) or {}
    r.check("function", fn.get("FunctionName"), name)
    r.check("runtime", fn.get("Runtime"), config["runtime"])
    r.check("handler", fn.get("Handler"), config["lambda_handler"])
    r.check("timeout (s)", fn.get("Timeout"), config["timeout_seconds"])
    r.check("memory (MB)", fn.get("MemorySize"), config["memory_size"])
    variables = dict(fn.get("Environment", {}).get("Variables") or {})
    secret = variables.pop("CATSITE_EDGE_SECRET", "")
    r.check("environment", variables, env)
    r.check("an edge secret no one could guess", len(secret) >= 32, True)

    apis = rest_apis(r, name)
    r.check("REST APIs named " + name, len(apis), 1)
    if apis:
        apigateway = r.client("apigateway")
        stages = [s["stageName"] for s in apigateway.get_stages(restApiId=apis[0]["id"])["item"]]
        r.check("REST API stages", stages, [stage])
        paths = sorted(
            r["path"] for r in apigateway.get_resources(restApiId=apis[0]["id"], limit=500)["items"]
        )
        r.check("REST API resources", paths, ["/", "/{proxy+}"])
    r.check("CloudFormation stack", [s for s in live_stacks(r, name) if not s.endswith("_COMPLETE")], [])

    s3 = r.client("s3")
    origins = s3.get_bucket_cors(Bucket=bucket)["CORSRules"][0]["AllowedOrigins"]
    r.check(
        "bucket CORS origins: the site's public origin", sorted(origins), sorted([ORIGIN, origin_of(site)])
    )
    manifest = json.loads(s3.get_object(Bucket=bucket, Key="static/manifest.json")["Body"].read())
    r.check("published static manifest", manifest, static_manifest(build_assets(ROOT / "static")))

    if config.get("alb_enabled"):
        check_alb(r, name, config, fn)
    else:
        r.check("load balancers named " + name, load_balancers(r, name), [])
    if fn:
        check_doors(r, name, config, fn)
        check_schedule(r, name, config, fn)
        edge_checks.check_edge(r, stage, config, name, fn)
    return fn


def origin_of(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def door_urls(r, name: str, config: dict) -> dict[str, str]:
    """Each door's URL as AWS would give it, by its kind: the distribution (`cdn`), API Gateway's
    stage (`rest`) and, on a stage with one, the load balancer (`alb`)."""
    doors = {"cdn": edge_checks.aws_site_url(r, name)}
    doors["rest"] = next(
        (
            f"https://{api['id']}.execute-api.{REGION}.amazonaws.com/{config['stage']}/"
            for api in rest_apis(r, name)
        ),
        None,
    )
    if config.get("alb_enabled"):
        doors["alb"] = next((f"{origin}/" for origin in alb_origins(r, name, config)), None)
    return {kind: url for kind, url in doors.items() if url}


def site_urls(r, name: str, config: dict) -> list[str]:
    return list(door_urls(r, name, config).values())


def expected_printed_urls(r, name: str, config: dict) -> list[str]:
    """What scripts/deploy prints: the site's public address first, then the doors behind it."""
    site = edge_checks.site_address(r, name, config)
    doors = door_urls(r, name, config)
    return [f"{site}/"] + [url for kind, url in doors.items() if kind != "cdn"]


def printed_urls(output: str) -> list[str]:
    tail = output.split(" is live:\n", 1)[-1] if " is live:\n" in output else ""
    return [line.strip() for line in tail.splitlines() if line.startswith(("  https://", "  http://"))]


def alb_origins(r, name: str, config: dict) -> list[str]:
    if not config.get("alb_enabled"):
        return []
    return [f"https://{lb['DNSName']}" for lb in load_balancers(r, name)]


def check_alb(r, name: str, config: dict, fn: dict) -> None:
    elbv2 = r.client("elbv2")
    balancers = load_balancers(r, name)
    r.check("load balancers named " + name, len(balancers), 1)
    if not balancers:
        return
    lb = balancers[0]
    r.check(
        "load balancer subnets",
        sorted(z["SubnetId"] for z in lb["AvailabilityZones"]),
        sorted(config["alb_vpc_config"]["SubnetIds"]),
    )
    attributes = {
        a["Key"]: a["Value"]
        for a in elbv2.describe_load_balancer_attributes(LoadBalancerArn=lb["LoadBalancerArn"])["Attributes"]
    }
    idle = int(attributes.get("idle_timeout.timeout_seconds", 0))
    r.check(
        f"idle timeout {idle} s >= function timeout {fn.get('Timeout')} s",
        idle >= fn.get("Timeout", 0),
        True,
    )
    listeners = elbv2.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]
    r.check("listeners", [(li["Protocol"], li["Port"]) for li in listeners], [("HTTPS", 443)])
    groups = target_groups(r, name)
    r.check("target groups named " + name, [g["TargetType"] for g in groups], ["lambda"])
    if listeners and groups:
        r.check(
            "listener certificate",
            [c["CertificateArn"] for c in listeners[0]["Certificates"]],
            [config["alb_vpc_config"]["CertificateArn"]],
        )
        r.check(
            "listener forwards to",
            [a.get("TargetGroupArn") for a in listeners[0]["DefaultActions"]],
            [groups[0]["TargetGroupArn"]],
        )
        group_attributes = {
            a["Key"]: a["Value"]
            for a in elbv2.describe_target_group_attributes(TargetGroupArn=groups[0]["TargetGroupArn"])[
                "Attributes"
            ]
        }
        r.check("multi-value headers", group_attributes.get("lambda.multi_value_headers.enabled"), "true")
        targets = [
            t["Target"]["Id"]
            for t in elbv2.describe_target_health(TargetGroupArn=groups[0]["TargetGroupArn"])[
                "TargetHealthDescriptions"
            ]
        ]
        r.check("target", targets, [f"{fn.get('FunctionArn')}:{ALB_LAMBDA_ALIAS}"])
        alias = r.client("lambda").get_alias(FunctionName=name, Name=ALB_LAMBDA_ALIAS)["FunctionVersion"]
        r.check("the target's alias points at the latest version", alias, str(versions(r, name) - 1))


def check_gone(r, stage: str, name: str, config: dict) -> None:
    r.check("function", function(r, name), None)
    r.check("REST APIs named " + name, rest_apis(r, name), [])
    r.check("CloudFormation stacks", live_stacks(r, name), [])
    r.check("load balancers named " + name, load_balancers(r, name), [])
    r.check("target groups named " + name, target_groups(r, name), [])
    edge_checks.check_edge_gone(r, name, config)


def leftovers(r) -> dict:
    """Everything the emulator still holds of the kinds Zappa and the edge create."""
    cloudfront = r.client("cloudfront")
    return {
        "functions": [f["FunctionName"] for f in r.client("lambda").list_functions()["Functions"]],
        "rest apis": [a["name"] for a in r.client("apigateway").get_rest_apis()["items"]],
        "stacks": [
            s["StackName"]
            for s in r.client("cloudformation").list_stacks()["StackSummaries"]
            if s["StackStatus"] != "DELETE_COMPLETE"
        ],
        "load balancers": [
            lb["LoadBalancerName"] for lb in r.client("elbv2").describe_load_balancers()["LoadBalancers"]
        ],
        "target groups": [
            tg["TargetGroupName"] for tg in r.client("elbv2").describe_target_groups()["TargetGroups"]
        ],
        "event rules": [r["Name"] for r in r.client("events").list_rules()["Rules"]],
        "distributions": [
            d["Comment"] for d in cloudfront.list_distributions()["DistributionList"].get("Items", [])
        ],
        "origin access controls": [
            o["Name"]
            for o in cloudfront.list_origin_access_controls()["OriginAccessControlList"].get("Items", [])
        ],
        "origin request policies": [
            p["OriginRequestPolicy"]["OriginRequestPolicyConfig"]["Name"]
            for p in cloudfront.list_origin_request_policies(Type="custom")["OriginRequestPolicyList"].get(
                "Items", []
            )
        ],
    }

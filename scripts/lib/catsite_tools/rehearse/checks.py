"""The rehearsal's checks of what a deploy created, read back from the emulator's AWS APIs.

Each takes the `Rehearsal` (its `client` and `check`). What is expected comes from the stage's
settings and AWS's documentation; the front doors and the schedule are `doors`'.
"""

from __future__ import annotations

import json

from zappa.core import ALB_LAMBDA_ALIAS

from catsite.web.static import build_assets
from catsite.web.static import manifest as static_manifest
from catsite_tools import ROOT
from catsite_tools.rehearse.doors import check_doors, check_schedule

REGION = "us-east-1"
ORIGIN = "https://cat.example.com"


def expected_environment(config: dict) -> dict:
    """The function's environment: the stage's, with `CATSITE_STATIC_URL` (when empty) where
    scripts/deploy publishes the assets: the bucket's virtual-hosted-style URL, or its
    path-style URL on the stage's own S3 endpoint (S3 user guide, "Virtual hosting of buckets"
    and "Path-style requests")."""
    env = dict(config["aws_environment_variables"])
    bucket = env["CATSITE_BUCKET"]
    if not env.get("CATSITE_STATIC_URL"):
        endpoint = env.get("AWS_ENDPOINT_URL_S3")
        base = (
            f"{endpoint.rstrip('/')}/{bucket}" if endpoint else f"https://{bucket}.s3.{REGION}.amazonaws.com"
        )
        env["CATSITE_STATIC_URL"] = f"{base}/static"
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
    env = expected_environment(config)
    bucket = env["CATSITE_BUCKET"]
    fn = function(r, name) or {}
    r.check("function", fn.get("FunctionName"), name)
    r.check("runtime", fn.get("Runtime"), config["runtime"])
    r.check("handler", fn.get("Handler"), config["lambda_handler"])
    r.check("timeout (s)", fn.get("Timeout"), config["timeout_seconds"])
    r.check("memory (MB)", fn.get("MemorySize"), config["memory_size"])
    r.check("environment", fn.get("Environment", {}).get("Variables"), env)

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
    policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    public = sorted(s["Resource"] for s in policy["Statement"])
    r.check(
        "bucket policy",
        public,
        [f"arn:aws:s3:::{bucket}/pics/public/*", f"arn:aws:s3:::{bucket}/static/*"],
    )
    origins = s3.get_bucket_cors(Bucket=bucket)["CORSRules"][0]["AllowedOrigins"]
    site = f"https://{apis[0]['id']}.execute-api.{REGION}.amazonaws.com" if apis else None
    r.check("bucket CORS origins", sorted(origins), sorted([ORIGIN, site] + alb_origins(r, name, config)))
    manifest = json.loads(s3.get_object(Bucket=bucket, Key="static/manifest.json")["Body"].read())
    r.check("published static manifest", manifest, static_manifest(build_assets(ROOT / "static")))

    if config.get("alb_enabled"):
        check_alb(r, name, config, fn)
    else:
        r.check("load balancers named " + name, load_balancers(r, name), [])
    if fn:
        check_doors(r, name, config, fn)
        check_schedule(r, name, config, fn)
    return fn


def site_urls(r, name: str, config: dict) -> list[str]:
    urls = [
        f"https://{api['id']}.execute-api.{REGION}.amazonaws.com/{config['stage']}/"
        for api in rest_apis(r, name)
    ]
    return urls + [f"{origin}/" for origin in alb_origins(r, name, config)]


def printed_urls(output: str) -> list[str]:
    tail = output.split(" is live:\n", 1)[-1] if " is live:\n" in output else ""
    return [line.strip() for line in tail.splitlines() if line.startswith("  https://")]


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


def leftovers(r) -> dict:
    """Everything the emulator still holds of the kinds Zappa creates."""
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
    }

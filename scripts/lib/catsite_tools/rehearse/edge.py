"""The rehearsal's checks of the stage's edge, read back from the emulator's AWS APIs.

Each takes the `Rehearsal` (its `client` and `check`). What is expected comes from AWS's
documentation and the deploy's own promise (`catsite_tools.deploy.edge`): one distribution per
stage, the bucket read through an Origin Access Control and by nobody else, the REST API's Regional
endpoint behind it, nothing cached but the fingerprinted assets and renditions, no `Host`
forwarded, viewers on http redirected; after undeploy, none of it left.
"""

from __future__ import annotations

import json

from catsite_tools.deploy import edge

REGION = "us-east-1"


def distributions(r, name: str) -> list[dict]:
    listed = r.client("cloudfront").list_distributions()["DistributionList"]
    return [d for d in listed.get("Items", []) or [] if d.get("Comment") == name]


def site_address(r, name: str, config: dict) -> str | None:
    """Where the stage's site is served: the stage's own address (its `catsite_edge.served_at` on
    the emulator) filled with its distribution's name."""
    found = distributions(r, name)
    if not found:
        return None
    settings = edge.EdgeSettings.of(config)
    return edge.site_address(settings, found[0]["DomainName"])


def aws_site_url(r, name: str) -> str | None:
    """The URL AWS would serve the distribution at (`https://<id>.cloudfront.net/`)."""
    found = distributions(r, name)
    return f"https://{found[0]['DomainName']}/" if found else None


def check_edge(r, stage: str, config: dict, name: str, fn: dict) -> None:
    cloudfront = r.client("cloudfront")
    found = distributions(r, name)
    r.check("distributions for " + name, len(found), 1)
    if not found:
        return
    summary = found[0]
    r.check("distribution deployed and enabled", (summary["Status"], summary["Enabled"]), ("Deployed", True))
    config_ = cloudfront.get_distribution_config(Id=summary["Id"])["DistributionConfig"]
    origins = {o["Id"]: o for o in config_["Origins"].get("Items", [])}
    bucket = config["aws_environment_variables"]["CATSITE_BUCKET"]
    oac = edge.find_oac(cloudfront, name)
    r.check(
        "origin access control",
        oac and (oac["SigningBehavior"], oac["SigningProtocol"], oac["OriginAccessControlOriginType"]),
        ("always", "sigv4", "s3"),
    )
    bucket_origin = origins.get("bucket", {})
    r.check(
        "bucket origin",
        (bucket_origin.get("DomainName"), bucket_origin.get("OriginAccessControlId")),
        (f"{bucket}.s3.{REGION}.amazonaws.com", oac and oac["Id"]),
    )
    api = r.client("apigateway")
    apis = [a for a in api.get_rest_apis(limit=500)["items"] if a["name"] == name]
    r.check(
        "REST API endpoint", [a.get("endpointConfiguration", {}).get("types") for a in apis], [["REGIONAL"]]
    )
    api_origin = origins.get("api", {})
    custom = api_origin.get("CustomOriginConfig", {})
    r.check(
        "API origin",
        (
            api_origin.get("DomainName"),
            api_origin.get("OriginPath"),
            custom.get("OriginProtocolPolicy"),
            custom.get("OriginReadTimeout"),
        ),
        (apis and f"{apis[0]['id']}.execute-api.{REGION}.amazonaws.com", f"/{stage}", "https-only", 30),
    )
    secret = fn.get("Environment", {}).get("Variables", {}).get("CATSITE_EDGE_SECRET")
    r.check(
        "API origin sends the function's secret", bool(secret) and edge.secret_of(config_) == secret, True
    )
    default = config_["DefaultCacheBehavior"]
    policy = edge.find_origin_policy(cloudfront, f"{name}-dynamic")
    r.check(
        "default behaviour",
        (
            default["TargetOriginId"],
            default["CachePolicyId"],
            default.get("OriginRequestPolicyId"),
            sorted(default["AllowedMethods"]["Items"]),
        ),
        ("api", edge.CACHING_DISABLED, policy and policy["Id"], sorted(edge.ALL_METHODS)),
    )
    if policy:
        forwarded = policy["OriginRequestPolicyConfig"]
        headers = {h.lower() for h in forwarded["HeadersConfig"].get("Headers", {}).get("Items", [])}
        r.check("the origin request policy forwards no Host", "host" in headers, False)
        r.check(
            "the origin request policy forwards the viewer's address and protocol",
            {"cloudfront-viewer-address", "cloudfront-forwarded-proto"} <= headers,
            True,
        )
        r.check(
            "the origin request policy forwards every query string",
            forwarded["QueryStringsConfig"]["QueryStringBehavior"],
            "all",
        )
    behaviours = {b["PathPattern"]: b for b in config_["CacheBehaviors"].get("Items", [])}
    r.check(
        "cached behaviours",
        {
            p: (b["TargetOriginId"], b["CachePolicyId"], sorted(b["AllowedMethods"]["Items"]))
            for p, b in behaviours.items()
        },
        {
            f"/{prefix}*": ("bucket", edge.CACHING_OPTIMIZED, sorted(edge.READ_METHODS))
            for prefix in edge.PUBLIC_PREFIXES
        },
    )
    policies = {b["ViewerProtocolPolicy"] for b in [default, *behaviours.values()]}
    r.check("viewers on http are redirected to https", policies, {"redirect-to-https"})
    check_private_bucket(r, bucket, summary["ARN"])


def check_private_bucket(r, bucket: str, distribution_arn: str) -> None:
    """Block Public Access all on, ACLs off, and a policy whose only statement lets this
    distribution read the two public prefixes (no statement for anyone else)."""
    s3 = r.client("s3")
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    r.check("bucket public access block", block, edge_block())
    ownership = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]
    r.check(
        "bucket object ownership", [rule["ObjectOwnership"] for rule in ownership], ["BucketOwnerEnforced"]
    )
    statements = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"]
    r.check(
        "bucket policy statements",
        [
            (s["Effect"], s["Principal"], s["Action"], sorted(s["Resource"]), s.get("Condition"))
            for s in statements
        ],
        [
            (
                "Allow",
                {"Service": "cloudfront.amazonaws.com"},
                "s3:GetObject",
                sorted(f"arn:aws:s3:::{bucket}/{prefix}*" for prefix in edge.PUBLIC_PREFIXES),
                {"StringEquals": {"AWS:SourceArn": distribution_arn}},
            )
        ],
    )


def edge_block() -> dict:
    from catsite_tools.deploy.bucket_setup import PUBLIC_ACCESS_BLOCK

    return PUBLIC_ACCESS_BLOCK


def check_edge_gone(r, name: str, config: dict) -> None:
    cloudfront = r.client("cloudfront")
    r.check("distributions for " + name, distributions(r, name), [])
    r.check("origin access control " + name, edge.find_oac(cloudfront, name), None)
    r.check(
        f"origin request policy {name}-dynamic", edge.find_origin_policy(cloudfront, f"{name}-dynamic"), None
    )
    bucket = config["aws_environment_variables"]["CATSITE_BUCKET"]
    try:
        left = json.loads(r.client("s3").get_bucket_policy(Bucket=bucket)["Policy"])
    except r.client("s3").exceptions.ClientError:
        left = None
    r.check("bucket policy naming the deleted distribution", left, None)

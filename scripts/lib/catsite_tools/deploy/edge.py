"""The stage's edge: one CloudFront distribution in front of everything the site serves, and a
bucket that only the distribution reads. One step of `catsite_tools.deploy.extras`.

Per stage, each named after the function (`catsite-<stage>`):

- an Origin Access Control (S3, SigV4, always signing): the distribution reads the bucket as
  `cloudfront.amazonaws.com` (CloudFront developer guide, "Restrict access to an Amazon S3 origin");
- an origin request policy `<function>-dynamic`: the query string, the headers the app reads, and
  CloudFront's `CloudFront-Viewer-Address` and `CloudFront-Forwarded-Proto`; never `Host` (API
  Gateway answers only its own), no cookies (the site sets none);
- the distribution (its Comment is the function's name):
  - origin `bucket`, the bucket's REST endpoint with the OAC, for `/static/*` and
    `/pics/public/*`: GET and HEAD, the managed CachingOptimized policy (the objects' own
    `Cache-Control: public, max-age=31536000, immutable` decides how long they stay);
  - origin `api`, the REST API's Regional endpoint with origin path `/<stage>`, https only,
    the default 30 s origin response timeout, and the custom header `X-Catsite-Edge` whose value
    only the distribution and the function know (`CATSITE_EDGE_SECRET`); the default behaviour,
    every method, the managed CachingDisabled policy and the policy above;
  - viewers on http redirected to https; a custom domain's alias and its ACM certificate (from
    us-east-1) when the stage configures one, CloudFront's own certificate otherwise;
- the bucket policy: `s3:GetObject` on `static/*` and `pics/public/*` for
  `cloudfront.amazonaws.com` when `AWS:SourceArn` is this distribution, and nothing else;
- Route 53 alias records (A, AAAA) for the custom domain when a hosted zone is given.

The stage's `catsite_edge` settings (all optional): `domain` (the site's own name),
`certificate_arn` (an ACM certificate in us-east-1 covering it, or `"request"` to have one
requested and validated in `hosted_zone_id`), `hosted_zone_id`, `price_class` (default
`PriceClass_100`), and `served_at`, where the distribution is reached when that is not
`https://<its domain>` (the rehearsal's emulator: `http://{label}.cloudfront.localhost:<port>`).

`prepare` runs before Zappa: it checks the custom domain (a bad one stops the deploy with one line
before anything is created), finds or creates the distribution (a first deploy creates it with its
bucket origin alone, since the API does not exist yet) and puts the site's address and the secret
in the function's environment. `apply` runs after Zappa: every setting above, changed only where it
differs, and waits until the distribution is deployed. `remove` disables, waits for and deletes the
distribution, then its OAC, policy, bucket policy and alias records.
"""

from __future__ import annotations

import json
import re
import secrets
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from catsite_tools.deploy.extras import StageContext

#: CloudFront takes certificates from ACM in this region only, whatever the site's region.
CERTIFICATE_REGION = "us-east-1"
#: Route 53's hosted zone for every CloudFront alias target (Route 53 API reference, AliasTarget).
CLOUDFRONT_ZONE = "Z2FDTNDATAQYW2"
#: Managed cache policies (CloudFront developer guide, "Use managed cache policies").
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
#: The origin custom header that proves a request came through the distribution.
EDGE_HEADER = "X-Catsite-Edge"
#: What the app reads of a request (content negotiation, compression, the admin token, bodies,
#: CORS and its preflight, `Prefer: respond-async`), and CloudFront's viewer address and protocol.
#: Ten names: the default quota of headers in an origin request policy.
FORWARDED_HEADERS = (
    "Accept",
    "Accept-Encoding",
    "Authorization",
    "Content-Type",
    "Origin",
    "Prefer",
    "Access-Control-Request-Headers",
    "Access-Control-Request-Method",
    "CloudFront-Viewer-Address",
    "CloudFront-Forwarded-Proto",
)
#: The key prefixes browsers read through the distribution (catsite.s3.keys).
PUBLIC_PREFIXES = ("static/", "pics/public/")
#: CloudFront's origin response timeout default (1-60 s; up to 180 s by a quota increase).
ORIGIN_READ_TIMEOUT = 30
ALL_METHODS = ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"]
READ_METHODS = ["GET", "HEAD"]
_HOSTNAME = re.compile(r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")


def log_line(stage: StageContext, message: str) -> None:
    stage.log(f"  edge: {message}")


class EdgeError(SystemExit):
    """A stage's edge cannot be set up as configured: one line, and the deploy stops."""

    def __init__(self, message: str):
        super().__init__(f"deploy: {message}")


# -- the stage's settings ---------------------------------------------------------------------


@dataclass(frozen=True)
class EdgeSettings:
    domain: str = ""
    certificate_arn: str = ""
    hosted_zone_id: str = ""
    price_class: str = "PriceClass_100"
    served_at: str = ""

    @classmethod
    def of(cls, config: dict, check: bool = True) -> EdgeSettings:
        """The stage's `catsite_edge` settings, checked without any AWS call (`check=False`: read
        as they are, so a stage whose settings a deploy would refuse can still be undeployed)."""
        given = config.get("catsite_edge") or {}
        if not isinstance(given, dict):
            raise EdgeError("catsite_edge must be an object of settings")
        unknown = sorted(set(given) - set(cls.__dataclass_fields__))
        if unknown:
            raise EdgeError(f"catsite_edge has unknown settings: {', '.join(unknown)}")
        if not all(isinstance(value, str) for value in given.values()):
            raise EdgeError("every catsite_edge setting is a string")
        settings = cls(**{key: value.strip() for key, value in given.items()})
        if check:
            settings.check()
        return settings

    def check(self) -> None:
        domain, arn = self.domain, self.certificate_arn
        if domain and not _HOSTNAME.fullmatch(domain):
            raise EdgeError(f"catsite_edge.domain {domain!r} is not a lower-case host name")
        if domain and not arn:
            raise EdgeError(
                f"catsite_edge.domain {domain} has no certificate: set catsite_edge.certificate_arn "
                f'to an ACM certificate in {CERTIFICATE_REGION} covering it, or to "request"'
            )
        if arn and not domain:
            raise EdgeError("catsite_edge.certificate_arn is set but catsite_edge.domain is not")
        if arn == "request" and not self.hosted_zone_id:
            raise EdgeError(
                'catsite_edge.certificate_arn "request" needs catsite_edge.hosted_zone_id, '
                "where the certificate is validated by DNS"
            )
        if arn and arn != "request":
            region = certificate_region(arn)
            if region != CERTIFICATE_REGION:
                raise EdgeError(
                    f"certificate {arn} is in {region or 'no region'}: CloudFront uses ACM "
                    f"certificates from {CERTIFICATE_REGION} only"
                )
        if self.hosted_zone_id and not domain:
            raise EdgeError("catsite_edge.hosted_zone_id is set but catsite_edge.domain is not")


def certificate_region(arn: str) -> str:
    """The region of an ACM certificate ARN (`arn:aws:acm:<region>:<account>:certificate/<id>`)."""
    parts = arn.split(":")
    if len(parts) < 6 or parts[0] != "arn" or parts[2] != "acm" or not parts[5].startswith("certificate/"):
        raise EdgeError(f"catsite_edge.certificate_arn {arn!r} is not an ACM certificate ARN")
    return parts[3]


def covers(names: list[str], domain: str) -> bool:
    """Whether a certificate for `names` is valid for `domain`: an exact name, or a wildcard
    standing for exactly one left-most label (RFC 6125 section 6.4.3)."""
    domain = domain.lower()
    for name in (n.lower() for n in names):
        if name == domain:
            return True
        if name.startswith("*.") and "." in domain and domain.split(".", 1)[1] == name[2:]:
            return True
    return False


# -- what the distribution is -----------------------------------------------------------------


def items(values: list) -> dict:
    """CloudFront's list shape: `Quantity`, and `Items` when there are any (as it answers)."""
    return {"Quantity": len(values), "Items": list(values)} if values else {"Quantity": 0}


def bucket_origin(bucket: str, region: str, oac_id: str) -> dict:
    return {
        "Id": "bucket",
        # The bucket's REST endpoint: OAC works with it, never with a website endpoint.
        "DomainName": f"{bucket}.s3.{region}.amazonaws.com",
        "OriginPath": "",
        "CustomHeaders": items([]),
        "S3OriginConfig": {"OriginAccessIdentity": ""},
        "OriginAccessControlId": oac_id,
        "ConnectionAttempts": 3,
        "ConnectionTimeout": 10,
        "OriginShield": {"Enabled": False},
    }


def api_origin(api_domain: str, stage: str, secret: str) -> dict:
    return {
        "Id": "api",
        "DomainName": api_domain,
        "OriginPath": f"/{stage}",
        "CustomHeaders": items([{"HeaderName": EDGE_HEADER, "HeaderValue": secret}]),
        "CustomOriginConfig": {
            "HTTPPort": 80,
            "HTTPSPort": 443,
            "OriginProtocolPolicy": "https-only",
            "OriginSslProtocols": items(["TLSv1.2"]),
            "OriginReadTimeout": ORIGIN_READ_TIMEOUT,
            "OriginKeepaliveTimeout": 5,
        },
        "ConnectionAttempts": 3,
        "ConnectionTimeout": 10,
        "OriginShield": {"Enabled": False},
        "OriginAccessControlId": "",
    }


def behaviour(target: str, cache_policy: str, methods: list[str], origin_policy: str = "") -> dict:
    shape = {
        "TargetOriginId": target,
        "ViewerProtocolPolicy": "redirect-to-https",
        "AllowedMethods": {**items(methods), "CachedMethods": items(READ_METHODS)},
        "CachePolicyId": cache_policy,
        "Compress": True,
        "SmoothStreaming": False,
        "FieldLevelEncryptionId": "",
        "TrustedSigners": {"Enabled": False, "Quantity": 0},
        "TrustedKeyGroups": {"Enabled": False, "Quantity": 0},
        "LambdaFunctionAssociations": items([]),
        "FunctionAssociations": items([]),
    }
    if origin_policy:
        shape["OriginRequestPolicyId"] = origin_policy
    return shape


def viewer_certificate(certificate_arn: str) -> dict:
    if not certificate_arn:
        return {"CloudFrontDefaultCertificate": True}
    return {
        "CloudFrontDefaultCertificate": False,
        "ACMCertificateArn": certificate_arn,
        "SSLSupportMethod": "sni-only",
        "MinimumProtocolVersion": "TLSv1.2_2021",
    }


def distribution_config(
    *,
    comment: str,
    bucket: str,
    region: str,
    oac_id: str,
    stage: str = "",
    api_domain: str = "",
    secret: str = "",
    origin_policy: str = "",
    domain: str = "",
    certificate_arn: str = "",
    price_class: str = "PriceClass_100",
) -> dict:
    """The distribution's configuration (the fields catsite decides; CloudFront fills the rest).
    Without `api_domain` (a first deploy, before Zappa made the API) the bucket is its only origin."""
    origins = [bucket_origin(bucket, region, oac_id)]
    if api_domain:
        origins.append(api_origin(api_domain, stage, secret))
        default = behaviour("api", CACHING_DISABLED, ALL_METHODS, origin_policy)
    else:
        default = behaviour("bucket", CACHING_OPTIMIZED, READ_METHODS)
    return {
        "Comment": comment,
        "Enabled": True,
        "Aliases": items([domain] if domain else []),
        "DefaultRootObject": "",
        "Origins": items(origins),
        "DefaultCacheBehavior": default,
        "CacheBehaviors": items(
            [
                {"PathPattern": f"/{prefix}*", **behaviour("bucket", CACHING_OPTIMIZED, READ_METHODS)}
                for prefix in PUBLIC_PREFIXES
            ]
        ),
        "PriceClass": price_class,
        "ViewerCertificate": viewer_certificate(certificate_arn),
        "HttpVersion": "http2and3",
        "IsIPV6Enabled": True,
    }


def origin_request_policy_config(name: str) -> dict:
    return {
        "Name": name,
        "Comment": "catsite: what the app reads of a request, and the viewer's address and protocol",
        "HeadersConfig": {"HeaderBehavior": "whitelist", "Headers": items(list(FORWARDED_HEADERS))},
        "CookiesConfig": {"CookieBehavior": "none"},
        "QueryStringsConfig": {"QueryStringBehavior": "all"},
    }


def oac_config(name: str) -> dict:
    return {
        "Name": name,
        "Description": "catsite: the stage's distribution reads its bucket",
        "SigningProtocol": "sigv4",
        "SigningBehavior": "always",
        "OriginAccessControlOriginType": "s3",
    }


def bucket_policy(bucket: str, distribution_arn: str) -> dict:
    """The bucket's only policy: the distribution may read the public prefixes, nobody else
    (CloudFront developer guide, "Restrict access to an Amazon S3 origin": the service principal,
    bound to the distribution by `AWS:SourceArn`)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "TheStageDistributionReadsAssetsAndRenditions",
                "Effect": "Allow",
                "Principal": {"Service": "cloudfront.amazonaws.com"},
                "Action": "s3:GetObject",
                "Resource": [f"arn:aws:s3:::{bucket}/{prefix}*" for prefix in PUBLIC_PREFIXES],
                "Condition": {"StringEquals": {"AWS:SourceArn": distribution_arn}},
            }
        ],
    }


# -- what differs -----------------------------------------------------------------------------

#: Replaced whole when they differ: keeping fields of the old value would mix two certificates.
_WHOLE = frozenset(("ViewerCertificate", "Aliases"))
#: What identifies an item of a list, so CloudFront's own fields of that item are kept.
_ITEM_KEYS = ("Id", "PathPattern", "HeaderName")


def differs(current, desired) -> bool:
    """Whether `current` (as CloudFront answers) says anything other than `desired` says, looking
    only at what `desired` names. Lists of names compare as sets (CloudFront may reorder them)."""
    if isinstance(desired, dict):
        if not isinstance(current, dict):
            return True
        return any(differs(current.get(key), value) for key, value in desired.items())
    if isinstance(desired, list):
        if not isinstance(current, list) or len(current) != len(desired):
            return True
        if all(not isinstance(v, dict | list) for v in desired):
            return sorted(map(str, current)) != sorted(map(str, desired))
        return any(differs(c, d) for c, d in zip(current, desired, strict=True))
    return current != desired


def overlay(current, desired):
    """`current` with everything `desired` names written over it; fields CloudFront fills in and
    catsite does not name are kept, so comparing before and after says whether anything changes."""
    if isinstance(desired, dict) and isinstance(current, dict):
        merged = dict(current)
        for key, value in desired.items():
            if key in _WHOLE:
                merged[key] = value if differs(current.get(key), value) else current.get(key)
            else:
                merged[key] = overlay(current.get(key), value)
        if "Items" not in desired and "Quantity" in desired and merged.get("Items"):
            merged.pop("Items")
        return merged
    if isinstance(desired, list) and isinstance(current, list):
        if not differs(current, desired):
            return current
        by_key = {_item_key(item): item for item in current if isinstance(item, dict)}
        return [
            overlay(by_key.get(_item_key(item), {}), item) if isinstance(item, dict) else item
            for item in desired
        ]
    return desired


def _item_key(item: dict):
    return next(((k, item[k]) for k in _ITEM_KEYS if k in item), None)


# -- reading what exists ----------------------------------------------------------------------


def clients(region: str):
    import boto3

    return (
        boto3.client("cloudfront", region_name=CERTIFICATE_REGION),
        boto3.client("s3", region_name=region),
    )


def _listed(cloudfront, operation: str, listing: str, field: str, value: str) -> dict | None:
    """The first summary of a paginated CloudFront listing whose `field` is `value`, or None."""
    for page in cloudfront.get_paginator(operation).paginate():
        for summary in page.get(listing, {}).get("Items", []) or []:
            if summary.get(field) == value:
                return summary
    return None


def find_distribution(cloudfront, comment: str) -> dict | None:
    """The distribution summary whose Comment is `comment` (the function's name), or None."""
    return _listed(cloudfront, "list_distributions", "DistributionList", "Comment", comment)


def distribution_id(stage: StageContext) -> str | None:
    """The id of the stage's distribution, or None when it has none (for other steps: alarms on
    its 5xx rate, say). Read from CloudFront, so it is right after any deploy or none."""
    cloudfront, _ = clients(stage.region)
    summary = find_distribution(cloudfront, stage.function)
    return summary["Id"] if summary else None


def find_oac(cloudfront, name: str) -> dict | None:
    return _listed(cloudfront, "list_origin_access_controls", "OriginAccessControlList", "Name", name)


def find_origin_policy(cloudfront, name: str) -> dict | None:
    listed = cloudfront.list_origin_request_policies(Type="custom")["OriginRequestPolicyList"]
    for item in listed.get("Items", []) or []:
        policy = item["OriginRequestPolicy"]
        if policy["OriginRequestPolicyConfig"]["Name"] == name:
            return policy
    return None


def secret_of(config: dict) -> str:
    """The value the distribution's API origin sends in `X-Catsite-Edge` ("" without one)."""
    for origin in config.get("Origins", {}).get("Items", []) or []:
        for header in origin.get("CustomHeaders", {}).get("Items", []) or []:
            if header.get("HeaderName", "").lower() == EDGE_HEADER.lower():
                return header.get("HeaderValue", "")
    return ""


def rest_api_domain(stage: StageContext) -> str:
    """The Regional endpoint of the REST API Zappa made for the stage (named after the function)."""
    import boto3

    apis = boto3.client("apigateway", region_name=stage.region).get_rest_apis(limit=500)["items"]
    found = [api for api in apis if api["name"] == stage.function]
    if len(found) != 1:
        raise EdgeError(f"expected one REST API named {stage.function}, found {len(found)}")
    types = (found[0].get("endpointConfiguration") or {}).get("types") or []
    if "EDGE" in types:
        raise EdgeError(
            f"the REST API of {stage.function} is edge-optimized (its own CloudFront): set "
            'endpoint_configuration ["REGIONAL"] for the stage'
        )
    return f"{found[0]['id']}.execute-api.{stage.region}.amazonaws.com"


def site_address(settings: EdgeSettings, distribution_domain: str) -> str:
    """Where browsers reach the site: the custom domain, else where the distribution is served."""
    if settings.domain:
        return f"https://{settings.domain}"
    if settings.served_at:
        label = distribution_domain.split(".", 1)[0]
        return settings.served_at.format(label=label, domain=distribution_domain).rstrip("/")
    return f"https://{distribution_domain}"


# -- the step ---------------------------------------------------------------------------------


class Edge:
    name = "edge (CloudFront)"

    def prepare(self, stage: StageContext) -> None:
        """Before Zappa: the distribution exists, and the function's environment names the site's
        address and the secret (a stage's own CATSITE_PUBLIC_URL, _STATIC_URL, _RENDITIONS_URL
        win)."""
        settings = EdgeSettings.of(stage.config)
        certificate = certificate_for(stage, settings)
        cloudfront, _ = clients(stage.region)
        oac = ensure_oac(stage, cloudfront)
        summary = find_distribution(cloudfront, stage.function)
        if summary is None:
            config = stage_distribution(stage, settings, certificate, oac)
            created = cloudfront.create_distribution(
                DistributionConfig={**config, "CallerReference": f"{stage.function}-{uuid.uuid4().hex}"}
            )["Distribution"]
            log_line(stage, f"created distribution {created['Id']} ({created['DomainName']})")
            domain, secret = created["DomainName"], ""
        else:
            domain = summary["DomainName"]
            current = cloudfront.get_distribution_config(Id=summary["Id"])["DistributionConfig"]
            secret = secret_of(current)
            log_line(stage, f"distribution {summary['Id']} ({domain})")
        address = site_address(settings, domain)
        env = stage.config["aws_environment_variables"]
        site = env.get("CATSITE_PUBLIC_URL") or address
        for key, value in (
            ("CATSITE_PUBLIC_URL", site),
            ("CATSITE_STATIC_URL", f"{site}/static"),
            ("CATSITE_RENDITIONS_URL", site),
        ):
            if not env.get(key):
                env[key] = value
        env["CATSITE_EDGE_SECRET"] = secret or secrets.token_urlsafe(32)
        write_environment(stage, env)
        log_line(stage, f"the site is {env['CATSITE_PUBLIC_URL']} (assets and renditions from it too)")

    def apply(self, stage: StageContext) -> None:
        """After Zappa: the whole configuration, changed only where it differs; then the bucket
        policy and the alias records."""
        settings = EdgeSettings.of(stage.config)
        certificate = certificate_for(stage, settings)
        cloudfront, s3 = clients(stage.region)
        env = stage.config["aws_environment_variables"]
        oac = ensure_oac(stage, cloudfront)
        policy = ensure_origin_policy(stage, cloudfront)
        summary = find_distribution(cloudfront, stage.function)
        if summary is None:
            raise EdgeError(f"no distribution for {stage.function}: scripts/deploy creates it first")
        desired = stage_distribution(
            stage,
            settings,
            certificate,
            oac,
            stage=stage.stage,
            api_domain=rest_api_domain(stage),
            secret=env["CATSITE_EDGE_SECRET"],
            origin_policy=policy,
        )
        answer = cloudfront.get_distribution_config(Id=summary["Id"])
        current = answer["DistributionConfig"]
        wanted = overlay(current, desired)
        if wanted != current:
            cloudfront.update_distribution(
                Id=summary["Id"], IfMatch=answer["ETag"], DistributionConfig=wanted
            )
            log_line(stage, f"distribution {summary['Id']} updated")
        else:
            log_line(stage, f"distribution {summary['Id']} as configured")
        log_line(stage, "waiting until it is deployed")
        cloudfront.get_waiter("distribution_deployed").wait(Id=summary["Id"])
        ensure_bucket_policy(stage, s3, summary["ARN"])
        if settings.hosted_zone_id:
            ensure_alias(stage, settings, summary["DomainName"])
        site = env["CATSITE_PUBLIC_URL"]
        stage.urls[:] = [site, *(url for url in stage.urls if url != site)]

    def remove(self, stage: StageContext) -> None:
        """Disable, wait for and delete the distribution, then what only it used."""
        settings = EdgeSettings.of(stage.config, check=False)
        cloudfront, s3 = clients(stage.region)
        summary = find_distribution(cloudfront, stage.function)
        if summary is None:
            log_line(stage, f"no distribution for {stage.function}")
        else:
            delete_distribution(stage, cloudfront, summary["Id"])
            remove_bucket_policy(stage, s3, summary["ARN"])
            if settings.hosted_zone_id:
                remove_alias(stage, settings, summary["DomainName"])
        oac = find_oac(cloudfront, stage.function)
        if oac:
            etag = cloudfront.get_origin_access_control(Id=oac["Id"])["ETag"]
            cloudfront.delete_origin_access_control(Id=oac["Id"], IfMatch=etag)
            log_line(stage, f"deleted origin access control {oac['Id']}")
        policy = find_origin_policy(cloudfront, f"{stage.function}-dynamic")
        if policy:
            etag = cloudfront.get_origin_request_policy(Id=policy["Id"])["ETag"]
            cloudfront.delete_origin_request_policy(Id=policy["Id"], IfMatch=etag)
            log_line(stage, f"deleted origin request policy {policy['Id']}")
        kept = "the stage's bucket and its data (as Zappa keeps it)"
        if settings.certificate_arn:
            kept += "; the ACM certificate (free; delete it in ACM when the domain is retired)"
        log_line(stage, f"left: {kept}")


EDGE = Edge()


# -- the parts --------------------------------------------------------------------------------


def stage_distribution(
    context: StageContext, settings: EdgeSettings, certificate: str, oac: str, **api
) -> dict:
    """The stage's distribution configuration; `api` names its dynamic origin once it exists."""
    return distribution_config(
        comment=context.function,
        bucket=bucket_of(context),
        region=context.region,
        oac_id=oac,
        domain=settings.domain,
        certificate_arn=certificate,
        price_class=settings.price_class,
        **api,
    )


def bucket_of(stage: StageContext) -> str:
    return stage.config["aws_environment_variables"]["CATSITE_BUCKET"]


def write_environment(stage: StageContext, env: dict) -> None:
    """The function's environment into the deploy's settings copy, which Zappa reads next."""
    stages = json.loads(stage.settings_file.read_text())
    stages[stage.stage]["aws_environment_variables"] = env
    stage.settings_file.write_text(json.dumps(stages, indent=4))


def ensure_oac(stage: StageContext, cloudfront) -> str:
    found = find_oac(cloudfront, stage.function)
    if found:
        return found["Id"]
    created = cloudfront.create_origin_access_control(OriginAccessControlConfig=oac_config(stage.function))
    oac = created["OriginAccessControl"]["Id"]
    log_line(stage, f"created origin access control {oac}")
    return oac


def ensure_origin_policy(stage: StageContext, cloudfront) -> str:
    name = f"{stage.function}-dynamic"
    desired = origin_request_policy_config(name)
    found = find_origin_policy(cloudfront, name)
    if found is None:
        created = cloudfront.create_origin_request_policy(OriginRequestPolicyConfig=desired)
        log_line(stage, f"created origin request policy {name}")
        return created["OriginRequestPolicy"]["Id"]
    current = found["OriginRequestPolicyConfig"]
    if differs(current, desired):
        etag = cloudfront.get_origin_request_policy(Id=found["Id"])["ETag"]
        cloudfront.update_origin_request_policy(
            Id=found["Id"], IfMatch=etag, OriginRequestPolicyConfig=overlay(current, desired)
        )
        log_line(stage, f"updated origin request policy {name}")
    return found["Id"]


def ensure_bucket_policy(stage: StageContext, s3, distribution_arn: str) -> None:
    bucket = bucket_of(stage)
    desired = bucket_policy(bucket, distribution_arn)
    try:
        current = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    except s3.exceptions.ClientError as error:
        if error.response.get("Error", {}).get("Code") != "NoSuchBucketPolicy":
            raise
        current = None
    if current == desired:
        log_line(stage, f"bucket {bucket}: only the distribution reads static/* and pics/public/*")
        return
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(desired))
    log_line(stage, f"bucket {bucket}: policy set, only the distribution reads static/* and pics/public/*")


def remove_bucket_policy(stage: StageContext, s3, distribution_arn: str) -> None:
    """The bucket policy, when it is the one this step wrote (it names a distribution that is gone)."""
    bucket = bucket_of(stage)
    try:
        current = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    except s3.exceptions.ClientError:
        return
    if current == bucket_policy(bucket, distribution_arn):
        s3.delete_bucket_policy(Bucket=bucket)
        log_line(stage, f"bucket {bucket}: policy deleted")


def delete_distribution(stage: StageContext, cloudfront, distribution: str) -> None:
    answer = cloudfront.get_distribution_config(Id=distribution)
    config, etag = answer["DistributionConfig"], answer["ETag"]
    if config.get("Enabled"):
        etag = cloudfront.update_distribution(
            Id=distribution, IfMatch=etag, DistributionConfig={**config, "Enabled": False}
        )["ETag"]
        log_line(stage, f"distribution {distribution} disabled; waiting until that is deployed")
    cloudfront.get_waiter("distribution_deployed").wait(Id=distribution)
    etag = cloudfront.get_distribution(Id=distribution)["ETag"]
    cloudfront.delete_distribution(Id=distribution, IfMatch=etag)
    log_line(stage, f"deleted distribution {distribution}")


def certificate_for(stage: StageContext, settings: EdgeSettings) -> str:
    """The certificate's ARN ("" without a custom domain): checked to be issued and to cover the
    domain, or requested and validated when the settings say `"request"`."""
    if not settings.domain:
        return ""
    import boto3

    acm = boto3.client("acm", region_name=CERTIFICATE_REGION)
    arn = settings.certificate_arn
    if arn == "request":
        arn = requested_certificate(stage, settings, acm)
    try:
        certificate = acm.describe_certificate(CertificateArn=arn)["Certificate"]
    except acm.exceptions.ResourceNotFoundException:
        raise EdgeError(f"certificate {arn} does not exist in ACM ({CERTIFICATE_REGION})") from None
    names = [certificate["DomainName"], *certificate.get("SubjectAlternativeNames", [])]
    if not covers(names, settings.domain):
        raise EdgeError(f"certificate {arn} covers {', '.join(dict.fromkeys(names))}, not {settings.domain}")
    if certificate.get("Status") != "ISSUED":
        raise EdgeError(f"certificate {arn} is {certificate.get('Status')}: CloudFront needs it issued")
    return arn


def requested_certificate(stage: StageContext, settings: EdgeSettings, acm) -> str:
    """A certificate for the domain, requested once (found again by name on later deploys),
    validated by a DNS record in the stage's hosted zone."""
    for page in acm.get_paginator("list_certificates").paginate():
        for summary in page["CertificateSummaryList"]:
            if summary["DomainName"] == settings.domain and summary.get("Status") in (
                "ISSUED",
                "PENDING_VALIDATION",
            ):
                arn = summary["CertificateArn"]
                break
        else:
            continue
        break
    else:
        arn = acm.request_certificate(
            DomainName=settings.domain,
            ValidationMethod="DNS",
            IdempotencyToken=re.sub(r"[^A-Za-z0-9]", "", stage.function + settings.domain)[:32],
        )["CertificateArn"]
        log_line(stage, f"requested certificate {arn} for {settings.domain}")
    certificate = acm.describe_certificate(CertificateArn=arn)["Certificate"]
    if certificate.get("Status") == "ISSUED":
        return arn
    import boto3

    route53 = boto3.client("route53")
    changes = [
        {
            "Action": "UPSERT",
            "ResourceRecordSet": {
                "Name": option["ResourceRecord"]["Name"],
                "Type": option["ResourceRecord"]["Type"],
                "TTL": 300,
                "ResourceRecords": [{"Value": option["ResourceRecord"]["Value"]}],
            },
        }
        for option in certificate.get("DomainValidationOptions", [])
        if option.get("ResourceRecord")
    ]
    if changes:
        route53.change_resource_record_sets(
            HostedZoneId=settings.hosted_zone_id, ChangeBatch={"Changes": changes}
        )
    log_line(stage, f"waiting for ACM to validate {arn} by DNS")
    acm.get_waiter("certificate_validated").wait(CertificateArn=arn)
    return arn


def alias_records(settings: EdgeSettings, distribution_domain: str) -> list[dict]:
    return [
        {
            "Name": f"{settings.domain}.",
            "Type": kind,
            "AliasTarget": {
                "HostedZoneId": CLOUDFRONT_ZONE,
                "DNSName": f"{distribution_domain}.",
                "EvaluateTargetHealth": False,
            },
        }
        for kind in ("A", "AAAA")
    ]


def current_records(route53, settings: EdgeSettings) -> dict:
    answer = route53.list_resource_record_sets(
        HostedZoneId=settings.hosted_zone_id, StartRecordName=f"{settings.domain}.", MaxItems="10"
    )
    return {
        record["Type"]: record
        for record in answer["ResourceRecordSets"]
        if record["Name"].rstrip(".").lower() == settings.domain
    }


def ensure_alias(stage: StageContext, settings: EdgeSettings, distribution_domain: str) -> None:
    import boto3

    route53 = boto3.client("route53")
    present = current_records(route53, settings)
    changes = [
        {"Action": "UPSERT", "ResourceRecordSet": record}
        for record in alias_records(settings, distribution_domain)
        if differs(present.get(record["Type"]), record)
    ]
    if changes:
        route53.change_resource_record_sets(
            HostedZoneId=settings.hosted_zone_id, ChangeBatch={"Changes": changes}
        )
        log_line(stage, f"Route 53: {settings.domain} is an alias of {distribution_domain}")
    else:
        log_line(stage, f"Route 53: {settings.domain} already an alias of {distribution_domain}")


def remove_alias(stage: StageContext, settings: EdgeSettings, distribution_domain: str) -> None:
    import boto3

    route53 = boto3.client("route53")
    present = current_records(route53, settings)
    changes = [
        {"Action": "DELETE", "ResourceRecordSet": present[record["Type"]]}
        for record in alias_records(settings, distribution_domain)
        if record["Type"] in present and not differs(present[record["Type"]], record)
    ]
    if changes:
        route53.change_resource_record_sets(
            HostedZoneId=settings.hosted_zone_id, ChangeBatch={"Changes": changes}
        )
        log_line(stage, f"Route 53: alias records of {settings.domain} deleted")

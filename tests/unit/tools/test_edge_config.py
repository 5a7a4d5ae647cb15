"""What scripts/deploy asks of CloudFront and S3 for a stage's edge (`catsite_tools.deploy.edge`),
computed from the stage's settings alone, and the settings it refuses before anything is created.

Oracles: CloudFront developer guide ("Restrict access to an Amazon S3 origin": OAC, the service
principal and `AWS:SourceArn`; "Use managed cache policies"; "Use various origins": API Gateway
without the viewer's `Host`; "Requirements for using SSL/TLS certificates with CloudFront": ACM in
us-east-1), RFC 6125 section 6.4.3 for wildcard names.
"""

from __future__ import annotations

import pytest

from catsite_tools.deploy import edge

CONFIG = dict(
    comment="catsite-prod",
    bucket="catsite-prod-cats",
    region="eu-west-1",
    oac_id="E2OAC",
    stage="prod",
    api_domain="abc123.execute-api.eu-west-1.amazonaws.com",
    secret="s" * 43,
    origin_policy="policy-id",
)


def test_the_bucket_is_an_s3_origin_read_with_the_oac_by_its_rest_endpoint():
    origins = {o["Id"]: o for o in edge.distribution_config(**CONFIG)["Origins"]["Items"]}
    bucket = origins["bucket"]
    assert bucket["DomainName"] == "catsite-prod-cats.s3.eu-west-1.amazonaws.com"  # not a website endpoint
    assert bucket["OriginAccessControlId"] == "E2OAC"
    assert bucket["S3OriginConfig"] == {"OriginAccessIdentity": ""}  # no legacy OAI
    assert bucket["CustomHeaders"] == {"Quantity": 0}  # the secret never goes to S3


def test_the_api_is_its_regional_endpoint_under_the_stage_over_https_with_the_secret():
    api = {o["Id"]: o for o in edge.distribution_config(**CONFIG)["Origins"]["Items"]}["api"]
    assert (api["DomainName"], api["OriginPath"]) == ("abc123.execute-api.eu-west-1.amazonaws.com", "/prod")
    assert api["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    assert api["CustomOriginConfig"]["OriginReadTimeout"] == 30  # CloudFront's default, at most 60
    assert api["CustomHeaders"]["Items"] == [{"HeaderName": "X-Catsite-Edge", "HeaderValue": "s" * 43}]


def test_only_fingerprinted_assets_and_renditions_are_cached():
    config = edge.distribution_config(**CONFIG)
    default = config["DefaultCacheBehavior"]
    assert (default["TargetOriginId"], default["CachePolicyId"]) == ("api", edge.CACHING_DISABLED)
    assert default["OriginRequestPolicyId"] == "policy-id"
    assert set(default["AllowedMethods"]["Items"]) == {
        "GET",
        "HEAD",
        "OPTIONS",
        "PUT",
        "PATCH",
        "POST",
        "DELETE",
    }
    cached = {b["PathPattern"]: b for b in config["CacheBehaviors"]["Items"]}
    assert set(cached) == {"/static/*", "/pics/public/*"}
    for behaviour in cached.values():
        assert (behaviour["TargetOriginId"], behaviour["CachePolicyId"]) == ("bucket", edge.CACHING_OPTIMIZED)
        assert behaviour["AllowedMethods"]["Items"] == ["GET", "HEAD"]
        assert "OriginRequestPolicyId" not in behaviour
    every = [default, *cached.values()]
    assert {b["ViewerProtocolPolicy"] for b in every} == {"redirect-to-https"}


def test_the_managed_policies_are_named_by_their_documented_ids():
    assert edge.CACHING_OPTIMIZED == "658327ea-f89d-4fab-a63d-7e88639e58f6"
    assert edge.CACHING_DISABLED == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"


def test_the_origin_request_policy_forwards_what_the_app_reads_and_never_host_or_cookies():
    policy = edge.origin_request_policy_config("catsite-prod-dynamic")
    headers = [h.lower() for h in policy["HeadersConfig"]["Headers"]["Items"]]
    assert policy["HeadersConfig"]["HeaderBehavior"] == "whitelist"
    assert "host" not in headers
    assert {"cloudfront-viewer-address", "cloudfront-forwarded-proto", "authorization", "prefer"} <= set(
        headers
    )
    assert len(headers) <= 10  # CloudFront's default quota of headers in an origin request policy
    assert policy["CookiesConfig"] == {"CookieBehavior": "none"}
    assert policy["QueryStringsConfig"] == {"QueryStringBehavior": "all"}


def test_the_bucket_policy_lets_the_distribution_alone_read_the_public_prefixes():
    arn = "arn:aws:cloudfront::123456789012:distribution/E1EXAMPLE"
    (statement,) = edge.bucket_policy("cats", arn)["Statement"]
    assert statement["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert statement["Action"] == "s3:GetObject"
    assert statement["Resource"] == ["arn:aws:s3:::cats/static/*", "arn:aws:s3:::cats/pics/public/*"]
    assert statement["Condition"] == {"StringEquals": {"AWS:SourceArn": arn}}


def test_a_first_deploy_creates_the_distribution_with_its_bucket_alone():
    config = edge.distribution_config(comment="c", bucket="b", region="us-east-1", oac_id="O")
    assert [o["Id"] for o in config["Origins"]["Items"]] == ["bucket"]
    assert config["DefaultCacheBehavior"]["TargetOriginId"] == "bucket"


def test_a_custom_domain_is_an_alias_with_its_certificate_sni_only():
    arn = "arn:aws:acm:us-east-1:123456789012:certificate/abc"
    config = edge.distribution_config(**CONFIG, domain="cats.example.com", certificate_arn=arn)
    assert config["Aliases"] == {"Quantity": 1, "Items": ["cats.example.com"]}
    assert config["ViewerCertificate"]["ACMCertificateArn"] == arn
    assert config["ViewerCertificate"]["SSLSupportMethod"] == "sni-only"
    plain = edge.distribution_config(**CONFIG)
    assert plain["Aliases"] == {"Quantity": 0}
    assert plain["ViewerCertificate"] == {"CloudFrontDefaultCertificate": True}


# -- what the stage's settings may say ----------------------------------------------------------

CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d"


@pytest.mark.parametrize(
    ("given", "named"),
    [
        ({"domain": "cats.example.com"}, "certificate"),
        (
            {"domain": "cats.example.com", "certificate_arn": CERT.replace("us-east-1", "eu-west-1")},
            "eu-west-1",
        ),
        ({"domain": "cats.example.com", "certificate_arn": "arn:aws:iam::1:server-certificate/x"}, "ACM"),
        ({"certificate_arn": CERT}, "domain"),
        ({"domain": "Cats.Example.com", "certificate_arn": CERT}, "host name"),
        ({"domain": "cats..example.com", "certificate_arn": CERT}, "host name"),
        ({"domain": "cats.example.com", "certificate_arn": "request"}, "hosted_zone_id"),
        ({"hosted_zone_id": "Z1"}, "domain"),
        ({"domains": ["a.example.com"]}, "unknown"),
        ({"domain": 7}, "string"),
    ],
)
def test_a_setting_that_cannot_work_stops_the_deploy_with_one_line(given, named):
    with pytest.raises(SystemExit) as stopped:
        edge.EdgeSettings.of({"catsite_edge": given})
    message = str(stopped.value)
    assert named in message and "\n" not in message and message.startswith("deploy: ")


def test_no_settings_mean_the_distributions_own_name_and_certificate():
    assert edge.EdgeSettings.of({}) == edge.EdgeSettings()
    assert edge.site_address(edge.EdgeSettings(), "d111.cloudfront.net") == "https://d111.cloudfront.net"


def test_the_site_is_the_custom_domain_when_there_is_one():
    settings = edge.EdgeSettings.of({"catsite_edge": {"domain": "cats.example.com", "certificate_arn": CERT}})
    assert edge.site_address(settings, "d111.cloudfront.net") == "https://cats.example.com"


def test_an_emulator_serves_the_distribution_where_its_setting_says():
    settings = edge.EdgeSettings(served_at="http://{label}.cloudfront.localhost:4566")
    assert edge.site_address(settings, "d111.cloudfront.net") == "http://d111.cloudfront.localhost:4566"


@pytest.mark.parametrize(
    ("names", "domain", "covered"),
    [
        (["cats.example.com"], "cats.example.com", True),
        (["example.com", "*.example.com"], "cats.example.com", True),
        (["*.example.com"], "example.com", False),  # a wildcard stands for one label, never none
        (["*.example.com"], "a.cats.example.com", False),  # nor for two
        (["dogs.example.com"], "cats.example.com", False),
        (["CATS.example.com"], "cats.example.com", True),
    ],
)
def test_a_certificate_covers_its_names_and_one_label_under_a_wildcard(names, domain, covered):
    assert edge.covers(names, domain) is covered


# -- what differs from what CloudFront answers --------------------------------------------------


def test_what_cloudfront_adds_of_its_own_is_no_difference():
    desired = edge.distribution_config(**CONFIG)
    answered = {**desired, "CallerReference": "x", "Logging": {"Enabled": False}, "WebACLId": ""}
    answered["Origins"] = {
        **desired["Origins"],
        "Items": [
            {**o, "OriginShield": {"Enabled": False}, "ResponseCompletionTimeout": 0}
            for o in desired["Origins"]["Items"]
        ],
    }
    answered["DefaultCacheBehavior"] = {
        **desired["DefaultCacheBehavior"],
        "AllowedMethods": {
            **desired["DefaultCacheBehavior"]["AllowedMethods"],
            "Items": list(reversed(desired["DefaultCacheBehavior"]["AllowedMethods"]["Items"])),
        },
    }
    answered["ViewerCertificate"] = {"CloudFrontDefaultCertificate": True, "MinimumProtocolVersion": "TLSv1"}
    assert not edge.differs(answered, desired)
    assert edge.overlay(answered, desired) == answered


def test_a_changed_secret_is_a_difference_and_cloudfronts_own_fields_are_kept():
    current = edge.distribution_config(**CONFIG)
    current["Origins"]["Items"][1]["ResponseCompletionTimeout"] = 0
    desired = edge.distribution_config(**{**CONFIG, "secret": "t" * 43})
    assert edge.differs(current, desired)
    merged = edge.overlay(current, desired)
    assert edge.secret_of(merged) == "t" * 43
    assert merged["Origins"]["Items"][1]["ResponseCompletionTimeout"] == 0


def test_a_certificate_is_replaced_whole():
    arn = "arn:aws:acm:us-east-1:123456789012:certificate/abc"
    current = edge.distribution_config(**CONFIG, domain="cats.example.com", certificate_arn=arn)
    merged = edge.overlay(current, edge.distribution_config(**CONFIG))
    assert merged["ViewerCertificate"] == {"CloudFrontDefaultCertificate": True}
    assert merged["Aliases"] == {"Quantity": 0}

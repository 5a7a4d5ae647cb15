"""The deploy's edge step (`catsite_tools.deploy.edge.EDGE`) against the emulator's CloudFront, S3,
API Gateway, ACM and Route 53 (ministack, as the rehearsal runs it): a second deploy changes
nothing, undeploy leaves nothing of it, a custom domain gets its alias and certificate, and a
domain the settings cannot serve stops the deploy before anything exists.

The full story (Zappa's deploy, the smoke through the distribution) is the rehearsal's; here the
step runs alone over a REST API and a bucket made for it.
"""

from __future__ import annotations

import json

import boto3
import pytest

from catsite_tools.deploy.bucket_setup import configure_bucket
from catsite_tools.deploy.edge import EDGE, bucket_policy
from catsite_tools.deploy.extras import StageContext
from catsite_tools.rehearse.emulators import MinistackEmulator

FUNCTION = "catsite-dev"


@pytest.fixture(scope="module")
def emulator():
    with MinistackEmulator() as server:
        yield server


@pytest.fixture
def aws(emulator, monkeypatch):
    """Every boto3 client of this process at the emulator, as scripts/deploy's are in a rehearsal."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", emulator.url)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    yield lambda service: boto3.client(service, region_name="us-east-1")
    cloudfront = boto3.client("cloudfront", region_name="us-east-1")
    assert (
        cloudfront.list_distributions()["DistributionList"].get("Items", []) == []
    )  # each test removes its own


@pytest.fixture
def stage(aws, tmp_path, request):
    """A stage with its bucket and REST API, a settings copy as scripts/deploy writes it."""
    name = f"cat-edge-{request.node.name[-12:].strip('_[]').lower().replace('_', '-')}"
    configure_bucket(aws("s3"), name, ["https://cats.example.com"], "us-east-1", log=lambda _: None)
    api = aws("apigateway").create_rest_api(name=FUNCTION, endpointConfiguration={"types": ["REGIONAL"]})[
        "id"
    ]
    copy = tmp_path / "zappa_settings.json"
    config = {"aws_region": "us-east-1", "aws_environment_variables": {"CATSITE_BUCKET": name}}
    copy.write_text(json.dumps({"dev": config}))
    lines: list[str] = []
    context = StageContext("dev", config, copy, FUNCTION, log=lines.append)
    context.lines = lines
    yield context
    aws("apigateway").delete_rest_api(restApiId=api)


def deploy(stage: StageContext) -> None:
    EDGE.prepare(stage)
    EDGE.apply(stage)


def state(aws, stage: StageContext) -> dict:
    """What exists of the stage's edge, with the versions CloudFront gives each."""
    cloudfront = aws("cloudfront")
    (summary,) = cloudfront.list_distributions()["DistributionList"]["Items"]
    policies = cloudfront.list_origin_request_policies(Type="custom")["OriginRequestPolicyList"]["Items"]
    (policy,) = [p["OriginRequestPolicy"] for p in policies]
    bucket = stage.config["aws_environment_variables"]["CATSITE_BUCKET"]
    return {
        "distribution": cloudfront.get_distribution_config(Id=summary["Id"]),
        "policy": cloudfront.get_origin_request_policy(Id=policy["Id"])["ETag"],
        "oac": [
            o["Id"] for o in cloudfront.list_origin_access_controls()["OriginAccessControlList"]["Items"]
        ],
        "bucket policy": aws("s3").get_bucket_policy(Bucket=bucket)["Policy"],
        "summary": summary,
    }


def test_a_second_deploy_changes_nothing_and_undeploy_leaves_nothing(aws, stage):
    deploy(stage)
    first = state(aws, stage)
    env = json.loads(stage.settings_file.read_text())["dev"]["aws_environment_variables"]
    domain = first["summary"]["DomainName"]
    assert env["CATSITE_PUBLIC_URL"] == f"https://{domain}"
    assert env["CATSITE_STATIC_URL"] == f"https://{domain}/static"
    assert env["CATSITE_RENDITIONS_URL"] == f"https://{domain}"
    bucket = env["CATSITE_BUCKET"]
    assert json.loads(first["bucket policy"]) == bucket_policy(bucket, first["summary"]["ARN"])
    assert stage.urls == [f"https://{domain}"]

    deploy(stage)
    second = state(aws, stage)
    assert second["distribution"]["ETag"] == first["distribution"]["ETag"]
    assert second["distribution"]["DistributionConfig"] == first["distribution"]["DistributionConfig"]
    assert (second["policy"], second["oac"], second["bucket policy"]) == (
        first["policy"],
        first["oac"],
        first["bucket policy"],
    )
    assert json.loads(stage.settings_file.read_text())["dev"]["aws_environment_variables"] == env

    EDGE.remove(stage)
    cloudfront = aws("cloudfront")
    assert cloudfront.list_origin_access_controls()["OriginAccessControlList"].get("Items", []) == []
    assert (
        cloudfront.list_origin_request_policies(Type="custom")["OriginRequestPolicyList"].get("Items", [])
        == []
    )
    with pytest.raises(aws("s3").exceptions.ClientError):
        aws("s3").get_bucket_policy(Bucket=bucket)
    EDGE.remove(stage)  # nothing left to remove is no error


def a_zone_and_certificate(aws, names: list[str]) -> tuple[str, str]:
    zone = aws("route53").create_hosted_zone(Name="example.com", CallerReference=names[0])["HostedZone"]["Id"]
    arn = aws("acm").request_certificate(
        DomainName=names[0], SubjectAlternativeNames=names, ValidationMethod="DNS"
    )["CertificateArn"]
    return zone.rsplit("/", 1)[-1], arn


def alias_records(aws, zone: str, name: str) -> dict:
    records = aws("route53").list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"]
    return {r["Type"]: r.get("AliasTarget", {}).get("DNSName") for r in records if r["Name"] == name + "."}


def test_a_custom_domain_is_the_site_with_its_certificate_and_alias_records(aws, stage):
    zone, arn = a_zone_and_certificate(aws, ["*.example.com"])
    stage.config["catsite_edge"] = {
        "domain": "cats.example.com",
        "certificate_arn": arn,
        "hosted_zone_id": zone,
    }
    deploy(stage)
    found = state(aws, stage)
    config = found["distribution"]["DistributionConfig"]
    assert config["Aliases"]["Items"] == ["cats.example.com"]
    assert config["ViewerCertificate"]["ACMCertificateArn"] == arn
    env = json.loads(stage.settings_file.read_text())["dev"]["aws_environment_variables"]
    assert env["CATSITE_PUBLIC_URL"] == "https://cats.example.com"
    distribution = found["summary"]["DomainName"] + "."
    # Route 53 developer guide, "Routing traffic to an Amazon CloudFront distribution": A and AAAA
    assert alias_records(aws, zone, "cats.example.com") == {"A": distribution, "AAAA": distribution}
    EDGE.remove(stage)
    assert alias_records(aws, zone, "cats.example.com") == {}


def test_a_requested_certificate_is_validated_in_the_zone_and_used(aws, stage):
    zone, _ = a_zone_and_certificate(aws, ["unused.example.com"])
    stage.config["catsite_edge"] = {
        "domain": "www.example.com",
        "certificate_arn": "request",
        "hosted_zone_id": zone,
    }
    deploy(stage)
    config = state(aws, stage)["distribution"]["DistributionConfig"]
    certificate = aws("acm").describe_certificate(
        CertificateArn=config["ViewerCertificate"]["ACMCertificateArn"]
    )
    assert certificate["Certificate"]["DomainName"] == "www.example.com"
    assert certificate["Certificate"]["Status"] == "ISSUED"
    EDGE.remove(stage)


def nothing_exists(aws) -> bool:
    cloudfront = aws("cloudfront")
    return (
        cloudfront.list_distributions()["DistributionList"].get("Items", []) == []
        and cloudfront.list_origin_access_controls()["OriginAccessControlList"].get("Items", []) == []
    )


@pytest.mark.parametrize(
    ("edge", "named"),
    [
        ({"domain": "cats.example.com"}, "no certificate"),
        (
            {
                "domain": "cats.example.com",
                "certificate_arn": "arn:aws:acm:eu-west-1:000000000000:certificate/x",
            },
            "eu-west-1",
        ),
        (
            {"domain": "cats.example.com", "certificate_arn": "COVERING dogs.example.com"},
            "not cats.example.com",
        ),
    ],
)
def test_a_domain_the_deploy_cannot_serve_stops_it_before_anything_exists(aws, stage, edge, named):
    if edge.get("certificate_arn", "").startswith("COVERING"):
        _zone, edge["certificate_arn"] = a_zone_and_certificate(aws, [edge["certificate_arn"].split()[1]])
    stage.config["catsite_edge"] = edge
    before = stage.settings_file.read_text()
    with pytest.raises(SystemExit) as stopped:
        EDGE.prepare(stage)
    message = str(stopped.value)
    assert named in message and "\n" not in message
    assert nothing_exists(aws)
    assert stage.settings_file.read_text() == before


def test_a_stage_whose_settings_a_deploy_would_refuse_can_still_be_undeployed(aws, stage):
    deploy(stage)
    stage.config["catsite_edge"] = {"domain": "cats.example.com"}  # no certificate: a deploy refuses it
    with pytest.raises(SystemExit):
        EDGE.prepare(stage)
    EDGE.remove(stage)
    assert nothing_exists(aws)

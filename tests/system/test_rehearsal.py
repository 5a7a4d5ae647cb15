"""The deploy rehearsal: the short one on moto (deploy then undeploy of `dev` through
scripts/deploy, resources checked), and that emulator's additions to moto on their own.

The full rehearsal (both stages on ministack, served through every door, update and status
too) is `scripts/rehearse`, run by CI; ministack's additions are tested in
test_ministack_emulator.py.
"""

from __future__ import annotations

import ast
import io
import json
import os
import re
import subprocess
import zipfile

import boto3
import pytest
from botocore.exceptions import ClientError

from catsite_tools.rehearse.emulators import AwsEmulator
from tests.support import ROOT


def checks(output: str) -> list[tuple[str, object]]:
    """The checks the rehearsal reports as passed (`ok   <what>: <value>`), each value read back as
    the Python literal it prints where it is one."""
    passed = []
    for what, value in re.findall(r"^\s*ok\s+(.+?): (.*)$", output, re.MULTILINE):
        try:
            passed.append((what, ast.literal_eval(value)))
        except (ValueError, SyntaxError):
            passed.append((what, value))
    return passed


def test_short_rehearsal_on_moto_deploys_and_undeploys_dev(lambda_zip):
    done = subprocess.run(
        [
            *(str(ROOT / "scripts" / "rehearse"), "--emulator", "moto", "--stage", "dev", "--short"),
            *("--zip", f"dev={lambda_zip}"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-6000:]
    assert "DIFF" not in output  # no check found a value other than the one it expected
    passed = checks(output)
    for check in (
        ("chose zappa deploy", True),
        ("runtime", "python3.13"),
        ("REST API stages", ["dev"]),
        ("function", None),
        ("REST APIs named catsite-dev", []),
        ("functions left", []),
        ("SnapStart setting", None),
        ("schedule rules", ["rate(1 hour)"]),
        ("schedule rules targeting the function", []),
        ("event rules named catsite-dev-*", []),
    ):
        assert check in passed, check
    for check in (("distributions for catsite-dev", 1), ("distributions left", [])):
        assert check in passed, check
    # The deployed function's assets are the site's own host's: its distribution's /static
    # (which reads the rehearsal bucket's static/), not the bucket's own URL.
    [environment] = [value for what, value in passed if what == "environment"]
    assert re.fullmatch(r"https://[a-z0-9]+\.cloudfront\.net", environment["CATSITE_PUBLIC_URL"])
    assert environment["CATSITE_STATIC_URL"] == f"{environment['CATSITE_PUBLIC_URL']}/static"
    pid = int(re.search(r"emulator: .*, pid (\d+)", output).group(1))
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # the emulator was stopped


@pytest.fixture(scope="module")
def emulator():
    with AwsEmulator() as server:
        yield server


def client(emulator, service):
    return boto3.client(service, endpoint_url=emulator.url, region_name="us-east-1")


def a_function(emulator, name: str, **extra) -> str:
    iam = client(emulator, "iam")
    role = iam.create_role(RoleName=f"{name}-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return event\n")
    return client(emulator, "lambda").create_function(
        FunctionName=name,
        Runtime="python3.13",
        Role=role,
        Handler="handler.handler",
        Code={"ZipFile": code.getvalue()},
        **extra,
    )["FunctionArn"]


def test_emulator_lists_function_url_configs(emulator):
    lam = client(emulator, "lambda")
    a_function(emulator, "with-url")
    assert lam.list_function_url_configs(FunctionName="with-url")["FunctionUrlConfigs"] == []
    created = lam.create_function_url_config(FunctionName="with-url", AuthType="NONE")
    listed = lam.list_function_url_configs(FunctionName="with-url")["FunctionUrlConfigs"]
    assert [c["FunctionUrl"] for c in listed] == [created["FunctionUrl"]]
    with pytest.raises(ClientError) as missing:
        lam.list_function_url_configs(FunctionName="no-such-function")
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_emulator_deletes_a_stack_s_rest_api(emulator):
    cloudformation = client(emulator, "cloudformation")
    template = (
        '{"Resources": {"Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "stacked"}}}}'
    )
    cloudformation.create_stack(StackName="stacked", TemplateBody=template)
    names = lambda: [a["name"] for a in client(emulator, "apigateway").get_rest_apis()["items"]]  # noqa: E731
    assert "stacked" in names()
    cloudformation.delete_stack(StackName="stacked")
    assert "stacked" not in names()


def test_emulator_deregisters_targets_as_aws_does(emulator):
    arn = a_function(emulator, "behind-alb")
    elbv2 = client(emulator, "elbv2")
    group = elbv2.create_target_group(Name="behind-alb", TargetType="lambda")["TargetGroups"][0][
        "TargetGroupArn"
    ]
    elbv2.register_targets(TargetGroupArn=group, Targets=[{"Id": f"{arn}:current"}])
    elbv2.deregister_targets(TargetGroupArn=group, Targets=[{"Id": arn}])  # not registered: no error
    health = elbv2.describe_target_health(TargetGroupArn=group, Targets=[{"Id": arn}])[
        "TargetHealthDescriptions"
    ]
    assert [(h["TargetHealth"]["State"], h["TargetHealth"]["Reason"]) for h in health] == [
        ("unused", "Target.NotRegistered")
    ]
    registered = elbv2.describe_target_health(TargetGroupArn=group)["TargetHealthDescriptions"]
    assert [h["Target"]["Id"] for h in registered] == [f"{arn}:current"]  # the registered one stays
    elbv2.deregister_targets(TargetGroupArn=group, Targets=[{"Id": f"{arn}:current"}])
    assert elbv2.describe_target_health(TargetGroupArn=group)["TargetHealthDescriptions"] == []


def test_emulator_keeps_snap_start_and_applies_it_to_published_versions_only(emulator):
    # Lambda API reference, SnapStartResponse: ApplyOn as set; OptimizationStatus On for a
    # published version when ApplyOn is PublishedVersions; SnapStart never applies to $LATEST.
    lam = client(emulator, "lambda")
    a_function(emulator, "snapping", SnapStart={"ApplyOn": "PublishedVersions"})
    latest = lam.get_function_configuration(FunctionName="snapping")["SnapStart"]
    assert latest == {"ApplyOn": "PublishedVersions", "OptimizationStatus": "Off"}
    version = lam.publish_version(FunctionName="snapping")["Version"]
    published = lam.get_function_configuration(FunctionName="snapping", Qualifier=version)["SnapStart"]
    assert published == {"ApplyOn": "PublishedVersions", "OptimizationStatus": "On"}
    lam.create_alias(FunctionName="snapping", Name="snapstart", FunctionVersion=version)
    by_alias = lam.get_function_configuration(FunctionName="snapping", Qualifier="snapstart")["SnapStart"]
    assert by_alias["OptimizationStatus"] == "On"
    lam.update_function_configuration(FunctionName="snapping", SnapStart={"ApplyOn": "None"})
    later = lam.publish_version(FunctionName="snapping")["Version"]
    assert later != version
    assert lam.get_function_configuration(FunctionName="snapping", Qualifier=later)["SnapStart"] == {
        "ApplyOn": "None",
        "OptimizationStatus": "Off",
    }
    # the earlier version keeps the setting it was published with
    kept = lam.get_function_configuration(FunctionName="snapping", Qualifier=version)["SnapStart"]
    assert kept["OptimizationStatus"] == "On"


def test_emulator_keeps_a_stack_method_s_integration_credentials(emulator):
    role = "arn:aws:iam::123456789012:role/api-invokes"
    function = "arn:aws:lambda:us-east-1:123456789012:function:f:snapstart"
    uri = f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{function}/invocations"
    template = {
        "Resources": {
            "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "credentialed"}},
            "Any0": {
                "Type": "AWS::ApiGateway::Method",
                "Properties": {
                    "RestApiId": {"Ref": "Api"},
                    "ResourceId": {"Fn::GetAtt": ["Api", "RootResourceId"]},
                    "HttpMethod": "ANY",
                    "AuthorizationType": "NONE",
                    "Integration": {
                        "Type": "AWS_PROXY",
                        "IntegrationHttpMethod": "POST",
                        "Uri": uri,
                        "Credentials": role,
                    },
                },
            },
        }
    }
    client(emulator, "cloudformation").create_stack(
        StackName="credentialed", TemplateBody=json.dumps(template)
    )
    apigateway = client(emulator, "apigateway")
    api = next(a for a in apigateway.get_rest_apis()["items"] if a["name"] == "credentialed")
    root = next(r for r in apigateway.get_resources(restApiId=api["id"])["items"] if r["path"] == "/")
    integration = apigateway.get_integration(restApiId=api["id"], resourceId=root["id"], httpMethod="ANY")
    assert (integration["uri"], integration["credentials"]) == (uri, role)


def test_emulator_gives_a_stack_s_rest_api_its_endpoint_type(emulator):
    # CloudFormation template reference, AWS::ApiGateway::RestApi EndpointConfiguration `Types`.
    template = {
        "Resources": {
            "Api": {
                "Type": "AWS::ApiGateway::RestApi",
                "Properties": {"Name": "regional", "EndpointConfiguration": {"Types": ["REGIONAL"]}},
            }
        }
    }
    client(emulator, "cloudformation").create_stack(StackName="regional", TemplateBody=json.dumps(template))
    api = next(a for a in client(emulator, "apigateway").get_rest_apis()["items"] if a["name"] == "regional")
    assert api["endpointConfiguration"]["types"] == ["REGIONAL"]


def test_emulator_keeps_an_origins_access_control_and_s3_origin_config(emulator):
    # CloudFront API reference, Origin: OriginAccessControlId, S3OriginConfig.
    cloudfront = client(emulator, "cloudfront")
    oac = cloudfront.create_origin_access_control(
        OriginAccessControlConfig={
            "Name": "kept",
            "SigningProtocol": "sigv4",
            "SigningBehavior": "always",
            "OriginAccessControlOriginType": "s3",
        }
    )["OriginAccessControl"]["Id"]
    origin = {
        "Id": "bucket",
        "DomainName": "kept.s3.us-east-1.amazonaws.com",
        "S3OriginConfig": {"OriginAccessIdentity": ""},
        "OriginAccessControlId": oac,
    }
    behaviour = {
        "TargetOriginId": "bucket",
        "ViewerProtocolPolicy": "redirect-to-https",
        "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
    }
    config = {
        "CallerReference": "kept",
        "Comment": "kept",
        "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [origin]},
        "DefaultCacheBehavior": behaviour,
    }
    created = cloudfront.create_distribution(DistributionConfig=config)["Distribution"]
    read = cloudfront.get_distribution_config(Id=created["Id"])["DistributionConfig"]
    (kept,) = read["Origins"]["Items"]
    assert (kept["OriginAccessControlId"], kept["S3OriginConfig"]) == (oac, {"OriginAccessIdentity": ""})


def test_emulator_keeps_origin_request_policies(emulator):
    # CloudFront API reference: Create/Get/List/Update/DeleteOriginRequestPolicy, If-Match.
    cloudfront = client(emulator, "cloudfront")
    config = {
        "Name": "kept-policy",
        "HeadersConfig": {"HeaderBehavior": "whitelist", "Headers": {"Quantity": 1, "Items": ["Accept"]}},
        "CookiesConfig": {"CookieBehavior": "none"},
        "QueryStringsConfig": {"QueryStringBehavior": "all"},
    }
    created = cloudfront.create_origin_request_policy(OriginRequestPolicyConfig=config)
    policy = created["OriginRequestPolicy"]["Id"]
    listed = cloudfront.list_origin_request_policies(Type="custom")["OriginRequestPolicyList"]["Items"]
    assert [item["OriginRequestPolicy"]["Id"] for item in listed] == [policy]
    with pytest.raises(ClientError) as stale:
        cloudfront.delete_origin_request_policy(Id=policy, IfMatch="not-its-version")
    assert stale.value.response["Error"]["Code"] == "PreconditionFailed"
    changed = {**config, "QueryStringsConfig": {"QueryStringBehavior": "none"}}
    updated = cloudfront.update_origin_request_policy(
        Id=policy, IfMatch=created["ETag"], OriginRequestPolicyConfig=changed
    )
    read = cloudfront.get_origin_request_policy(Id=policy)
    assert read["OriginRequestPolicy"]["OriginRequestPolicyConfig"]["QueryStringsConfig"] == {
        "QueryStringBehavior": "none"
    }
    cloudfront.delete_origin_request_policy(Id=policy, IfMatch=updated["ETag"])
    assert cloudfront.list_origin_request_policies(Type="custom")["OriginRequestPolicyList"]["Quantity"] == 0


def deploy(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(ROOT / "scripts" / "deploy"), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_deploy_refuses_settings_that_still_hold_placeholders(lambda_zip):
    done = deploy("prod", "--zip", str(lambda_zip))
    assert done.returncode == 1
    # It names the placeholder, the file, the stage and every setting that still holds it, and
    # runs no zappa command.
    for named in ("CHANGE-ME", "zappa_settings.json", "prod", "s3_bucket", "alb_vpc_config.CertificateArn"):
        assert named in done.stderr, named
    assert "zappa" not in done.stdout


def test_deploy_refuses_a_role_policy_written_for_other_settings(lambda_zip, tmp_path):
    # the bucket is named, but the role policy is still the one for `catsite-dev-CHANGE-ME`:
    # such a function's every S3 call would be refused (IAM evaluates the policy's resources)
    stages = json.loads((ROOT / "zappa_settings.json").read_text())
    stages["dev"]["s3_bucket"] = "catsite-deploys-mine"
    stages["dev"]["aws_environment_variables"]["CATSITE_BUCKET"] = "catsite-dev-mine"
    settings = tmp_path / "zappa_settings.json"
    settings.write_text(json.dumps(stages))
    done = deploy("dev", "--settings", str(settings), "--zip", str(lambda_zip))
    assert done.returncode == 1
    # It names the stale policy file and the script that writes the right one, and runs no zappa.
    assert "scripts/iam/catsite-dev.json" in done.stderr and "scripts/iam-policy" in done.stderr


def test_deploy_refuses_a_malformed_alarm_email_before_creating_anything(lambda_zip, tmp_path):
    """One clear line, and nothing created: the deploy stops before Zappa runs."""
    from catsite_tools.deploy.iam import render, stage_policy

    stages = json.loads((ROOT / "zappa_settings.json").read_text())
    stages["dev"]["s3_bucket"] = "catsite-deploys-mine"
    stages["dev"]["aws_environment_variables"]["CATSITE_BUCKET"] = "catsite-dev-mine"
    stages["dev"]["catsite_operations"]["alarm_email"] = "ops at example.com"
    settings = tmp_path / "zappa_settings.json"
    settings.write_text(json.dumps(stages))
    policy = tmp_path / "policy-dev.json"
    policy.write_text(render(stage_policy("dev", settings)))
    stages["dev"]["attach_policy"] = str(policy)
    settings.write_text(json.dumps(stages))
    done = deploy("dev", "--settings", str(settings), "--zip", str(lambda_zip))
    assert done.returncode == 1
    [line] = done.stderr.strip().splitlines()
    assert "alarm_email 'ops at example.com' is not an email address" in line
    assert "zappa" not in done.stdout

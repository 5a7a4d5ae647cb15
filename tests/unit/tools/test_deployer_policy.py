"""The deployer's own least privilege: the policy a CI role needs to deploy, update and undeploy a
stage (catsite_tools.deploy.deployer), and the trust policy that lets GitHub Actions assume it
through OpenID Connect. The rehearsal deploys as an identity holding only that policy on an
emulator that enforces IAM; these check the documents themselves."""

from __future__ import annotations

import fnmatch
import json
from pathlib import Path

import pytest

from catsite_tools.deploy.deployer import (
    GITHUB_ISSUER,
    UNSCOPED,
    WITHOUT_A_RESOURCE_TYPE,
    ci_trust_policy,
    deployer_policy,
)
from catsite_tools.deploy.iam import deployer_policies, render
from catsite_tools.deploy.zappa_stage import function_name

ROOT = Path(__file__).resolve().parents[3]
SETTINGS = ROOT / "zappa_settings.json"


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_the_committed_deployer_policy_is_the_generated_one(stage):
    path, document = deployer_policies(SETTINGS)[stage]
    assert (ROOT / path).read_text() == render(document), "run scripts/iam-policy"


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_every_grant_names_an_action_and_the_stage_s_own_resources(stage):
    fn = function_name(stage, SETTINGS)
    for statement in deployer_policy(stage, SETTINGS)["Statement"]:
        assert (
            statement["Effect"] == "Allow" and "NotAction" not in statement and "NotResource" not in statement
        )
        assert all("*" not in action for action in statement["Action"])
        resources = (
            statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        )
        if resources == ["*"] and set(statement["Action"]) <= set(WITHOUT_A_RESOURCE_TYPE):
            continue  # IAM takes these on * only
        if resources == ["*"]:
            assert statement["Action"] == sorted(UNSCOPED), "only the unscoped reads take *"
            assert all(a.split(":")[1].startswith(("Describe", "List", "GET")) for a in statement["Action"])
            continue
        for resource in resources:
            if resource.startswith("arn:aws:apigateway:"):
                assert resource.split("::", 1)[1] in ("/restapis", "/restapis/*")
            elif resource.startswith("arn:aws:s3:::"):
                assert resource.split(":::", 1)[1].split("/")[0].startswith("catsite-")
            elif resource.startswith("arn:aws:ssm:"):
                assert resource.endswith(f"parameter/catsite/{stage}/admin-token")
            elif resource.startswith("arn:aws:cloudfront::"):
                # The edge's resources get their ids when they are made: granted by type.
                kind = resource.split(":", 5)[5]
                assert kind in ("distribution/*", "origin-access-control/*", "origin-request-policy/*")
            else:
                assert fn in resource, resource


def test_the_execution_role_is_passed_to_lambda_and_api_gateway_only():
    [passing] = [s for s in deployer_policy("dev", SETTINGS)["Statement"] if "iam:PassRole" in s["Action"]]
    assert passing["Action"] == ["iam:PassRole"]
    assert passing["Resource"] == "arn:aws:iam::*:role/catsite-dev-ZappaLambdaExecutionRole"
    services = passing["Condition"]["StringEquals"]["iam:PassedToService"]
    assert sorted(services) == ["apigateway.amazonaws.com", "lambda.amazonaws.com"]


# -- the trust policy -----------------------------------------------------------------------------


def allows(policy: dict, action: str, principal: str, claims: dict) -> bool:
    """IAM's evaluation of a trust policy's Allow statements, for the condition operators it
    uses (IAM user guide, "IAM JSON policy elements: Condition operators": StringEquals is exact
    and case-sensitive, StringLike matches * and ?; every key of every operator must match)."""
    for statement in policy["Statement"]:
        if statement["Effect"] != "Allow" or statement["Action"] != action:
            continue
        if statement["Principal"].get("Federated") != principal:
            continue
        matched = True
        for operator, conditions in statement.get("Condition", {}).items():
            for key, expected in conditions.items():
                values = expected if isinstance(expected, list) else [expected]
                got = claims.get(key)
                if operator == "StringEquals":
                    matched &= got in values
                elif operator == "StringLike":
                    matched &= got is not None and any(fnmatch.fnmatchcase(got, v) for v in values)
                else:
                    raise AssertionError(f"operator {operator} not evaluated here")
        if matched:
            return True
    return False


PROVIDER = f"arn:aws:iam::123456789012:oidc-provider/{GITHUB_ISSUER}"


def claims(sub: str, aud: str = "sts.amazonaws.com") -> dict:
    """A GitHub Actions token's claims as IAM sees them (GitHub docs, "About security hardening
    with OpenID Connect": `sub` `repo:<owner>/<repo>:environment:<name>` for a job in an
    environment, `repo:<owner>/<repo>:pull_request` for a pull request, `...:ref:refs/heads/<b>`
    otherwise; `aud` set by aws-actions/configure-aws-credentials to sts.amazonaws.com)."""
    return {f"{GITHUB_ISSUER}:sub": sub, f"{GITHUB_ISSUER}:aud": aud}


@pytest.fixture
def trust() -> dict:
    return ci_trust_policy("cats/catsite", "prod", account="123456789012")


def test_a_job_of_the_repository_in_the_stage_s_environment_may_assume_the_role(trust):
    assert allows(
        trust, "sts:AssumeRoleWithWebIdentity", PROVIDER, claims("repo:cats/catsite:environment:prod")
    )


@pytest.mark.parametrize(
    "token",
    [
        claims("repo:cats/catsite:environment:dev"),  # another stage's environment
        claims("repo:cats/catsite:pull_request"),  # a pull request
        claims("repo:cats/catsite:ref:refs/heads/main"),  # a job outside any environment
        claims("repo:someone/catsite:environment:prod"),  # a fork
        claims("repo:cats/catsite-evil:environment:prod"),
        claims("repo:CATS/catsite:environment:prod"),  # StringEquals is case-sensitive
        claims("repo:cats/catsite:environment:prod", aud="https://github.com/cats"),  # wrong audience
        {f"{GITHUB_ISSUER}:sub": "repo:cats/catsite:environment:prod"},  # no audience
    ],
)
def test_every_other_token_is_refused(trust, token):
    assert not allows(trust, "sts:AssumeRoleWithWebIdentity", PROVIDER, token)


def test_only_github_s_provider_and_only_web_identity(trust):
    token = claims("repo:cats/catsite:environment:prod")
    assert not allows(trust, "sts:AssumeRole", PROVIDER, token)
    assert not allows(
        trust, "sts:AssumeRoleWithWebIdentity", "arn:aws:iam::123456789012:oidc-provider/other", token
    )
    assert json.loads(render(trust)) == trust


def test_a_stage_with_a_custom_domain_may_read_its_certificate_and_write_its_records(tmp_path):
    """The edge's custom domain (docs/edge.md): its certificate (us-east-1) is read, requested
    only when the stage asks for one, and its alias records written in the stage's hosted zone."""
    import json

    stages = json.loads(SETTINGS.read_text())
    stages["dev"]["catsite_edge"] = {
        "domain": "cats.example.com",
        "certificate_arn": "request",
        "hosted_zone_id": "Z123",
    }
    settings = tmp_path / "zappa_settings.json"
    settings.write_text(json.dumps(stages))
    by_sid = {s["Sid"]: s for s in deployer_policy("dev", settings)["Statement"]}
    assert by_sid["TheEdgeCertificate"]["Resource"] == "arn:aws:acm:us-east-1:*:certificate/*"
    assert by_sid["RequestTheEdgeCertificate"]["Action"] == ["acm:RequestCertificate"]
    assert by_sid["TheEdgeRecords"]["Resource"] == "arn:aws:route53:::hostedzone/Z123"
    plain = {s["Sid"] for s in deployer_policy("dev", SETTINGS)["Statement"]}
    assert not plain & {"TheEdgeCertificate", "RequestTheEdgeCertificate", "TheEdgeRecords"}

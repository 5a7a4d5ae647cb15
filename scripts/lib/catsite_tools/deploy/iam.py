"""The Lambda role's policy: only what catsite calls, on the stage's own bucket and function.

Zappa's default role policy allows `s3:*` on every bucket, `lambda:InvokeFunction` on every
function, and much more. `attach_policy` in `zappa_settings.json` replaces it with the file this
module writes for each stage (`scripts/iam/<function>.json`, regenerated and checked by
`scripts/iam-policy`). Adding a key prefix the app writes: add a row to S3_GRANTS, regenerate.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from catsite_tools.deploy.zappa_stage import SETTINGS_FILE, function_name, stage_config, stage_names

#: Key patterns in the stage's bucket and the S3 actions catsite needs on them.
S3_GRANTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    # What the cat says (read, then a conditional write), and the quota ledger (the same).
    ("state/cat.json", ("s3:GetObject", "s3:PutObject")),
    ("state/quota.json", ("s3:GetObject", "s3:PutObject")),
    # Presigned POSTs are signed with the role's credentials (PutObject); registration reads
    # HEAD and the first bytes, copies from the upload (GetObject) and removes it (so does the
    # janitor, when a registration stopped just before that step).
    ("uploads/*", ("s3:GetObject", "s3:PutObject", "s3:DeleteObject")),
    # Originals, thumbnails, records, index markers; presigned GETs of pictures; moderation; the
    # janitor (catsite.jobs.janitor) removing what interrupted registrations and deletes left.
    ("pics/*", ("s3:GetObject", "s3:PutObject", "s3:DeleteObject")),
    # Oversize answers and archives (multipart uploads, aborted when work stops half-way),
    # handed out by presigned GET.
    ("results/*", ("s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload")),
    # Long jobs' state (the janitor reads it and records silent jobs as failed: no delete).
    ("jobs/*", ("s3:GetObject", "s3:PutObject")),
)

POLICY_DIR = Path("scripts") / "iam"


def policy(
    bucket: str,
    function: str,
    region: str,
    api_alias: str | None = None,
    *,
    admin_parameter: str | None = None,
    tracing: bool = False,
    failed_work_queue: str | None = None,
) -> dict:
    """The role's policy. `api_alias`: the alias API Gateway's integration invokes (a SnapStart
    stage's); the integration calls Lambda with this role's credentials, and IAM matches the
    qualified ARN it invokes, which the unqualified function ARN does not cover.
    `admin_parameter`: the Parameter Store name of the admin token, read with GetParameter (a
    SecureString under the AWS managed key `aws/ssm`, whose key policy lets the account's
    principals decrypt through SSM: no KMS grant is needed). `tracing`: active tracing, whose
    segments Lambda sends with the function's role (X-Ray's PutTraceSegments and
    PutTelemetryRecords have no resource-level permissions: `*` is the only resource they take).
    `failed_work_queue`: the SQS queue asynchronous invocations go to when they fail (Lambda
    sends to an on-failure destination with the function's role)."""
    bucket_arn = f"arn:aws:s3:::{bucket}"
    objects = []
    for pattern, actions in S3_GRANTS:
        objects.append(
            {
                "Sid": "S3" + re.sub(r"[^A-Za-z0-9]", "", pattern.title()),
                "Effect": "Allow",
                "Action": list(actions),
                "Resource": f"{bucket_arn}/{pattern}",
            }
        )
    log_group = f"arn:aws:logs:{region}:*:log-group:/aws/lambda/{function}"
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                # Unconditioned on purpose: without s3:ListBucket, S3 answers 403 instead of 404
                # for a missing key, and catsite would read a fresh store as an outage.
                "Sid": "S3ListTheStageBucket",
                "Effect": "Allow",
                "Action": ["s3:ListBucket"],
                "Resource": bucket_arn,
            },
            *objects,
            {
                "Sid": "InvokeItselfForTasks",
                "Effect": "Allow",
                "Action": ["lambda:InvokeFunction"],
                "Resource": f"arn:aws:lambda:{region}:*:function:{function}",
            },
            *_when(
                api_alias,
                {
                    "Sid": "ApiGatewayInvokesTheAlias",
                    "Effect": "Allow",
                    "Action": ["lambda:InvokeFunction"],
                    "Resource": f"arn:aws:lambda:{region}:*:function:{function}:{api_alias}",
                },
            ),
            {
                "Sid": "WriteItsOwnLogs",
                "Effect": "Allow",
                "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": [log_group, f"{log_group}:*"],
            },
            *_when(
                admin_parameter,
                {
                    "Sid": "ReadTheAdminToken",
                    "Effect": "Allow",
                    "Action": ["ssm:GetParameter"],
                    "Resource": f"arn:aws:ssm:{region}:*:parameter/{(admin_parameter or '').lstrip('/')}",
                },
            ),
            *_when(
                failed_work_queue,
                {
                    "Sid": "KeepFailedAsynchronousWork",
                    "Effect": "Allow",
                    "Action": ["sqs:SendMessage"],
                    "Resource": f"arn:aws:sqs:{region}:*:{failed_work_queue}",
                },
            ),
            *_when(
                tracing,
                {
                    "Sid": "SendTraces",
                    "Effect": "Allow",
                    "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
                    "Resource": "*",
                },
            ),
        ],
    }


def _when(condition, statement: dict) -> list[dict]:
    """The statement, when the stage needs it."""
    return [statement] if condition else []


def api_alias(config: dict) -> str | None:
    """The qualifier Zappa puts in API Gateway's integration URI: `apigateway_lambda_qualifier`,
    else its `snapstart` alias on a stage with `snap_start` (zappa.cli's defaults)."""
    if config.get("apigateway_lambda_qualifier"):
        return config["apigateway_lambda_qualifier"]
    if config.get("snap_start") not in (None, "None"):
        from zappa.core import SNAPSTART_LAMBDA_ALIAS

        return SNAPSTART_LAMBDA_ALIAS
    return None


def stage_policy(stage: str, settings_file: Path = SETTINGS_FILE) -> dict:
    """What the role policy of `stage` must hold: its bucket, its function, its region."""
    from catsite_tools.deploy.operations import failed_work_queue_name

    config = stage_config(stage, settings_file)
    env = config["aws_environment_variables"]
    function = function_name(stage, settings_file)
    return policy(
        env["CATSITE_BUCKET"],
        function,
        config["aws_region"],
        api_alias(config),
        admin_parameter=env.get("CATSITE_ADMIN_TOKEN_PARAMETER") or None,
        tracing=bool(config.get("xray_tracing")),
        failed_work_queue=failed_work_queue_name(function),
    )


def stage_policies(settings_file: Path = SETTINGS_FILE) -> dict[str, tuple[Path, dict]]:
    """For each stage: where its policy file lives, and what it must hold."""
    answer = {}
    for stage in stage_names(settings_file):
        path = POLICY_DIR / f"{function_name(stage, settings_file)}.json"
        answer[stage] = (path, stage_policy(stage, settings_file))
    return answer


def deployer_policies(settings_file: Path = SETTINGS_FILE) -> dict[str, tuple[Path, dict]]:
    """For each stage: where the policy of the identity that deploys it lives, and what it holds
    (`catsite_tools.deploy.deployer`)."""
    from catsite_tools.deploy.deployer import deployer_policy

    return {
        stage: (
            POLICY_DIR / f"{function_name(stage, settings_file)}-deployer.json",
            deployer_policy(stage, settings_file),
        )
        for stage in stage_names(settings_file)
    }


def copy_zappa_settings(root: Path, folder: Path) -> None:
    """Copy zappa_settings.json and the policy files it names into `folder`, at the same relative
    paths: Zappa opens every stage's `attach_policy` whenever it loads the settings, even for
    `package` or `save-python-settings-file`, so a folder holding only the settings is not enough."""
    import shutil

    settings_file = root / "zappa_settings.json"
    shutil.copy(settings_file, folder)
    for stage in stage_names(settings_file):
        name = stage_config(stage, settings_file).get("attach_policy")
        if name:
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(root / name, folder / name)


def render(document: dict) -> str:
    return json.dumps(document, indent=4) + "\n"


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        prog="scripts/iam-policy",
        description="Write each stage's Lambda role policy (scripts/iam/<function>.json) and the "
        "policy of the identity that deploys it (scripts/iam/<function>-deployer.json) from "
        "zappa_settings.json; with --check, only report files that are out of date.",
    )
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a file differs")
    parser.add_argument(
        "--ci-trust",
        metavar="OWNER/REPO",
        help="print, for each stage, the trust policy of a deployer role GitHub Actions assumes (OIDC)",
    )
    args = parser.parse_args(argv)
    if args.ci_trust:
        from catsite_tools.deploy.deployer import ci_trust_policy

        for stage in stage_names(Path("zappa_settings.json")):
            print(f"{stage}:\n{render(ci_trust_policy(args.ci_trust, stage))}")
        return 0
    stale = 0
    settings = Path("zappa_settings.json")
    files = [*stage_policies(settings).items(), *deployer_policies(settings).items()]
    for stage, (path, document) in files:
        current = path.read_text() if path.exists() else None
        if current == render(document):
            print(f"{stage}: {path} is up to date")
        elif args.check:
            print(f"{stage}: {path} is out of date; run scripts/iam-policy")
            stale += 1
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(render(document))
            print(f"{stage}: wrote {path}")
    return 1 if stale else 0


if __name__ == "__main__":
    raise SystemExit(main())

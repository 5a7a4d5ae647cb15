"""The policy of the identity that deploys a stage (a CI role): what `scripts/deploy`, `zappa
status` and `scripts/undeploy` call, on the stage's own resources.

Every resource is the stage's by name: the function `<function>` (its versions and aliases), its
execution role `<function>-ZappaLambdaExecutionRole` (passed only to Lambda and API Gateway), the
CloudFormation stack `<function>` Zappa's API is made by, the schedule rules `<function>-*`, the
load balancer and target group `<function>`, the log group, the deploy bucket and the data
bucket (its configuration, and `static/*`), the edge's CloudFront resources (granted by type:
their ids are made with them), the failed-work queue, the alarm topic, alarms
`<function>-*`, the dashboard and the admin token's parameter (read without decryption: the
deploy checks that it is a SecureString). API Gateway cannot be scoped to an API that does not
exist yet: its REST APIs are granted as a whole (`/restapis`, `/restapis/*`). The List and
Describe actions that IAM does not scope to a resource ("Service Authorization Reference": no
resource type) are granted on `*`, each named; no action is a wildcard.

`scripts/iam-policy` writes it for each stage (`scripts/iam/<function>-deployer.json`); the
rehearsal deploys, updates and undeploys as an identity holding only it, on ministack, which
evaluates IAM.
"""

from __future__ import annotations

from pathlib import Path

from catsite_tools.deploy.zappa_stage import SETTINGS_FILE, function_name, stage_config

#: Actions IAM authorises on `*` only (no resource type), each one the deploy calls.
UNSCOPED = (
    "apigateway:GET",  # GET /restapis (find the stage's API by name); scoped paths below too
    "cloudformation:ListStacks",
    "acm:ListCertificates",  # the edge: a custom domain's certificate, found by name
    "cloudfront:ListDistributions",
    "cloudfront:ListOriginAccessControls",
    "cloudfront:ListOriginRequestPolicies",
    "cloudwatch:DescribeAlarms",
    "cloudwatch:ListDashboards",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSubnets",
    "ec2:DescribeVpcs",
    "elasticloadbalancing:DescribeListeners",
    "elasticloadbalancing:DescribeLoadBalancerAttributes",
    "elasticloadbalancing:DescribeLoadBalancers",
    "elasticloadbalancing:DescribeTargetGroupAttributes",
    "elasticloadbalancing:DescribeTargetGroups",
    "elasticloadbalancing:DescribeTargetHealth",
    "events:ListRuleNamesByTarget",
    "lambda:ListFunctions",
    "logs:DescribeLogGroups",
    "s3:ListAllMyBuckets",
    "sns:ListTopics",
    "sqs:ListQueues",
)
#: Writes whose action has no resource type (Service Authorization Reference: "Actions defined by
#: Amazon SNS", "... by AWS Certificate Manager"), so IAM takes them on `*` only.
WITHOUT_A_RESOURCE_TYPE = ("acm:RequestCertificate", "sns:Unsubscribe")

LAMBDA = (
    "lambda:AddPermission", "lambda:CreateAlias", "lambda:CreateFunction", "lambda:DeleteAlias",
    "lambda:DeleteFunction", "lambda:DeleteFunctionConcurrency", "lambda:DeleteFunctionEventInvokeConfig",
    "lambda:GetAlias", "lambda:GetFunction", "lambda:GetFunctionConcurrency",
    "lambda:GetFunctionConfiguration",
    "lambda:GetFunctionEventInvokeConfig", "lambda:GetPolicy", "lambda:ListFunctionUrlConfigs",
    "lambda:ListVersionsByFunction", "lambda:PublishVersion", "lambda:PutFunctionConcurrency",
    "lambda:PutFunctionEventInvokeConfig", "lambda:RemovePermission", "lambda:TagResource",
    "lambda:UpdateAlias", "lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration",
    "lambda:UpdateFunctionEventInvokeConfig",
)  # fmt: skip

DATA_BUCKET = (
    "s3:CreateBucket", "s3:DeleteBucketPolicy", "s3:GetBucketCORS", "s3:GetBucketOwnershipControls",
    "s3:GetBucketPolicy", "s3:GetBucketPublicAccessBlock", "s3:GetLifecycleConfiguration",
    "s3:ListBucket", "s3:PutBucketCORS", "s3:PutBucketOwnershipControls", "s3:PutBucketPolicy",
    "s3:PutBucketPublicAccessBlock", "s3:PutLifecycleConfiguration",
)  # fmt: skip

#: The edge (`catsite_tools.deploy.edge`): CloudFront's resources get their ids when they are
#: made, so they are granted by type (Service Authorization Reference, "Resource types defined by
#: Amazon CloudFront": distribution, origin-access-control, origin-request-policy).
CLOUDFRONT = {
    "distribution": (
        "cloudfront:CreateDistribution", "cloudfront:DeleteDistribution", "cloudfront:GetDistribution",
        "cloudfront:GetDistributionConfig", "cloudfront:TagResource", "cloudfront:UpdateDistribution",
    ),
    "origin-access-control": (
        "cloudfront:CreateOriginAccessControl", "cloudfront:DeleteOriginAccessControl",
        "cloudfront:GetOriginAccessControl", "cloudfront:UpdateOriginAccessControl",
    ),
    "origin-request-policy": (
        "cloudfront:CreateOriginRequestPolicy", "cloudfront:DeleteOriginRequestPolicy",
        "cloudfront:GetOriginRequestPolicy", "cloudfront:UpdateOriginRequestPolicy",
    ),
}  # fmt: skip

ELB = (
    "elasticloadbalancing:AddTags", "elasticloadbalancing:CreateListener",
    "elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup",
    "elasticloadbalancing:DeleteListener", "elasticloadbalancing:DeleteLoadBalancer",
    "elasticloadbalancing:DeleteTargetGroup", "elasticloadbalancing:DeregisterTargets",
    "elasticloadbalancing:ModifyLoadBalancerAttributes", "elasticloadbalancing:ModifyTargetGroupAttributes",
    "elasticloadbalancing:RegisterTargets",
)  # fmt: skip


def deployer_policy(stage: str, settings_file: Path = SETTINGS_FILE) -> dict:
    """What the identity that deploys `stage` must hold."""
    from catsite_tools.deploy.operations import failed_work_queue_name, topic_name

    config = stage_config(stage, settings_file)
    fn = function_name(stage, settings_file)
    region = config["aws_region"]
    env = config["aws_environment_variables"]
    data, deploys = env["CATSITE_BUCKET"], config["s3_bucket"]
    function_arn = f"arn:aws:lambda:{region}:*:function:{fn}"
    role_arn = f"arn:aws:iam::*:role/{fn}-ZappaLambdaExecutionRole"
    log_group = f"arn:aws:logs:{region}:*:log-group:/aws/lambda/{fn}"

    def allow(sid: str, actions, resources) -> dict:
        return {"Sid": sid, "Effect": "Allow", "Action": sorted(actions), "Resource": resources}

    statements = [
        allow("TheFunction", LAMBDA, [function_arn, f"{function_arn}:*"]),
        allow(
            "TheExecutionRole",
            (
                "iam:CreateRole",
                "iam:GetRole",
                "iam:GetRolePolicy",
                "iam:PutRolePolicy",
                "iam:UpdateAssumeRolePolicy",
            ),
            role_arn,
        ),
        {
            **allow("PassTheExecutionRoleToLambdaAndApiGateway", ("iam:PassRole",), role_arn),
            "Condition": {
                "StringEquals": {"iam:PassedToService": ["lambda.amazonaws.com", "apigateway.amazonaws.com"]}
            },
        },
        allow(
            "ZappasStack",
            (
                "cloudformation:CreateStack",
                "cloudformation:DeleteStack",
                "cloudformation:DescribeStackEvents",
                "cloudformation:DescribeStackResource",
                "cloudformation:DescribeStackResources",
                "cloudformation:DescribeStacks",
                "cloudformation:ListStackResources",
                "cloudformation:UpdateStack",
            ),
            f"arn:aws:cloudformation:{region}:*:stack/{fn}/*",
        ),
        allow(
            "TheRestApis",
            ("apigateway:DELETE", "apigateway:GET", "apigateway:PATCH", "apigateway:POST", "apigateway:PUT"),
            [f"arn:aws:apigateway:{region}::/restapis", f"arn:aws:apigateway:{region}::/restapis/*"],
        ),
        allow(
            "TheSchedule",
            (
                "events:DeleteRule",
                "events:DescribeRule",
                "events:ListTargetsByRule",
                "events:PutRule",
                "events:PutTargets",
                "events:RemoveTargets",
            ),
            f"arn:aws:events:{region}:*:rule/{fn}-*",
        ),
        allow(
            "TheDeployBucket",
            ("s3:CreateBucket", "s3:GetBucketLocation", "s3:ListBucket", "s3:PutBucketTagging"),
            f"arn:aws:s3:::{deploys}",
        ),
        allow(
            "TheDeployBucketsObjects",
            ("s3:DeleteObject", "s3:GetObject", "s3:PutObject"),
            f"arn:aws:s3:::{deploys}/*",
        ),
        allow("TheDataBucket", DATA_BUCKET, f"arn:aws:s3:::{data}"),
        allow("TheStaticAssets", ("s3:GetObject", "s3:PutObject"), f"arn:aws:s3:::{data}/static/*"),
        allow(
            "TheLogGroup",
            (
                "logs:CreateLogGroup",
                "logs:DescribeLogStreams",
                "logs:FilterLogEvents",
                "logs:PutRetentionPolicy",
            ),
            [log_group, f"{log_group}:*"],
        ),
        allow(
            "TheFailedWorkQueue",
            (
                "sqs:CreateQueue",
                "sqs:DeleteQueue",
                "sqs:GetQueueAttributes",
                "sqs:GetQueueUrl",
                "sqs:SetQueueAttributes",
            ),
            f"arn:aws:sqs:{region}:*:{failed_work_queue_name(fn)}",
        ),
        allow(
            "TheAlarmTopic",
            (
                "sns:CreateTopic",
                "sns:DeleteTopic",
                "sns:ListSubscriptionsByTopic",
                "sns:ListTagsForResource",
                "sns:Subscribe",
                "sns:TagResource",
                "sns:UntagResource",
            ),
            f"arn:aws:sns:{region}:*:{topic_name(fn)}",
        ),
        allow(
            "TheAlarms",
            ("cloudwatch:DeleteAlarms", "cloudwatch:PutMetricAlarm"),
            [f"arn:aws:cloudwatch:{region}:*:alarm:{fn}-*", f"arn:aws:cloudwatch:us-east-1:*:alarm:{fn}-*"],
        ),
        allow(
            "TheDashboard",
            ("cloudwatch:DeleteDashboards", "cloudwatch:GetDashboard", "cloudwatch:PutDashboard"),
            f"arn:aws:cloudwatch::*:dashboard/{fn}",
        ),
        *(
            allow(f"TheEdge{kind.title().replace('-', '')}", actions, f"arn:aws:cloudfront::*:{kind}/*")
            for kind, actions in CLOUDFRONT.items()
        ),
        # The step unsubscribes only the address it subscribed itself (`operations.alarm_email`).
        allow("TheFormerAlarmEmail", ("sns:Unsubscribe",), "*"),
        allow("UnscopedReads", UNSCOPED, "*"),
    ]
    edge = config.get("catsite_edge") or {}
    if edge.get("domain"):
        statements.append(
            allow("TheEdgeCertificate", ("acm:DescribeCertificate",), "arn:aws:acm:us-east-1:*:certificate/*")
        )
    if edge.get("certificate_arn") == "request":
        statements.append(allow("RequestTheEdgeCertificate", ("acm:RequestCertificate",), "*"))
    if edge.get("hosted_zone_id"):
        statements += [
            allow(
                "TheEdgeRecords",
                ("route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets"),
                f"arn:aws:route53:::hostedzone/{edge['hosted_zone_id']}",
            ),
            allow("TheEdgeRecordsChange", ("route53:GetChange",), "arn:aws:route53:::change/*"),
        ]
    parameter = env.get("CATSITE_ADMIN_TOKEN_PARAMETER")
    if parameter:
        statements.append(
            allow(
                "CheckTheAdminToken",
                ("ssm:GetParameter",),
                f"arn:aws:ssm:{region}:*:parameter/{parameter.lstrip('/')}",
            )
        )
    if config.get("alb_enabled"):
        statements.append(
            allow(
                "TheLoadBalancer",
                ELB,
                [
                    f"arn:aws:elasticloadbalancing:{region}:*:loadbalancer/app/{fn}/*",
                    f"arn:aws:elasticloadbalancing:{region}:*:targetgroup/{fn}/*",
                    f"arn:aws:elasticloadbalancing:{region}:*:listener/app/{fn}/*",
                ],
            )
        )
    return {"Version": "2012-10-17", "Statement": statements}


#: GitHub's OpenID Connect issuer (GitHub docs, "About security hardening with OpenID Connect").
GITHUB_ISSUER = "token.actions.githubusercontent.com"


def ci_trust_policy(repository: str, stage: str, account: str = "<ACCOUNT>") -> dict:
    """Who may assume the deployer role: GitHub Actions jobs of `repository` (owner/name) that
    run in the GitHub environment named after the stage, with the audience AWS's action asks
    for (`sts.amazonaws.com`). IAM user guide, "Creating a role for web identity or OpenID
    Connect Federation"; GitHub docs, "Configuring OpenID Connect in Amazon Web Services": the
    `sub` claim of a job in an environment is `repo:<owner>/<name>:environment:<environment>`,
    so a pull request, a fork or another stage's job cannot deploy this one."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "GitHubActionsDeploysThisStage",
                "Effect": "Allow",
                "Principal": {"Federated": f"arn:aws:iam::{account}:oidc-provider/{GITHUB_ISSUER}"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        f"{GITHUB_ISSUER}:aud": "sts.amazonaws.com",
                        f"{GITHUB_ISSUER}:sub": f"repo:{repository}:environment:{stage}",
                    }
                },
            }
        ],
    }

"""The stage bucket's configuration, applied the same way to a deployed stage and the local S3;
run as `scripts/setup-bucket STAGE --origin URL ...`, it sets up a stage's bucket on AWS.

- CORS: browsers may POST uploads and GET objects only from the site's own origins.
- Block public access: nothing in the bucket is public but two prefixes; originals and results
  are handed out by short-lived presigned URLs.
- Published static assets and picture renditions: a bucket policy lets any browser read
  `static/*` and `pics/public/*` (immutable, content-named WebPs) and nothing else
  (`allow_public_static_reads`).
- Lifecycle: uploads never registered are deleted after one day, results (archives, oversize
  answers) after one day, job records after a week.
"""

from __future__ import annotations

import argparse
import json

from catsite.s3.keys import PUBLIC_PICS_PREFIX, STATIC_PREFIX

CORS_MAX_AGE = 600

LIFECYCLE_RULES = [
    ("expire-unregistered-uploads", "uploads/", 1),
    ("expire-results", "results/", 1),
    ("expire-job-records", "jobs/", 7),
]


def cors_rules(origins: list[str]) -> dict:
    return {
        "CORSRules": [
            {
                "AllowedOrigins": origins,
                "AllowedMethods": ["GET", "HEAD", "POST"],
                "AllowedHeaders": ["*"],
                "ExposeHeaders": ["ETag"],
                "MaxAgeSeconds": CORS_MAX_AGE,
            }
        ]
    }


def lifecycle_rules() -> dict:
    return {
        "Rules": [
            {
                "ID": rule_id,
                "Filter": {"Prefix": prefix},
                "Status": "Enabled",
                "Expiration": {"Days": days},
                "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
            }
            for rule_id, prefix, days in LIFECYCLE_RULES
        ]
    }


def configure_bucket(s3, bucket: str, origins: list[str], region: str, log=print) -> None:
    """Create `bucket` if it does not exist, then apply its public-access block and policy (private
    but for `static/*` and `pics/public/*`), CORS and lifecycle."""
    if not origins:
        raise ValueError("name at least one site origin for the bucket's CORS rule")
    existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    if bucket in existing:
        log(f"bucket {bucket} exists")
    else:
        options = (
            {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
        )
        s3.create_bucket(Bucket=bucket, **options)
        log(f"created bucket {bucket} in {region}")
    # Private but for the two public prefixes: picture renditions are read by every browser on
    # every stage (and published assets where they are published), so the policy is always set.
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=PUBLIC_ACCESS_BLOCK_FOR_STATIC)
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(public_static_policy(bucket)))
    log("public ACLs blocked; public read of static/* and pics/public/* only (bucket policy)")
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration=cors_rules(origins))
    log(f"CORS: uploads and downloads from {', '.join(origins)}")
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration=lifecycle_rules())
    log("lifecycle: " + ", ".join(f"{prefix} after {days} day(s)" for _, prefix, days in LIFECYCLE_RULES))


def public_static_policy(bucket: str) -> dict:
    """The bucket policy that lets any browser read published assets and picture renditions,
    and nothing else.

    The stage's bucket blocks public ACLs (`BlockPublicAcls`, `IgnorePublicAcls` on) but must allow
    this one public policy (`BlockPublicPolicy`, `RestrictPublicBuckets` off): it grants
    `s3:GetObject` on `static/*` and `pics/public/*` only (no listing), so state, uploads,
    picture records and originals, and results stay private.
    """
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "PublicReadOfPublishedStaticAssets",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/{STATIC_PREFIX}*",
            },
            {
                "Sid": "PublicReadOfPictureRenditions",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/{PUBLIC_PICS_PREFIX}*",
            },
        ],
    }


#: The public access block that goes with `public_static_policy`.
PUBLIC_ACCESS_BLOCK_FOR_STATIC = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": False,
    "RestrictPublicBuckets": False,
}


def allow_public_static_reads(bucket) -> None:
    """Let any browser read `static/*` and `pics/public/*` (and nothing else): the bucket set-up
    for published assets and picture renditions.

    First the public access block that still refuses public ACLs but admits a public policy,
    then the policy itself (`public_static_policy`). `bucket` is a `catsite.s3.bucket.Bucket`.
    """
    bucket.call("put_public_access_block", PublicAccessBlockConfiguration=PUBLIC_ACCESS_BLOCK_FOR_STATIC)
    bucket.call("put_bucket_policy", Policy=json.dumps(public_static_policy(bucket.name)))


def setup_stage_bucket(bucket: str, region: str, origins: list[str], log=print) -> None:
    """The stage's bucket, ready for the site: `configure_bucket` creates it and sets CORS,
    lifecycle, and the one public read (of `static/*` and `pics/public/*`) the site needs."""
    import boto3

    configure_bucket(boto3.client("s3", region_name=region), bucket, origins, region, log=log)


def main(argv: list[str] | None = None) -> None:
    """`scripts/setup-bucket`: the bucket and region come from the stage's settings."""
    from catsite_tools.deploy.zappa_stage import stage_config

    parser = argparse.ArgumentParser(
        prog="scripts/setup-bucket", description="Create and configure a stage's S3 bucket."
    )
    parser.add_argument("stage", help="a stage of zappa_settings.json, e.g. dev or prod")
    parser.add_argument(
        "--origin", action="append", required=True, help="a site origin allowed by CORS (repeatable)"
    )
    args = parser.parse_args(argv)
    stage = stage_config(args.stage)
    bucket = stage["aws_environment_variables"]["CATSITE_BUCKET"]
    region = stage["aws_region"]
    print(f"configuring s3://{bucket} for stage {args.stage}")
    setup_stage_bucket(bucket, region, [o.rstrip("/") for o in args.origin])


if __name__ == "__main__":
    main()

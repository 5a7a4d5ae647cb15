"""The stage bucket's configuration, applied the same way to a deployed stage and the local S3;
run as `scripts/setup-bucket STAGE --origin URL ...`, it sets up a stage's bucket on AWS.

- Block Public Access, all four settings on, and Object Ownership "bucket owner enforced" (ACLs
  off): nothing in the bucket is public. Browsers read published assets and picture renditions
  through the stage's CloudFront distribution, which alone may read `static/*` and `pics/public/*`
  (the bucket policy `catsite_tools.deploy.edge` writes, bound to the distribution); originals and
  results are handed out by short-lived presigned URLs.
- CORS: browsers may POST uploads and GET objects only from the site's own origins.
- Lifecycle: uploads never registered are deleted after one day, results (archives, oversize
  answers) after one day, job records after a week.

The local server has no distribution: `catsite_tools.local.s3.create_bucket` adds, for local
buckets only, the read of the two prefixes a distribution would do (`allow_browser_reads`).
"""

from __future__ import annotations

import argparse

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


#: Every public access refused: no public ACL is accepted or honoured, no public policy accepted
#: or honoured (S3 user guide, "Blocking public access to your Amazon S3 storage").
PUBLIC_ACCESS_BLOCK = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}
#: ACLs disabled, the bucket owns every object (S3 user guide, "Controlling ownership of objects";
#: what Origin Access Control expects of an S3 origin).
OWNERSHIP = {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}


def configure_bucket(s3, bucket: str, origins: list[str], region: str, log=print) -> None:
    """Create `bucket` if it does not exist, then block every public access, enforce the owner's
    ownership, and apply CORS and lifecycle. The bucket policy is the edge's (see the module)."""
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
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=PUBLIC_ACCESS_BLOCK)
    s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls=OWNERSHIP)
    log("public access blocked (all four settings), ACLs disabled (bucket owner enforced)")
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration=cors_rules(origins))
    log(f"CORS: uploads and downloads from {', '.join(origins)}")
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration=lifecycle_rules())
    log("lifecycle: " + ", ".join(f"{prefix} after {days} day(s)" for _, prefix, days in LIFECYCLE_RULES))


def setup_stage_bucket(bucket: str, region: str, origins: list[str], log=print) -> None:
    """The stage's bucket, ready for the site: `configure_bucket` creates it, blocks every public
    access and sets CORS and lifecycle."""
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

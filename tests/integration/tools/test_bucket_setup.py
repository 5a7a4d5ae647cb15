"""A stage's bucket as catsite_tools.deploy.bucket_setup configures it (for scripts/setup-bucket and the
deploy alike): private, CORS limited to the site's origins, expiring what is never registered; and
a local bucket (catsite_tools.local.s3.create_bucket), which alone lets browsers read what a
stage's distribution reads for them."""

from __future__ import annotations

import json
import uuid

import pytest

from catsite_tools.deploy.bucket_setup import LIFECYCLE_RULES, configure_bucket
from tests.support.buckets import new_bucket


def test_the_bucket_is_private_cors_limited_and_cleans_up_uploads(s3):
    bucket = f"stage-{uuid.uuid4().hex[:12]}"
    configure_bucket(s3, bucket, ["https://cats.example.com"], "us-east-1", log=lambda _: None)
    # S3 user guide, "Blocking public access to your Amazon S3 storage": all four settings
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert all(
        block[name]
        for name in ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
    )
    ownership = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]
    assert [rule["ObjectOwnership"] for rule in ownership] == ["BucketOwnerEnforced"]
    with pytest.raises(s3.exceptions.ClientError) as no_policy:  # the edge writes the only one
        s3.get_bucket_policy(Bucket=bucket)
    assert no_policy.value.response["Error"]["Code"] == "NoSuchBucketPolicy"
    rules = s3.get_bucket_cors(Bucket=bucket)["CORSRules"]
    assert [r["AllowedOrigins"] for r in rules] == [["https://cats.example.com"]]
    assert "PUT" not in rules[0]["AllowedMethods"] and "POST" in rules[0]["AllowedMethods"]
    lifecycle = {
        r["Filter"]["Prefix"]: r for r in s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    }
    assert lifecycle["uploads/"]["Expiration"]["Days"] == 1
    assert lifecycle["uploads/"]["Status"] == "Enabled"
    assert set(lifecycle) == {prefix for _, prefix, _ in LIFECYCLE_RULES}
    assert "pics/" not in lifecycle and "state/" not in lifecycle


def test_a_local_bucket_lets_browsers_read_assets_and_renditions_and_nothing_else(local_s3, s3):
    bucket = new_bucket(local_s3, origins=("https://cats.example.com",))
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert block["BlockPublicAcls"] and block["IgnorePublicAcls"]
    policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    public = sorted(r for s in policy["Statement"] if s["Effect"] == "Allow" for r in s["Resource"])
    assert public == [f"arn:aws:s3:::{bucket}/pics/public/*", f"arn:aws:s3:::{bucket}/static/*"]

"""A stage's bucket as catsite_tools.deploy.bucket_setup configures it (for scripts/setup-bucket, the deploy
and the local S3 alike): private, CORS limited to the site's origins, expiring what is never
registered."""

from __future__ import annotations

import json

from catsite_tools.deploy.bucket_setup import LIFECYCLE_RULES
from tests.support.buckets import new_bucket


def test_the_bucket_is_private_cors_limited_and_cleans_up_uploads(local_s3, s3):
    bucket = new_bucket(local_s3, origins=("https://cats.example.com",))
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert block["BlockPublicAcls"] and block["IgnorePublicAcls"]
    policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    public = sorted(s["Resource"] for s in policy["Statement"] if s["Effect"] == "Allow")
    assert public == [f"arn:aws:s3:::{bucket}/pics/public/*", f"arn:aws:s3:::{bucket}/static/*"]
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

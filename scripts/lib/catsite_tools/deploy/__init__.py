"""Putting a stage on AWS: its settings as Zappa reads them, the zip, the bucket, assets, IAM, the deploy."""

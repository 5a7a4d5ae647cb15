"""The S3 adapter: the only code in catsite that imports botocore.

`client` builds clients on one botocore session; `bucket` is the thin adapter over one bucket
(conditional JSON, HEAD, ranges, listings, presigning) with the one table that turns botocore's
errors into catsite's; `multipart`, `reader`, `keys` and `urls` are the rest of the S3 vocabulary.
Importing this package imports nothing.
"""

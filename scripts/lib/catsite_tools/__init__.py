"""Local-only and deploy-only tools of catsite: never in the Lambda zip.

The dev server, the local S3, the local Lambda door and its worker, event builders, static
publishing, bucket set-up, IAM policy generation, page budgets, the deploy rehearsal, smoke
checks and benchmarks. Scripts run them as `python -m catsite_tools.<module>` with `scripts/lib`
on PYTHONPATH; tests reach them through pytest's `pythonpath` setting.
"""

"""Serving on this machine: the dev server, the local S3, the local Lambda door and its events."""

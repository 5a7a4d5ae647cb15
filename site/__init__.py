"""catsite: the cat website and JSON API.

The app is built by `catsite.app.create_app()`; importing this package (or any of its packages)
builds nothing, creates no client, reads no environment and touches no network (cold start and
tests both depend on that).
"""

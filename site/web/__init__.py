"""Flask plumbing around the views: error rendering, security headers, the request log, size
limits, compression, CORS, static URLs and the admin check. Importing this package imports
nothing."""

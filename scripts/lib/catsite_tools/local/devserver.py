"""Serve the whole site locally: `python main.py` or `./scripts/serve`.

When CATSITE_BUCKET is unset, an embedded local S3 (moto server, a separate process) is started
and a bucket created for it; Ctrl-C (SIGINT) or SIGTERM (`kill`, a supervisor, a container stop)
stops both and exits 0.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import socket

LOCAL_BUCKET = "catsite-local"


def parse_args(argv=None) -> argparse.Namespace:
    # The tutorial bound 0.0.0.0 inside Docker (DOCKER_EXE set); everywhere else, loopback only.
    default_host = "0.0.0.0" if os.environ.get("DOCKER_EXE") else "127.0.0.1"  # noqa: S104
    # No abbreviations: scripts/serve reads `--lambda` itself to install what the door runs.
    parser = argparse.ArgumentParser(prog="serve", description=__doc__, allow_abbrev=False)
    parser.add_argument("--host", default=os.environ.get("CATSITE_HOST", default_host))
    parser.add_argument("--port", type=int, default=int(os.environ.get("CATSITE_PORT", "5000")))
    parser.add_argument(
        "--static-from-s3",
        action="store_true",
        help="publish static/ to the bucket and serve the pages with CATSITE_STATIC_URL pointing there",
    )
    # --lambda: serve through a local Lambda front door (local.lambda_gateway), not Flask's server.
    parser.add_argument("--lambda", dest="lambda_", action="store_true", help="serve through a Lambda door")
    parser.add_argument("--door", choices=["rest", "http", "alb", "url"], default="rest")
    parser.add_argument("--stage", default="dev")
    parser.add_argument("--zip", action="store_true", help="with --lambda: run dist/catsite-<stage>.zip")
    return parser.parse_args(argv)


def own_address(host: str, port: int, prefix: str = "") -> str:
    """The address a browser on this machine reaches the server at (0.0.0.0 binds every interface)."""
    return f"http://{'localhost' if host in ('0.0.0.0', '::') else host}:{port}{prefix}"  # noqa: S104


def _stop_on_sigterm(signum, frame):
    raise KeyboardInterrupt  # `kill` and container stops clean up like Ctrl-C does


def main(argv=None) -> None:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    local_s3 = listener = None
    try:
        if not args.lambda_:
            # Bound before anything else starts (the embedded S3 among them), so nothing else can
            # take the port in between; `--port 0` asks the system for a free one.
            listener = socket.create_server((args.host, args.port))
            args.port = listener.getsockname()[1]
        if not os.environ.get("CATSITE_BUCKET"):
            from catsite_tools.local.s3 import DUMMY_CREDENTIALS, LocalS3, create_bucket

            local_s3 = LocalS3()  # assigned before it starts: a signal during start-up stops it too
            local_s3.start()
            for key, value in DUMMY_CREDENTIALS.items():
                os.environ.setdefault(key, value)
            os.environ["AWS_ENDPOINT_URL_S3"] = local_s3.url
            os.environ["CATSITE_BUCKET"] = LOCAL_BUCKET
            origins = [f"http://{args.host}:{args.port}", f"http://localhost:{args.port}"]
            create_bucket(local_s3.url, LOCAL_BUCKET, origins)
            print(f"local S3 (moto server) at {local_s3.url}, bucket {LOCAL_BUCKET}", flush=True)

        if args.static_from_s3:
            serve_static_from_s3()
        if args.lambda_:
            from catsite_tools.local.lambda_gateway import run

            run(args, dict(os.environ))
            return

        from werkzeug.serving import make_server

        from catsite.app import create_app

        os.environ.setdefault("CATSITE_PUBLIC_URL", own_address(args.host, args.port))
        app = create_app()
        # One line per request: catsite's JSON request log. Werkzeug's own access line would be a
        # second one (its warnings and errors still show).
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        server = make_server(args.host, args.port, app, threaded=True, fd=listener.fileno())
        print(f"catsite at http://{args.host}:{args.port}/  (Ctrl-C stops it)", flush=True)
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        # A second Ctrl-C or SIGTERM while stopping must not cut the clean-up short.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if listener:
            listener.close()
        if local_s3:
            local_s3.stop()
            print("stopped the local S3", flush=True)


def serve_static_from_s3() -> None:
    """Publish static/ to the bucket, as for a deployed stage, and point CATSITE_STATIC_URL at it."""
    from catsite.s3.bucket import open_bucket
    from catsite.s3.urls import static_base_url
    from catsite.settings import Settings
    from catsite_tools.deploy.publish_static import publish
    from catsite_tools.local.s3 import allow_browser_reads

    settings = Settings.load()
    bucket = open_bucket(settings)
    print(f"publishing static/ to s3://{settings.bucket}/static/ (browsers read it: local only)", flush=True)
    allow_browser_reads(bucket.client, settings.bucket)
    publish(bucket, settings.root / "static")
    os.environ["CATSITE_STATIC_URL"] = static_base_url(settings)
    print(f"static assets from {os.environ['CATSITE_STATIC_URL']}", flush=True)


if __name__ == "__main__":
    main()

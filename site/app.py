"""The app factory: `create_app()` builds the Flask app from the settings, its blueprints, error
handlers and WSGI layers. Importing this module builds nothing; `catsite.wsgi` is the module that
builds the app at import, for WSGI servers and Zappa.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def create_app(config: Mapping[str, object] | None = None, *, bucket=None) -> Flask:
    """Build the app.

    With no `config`, settings come from the environment (see `catsite.settings`); keys in
    `config` override them, and keys that are not catsite settings go to Flask's config
    (`TESTING`, say). `bucket` injects a ready `catsite.s3.bucket.Bucket` for the stores; otherwise
    one is built on first use (`catsite.web.context`).
    """
    from catsite.settings import Settings
    from catsite.web import context

    config = dict(config or {})
    names = Settings.names()
    settings = Settings.load({k: v for k, v in config.items() if k in names})
    app = _flask_class()(
        "catsite",
        template_folder=str(settings.root / "templates"),
        # With CATSITE_STATIC_URL the assets come from S3: no /static route, no Lambda invocation.
        static_folder=None if settings.static_url else str(settings.root / "static"),
    )
    app.config.update({k: v for k, v in config.items() if k not in names})
    app.config["MAX_CONTENT_LENGTH"] = settings.max_request_bytes
    app.extensions[context.SETTINGS] = settings
    app.extensions[context.BUCKET] = bucket

    register_blueprints(app)
    register_error_handlers(app)
    register_static_and_security(app)
    register_size_limits(app)
    register_compression(app)
    for wrap in wsgi_layers(settings):
        app.wsgi_app = wrap(app.wsgi_app)
    return app


def _flask_class():
    """Flask, deciding once per function whether a view or hook is a coroutine function.

    Flask asks (`ensure_sync`) for every hook and view on every request, through `inspect`; the
    answer never changes for a function, so it is kept, by function (a flask-restful view is a
    method of a new object each request: its function is the key, so the table stays as small
    as the app). Imported here, not at import: importing the entry point stays light.
    """
    from inspect import iscoroutinefunction

    from flask import Flask

    class CatsiteFlask(Flask):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._coroutine: dict = {}

        def ensure_sync(self, func):
            key = getattr(func, "__func__", func)
            coroutine = self._coroutine.get(key)
            if coroutine is None:
                coroutine = self._coroutine[key] = iscoroutinefunction(func)
            return self.async_to_sync(func) if coroutine else func

    return CatsiteFlask


def wsgi_layers(settings) -> list:
    """The WSGI layers around Flask, innermost first (each takes the app it wraps).

    1. Security headers, added to every answer Flask makes, errors included.
    2. The request log, which times all of Flask's work and logs what escapes it as a 500; its
       line carries the request's metrics (`catsite.metrics`).
    3. Requests proven to come through the stage's CloudFront distribution, seen as their viewer
       sent them (`catsite.web.edge`): before the log and the app read the door, client or host.

    (Zappa's own handler adds one more outside these, its stage-path repair:
    `catsite.awslambda.zappa_repairs`.)
    """
    from catsite.web.edge import EdgeRequests
    from catsite.web.request_log import RequestLog
    from catsite.web.security import SecurityHeaders

    return [
        lambda app: SecurityHeaders(app, settings),
        lambda app: RequestLog(app, settings.lambda_function),
        lambda app: EdgeRequests(app, settings),
    ]


def register_blueprints(app: Flask) -> None:
    from catsite.api import create_api_blueprint
    from catsite.pages import bp as pages

    app.register_blueprint(create_api_blueprint())
    app.register_blueprint(pages)


def register_error_handlers(app: Flask) -> None:
    from catsite.web.errors import register

    register(app)


def register_static_and_security(app: Flask) -> None:
    from catsite.web import public_urls, security, static

    static.register(app)
    security.register(app)
    public_urls.register(app)


def register_size_limits(app: Flask) -> None:
    from catsite.web import limits

    limits.register(app)


def register_compression(app: Flask) -> None:
    # Registered last, so it runs first among the after-request hooks: the size limits then
    # measure the body that will really travel.
    from catsite.web import compression

    compression.register(app)

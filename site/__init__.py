"""catsite: the cat website and JSON API.

`create_app()` builds everything; importing this package creates no client, reads no
environment and touches no network (cold start and tests both depend on that).
"""

from __future__ import annotations

from collections.abc import Mapping

from catsite.settings import Settings
from flask import Flask


def create_app(config: Mapping[str, object] | None = None, *, storage=None) -> Flask:
    """Build the app.

    With no `config`, settings come from the environment (see `catsite.settings`); keys in
    `config` override them, and keys that are not catsite settings go to Flask's config
    (`TESTING`, say). `storage` injects a ready `Storage`; otherwise one is built on first use.
    """
    config = dict(config or {})
    settings = Settings.load({k: v for k, v in config.items() if k in Settings.KEYS})
    app = Flask(
        "catsite",
        template_folder=str(settings.root / "templates"),
        # With CATSITE_STATIC_URL the assets come from S3: no /static route, no Lambda invocation.
        static_folder=None if settings.static_url else str(settings.root / "static"),
    )
    app.config.update({k: v for k, v in config.items() if k not in Settings.KEYS})
    app.config["MAX_CONTENT_LENGTH"] = settings.max_request_bytes
    app.extensions["settings"] = settings
    app.extensions["storage"] = storage

    register_blueprints(app)
    register_error_handlers(app)
    register_request_limits(app)
    register_static_and_security(app)

    from catsite.lambda_paths import RestStagePathFix

    app.wsgi_app = RestStagePathFix(app.wsgi_app)
    return app


def register_blueprints(app: Flask) -> None:
    from catsite.api import create_api_blueprint
    from catsite.pages import bp as pages

    app.register_blueprint(create_api_blueprint())
    app.register_blueprint(pages)


def register_error_handlers(app: Flask) -> None:
    from catsite.responses import register

    register(app)


def register_static_and_security(app: Flask) -> None:
    from catsite import security, static_assets

    static_assets.register(app)
    security.register(app)


def register_request_limits(app: Flask) -> None:
    from flask import request
    from werkzeug.exceptions import RequestEntityTooLarge

    limit = app.extensions["settings"].max_request_bytes

    @app.before_request
    def refuse_oversize_bodies():
        # Decided from Content-Length, before a byte of the body is read.
        if request.content_length is not None and request.content_length > limit:
            raise RequestEntityTooLarge()

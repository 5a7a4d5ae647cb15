"""The JSON API: a flask-restful `Api` on a blueprint, one module per resource."""

from __future__ import annotations

from flask import Blueprint, current_app
from flask_restful import Api


class CatApi(Api):
    """flask-restful, with its own error rendering switched off.

    flask-restful answers some errors itself (its 404 adds "did you mean" hints, its 405 and 413
    have their own shape). Re-raising hands every error to the app's handlers, so the API has
    exactly one error shape (`catsite.web.errors`).
    """

    def handle_error(self, e):
        raise e


def answer(body, status: int = 200, headers=None):
    """An API answer, ready-made: `body` as JSON through Flask's provider (compact, sorted keys),
    as the representation below writes it. Returned as a response, it passes flask-restful by:
    its one representation is JSON, so it would only parse Accept to choose it, on every request."""
    response = current_app.json.response(body)
    response.status_code = status
    if headers:
        response.headers.extend(headers)
    return response


def create_api_blueprint() -> Blueprint:
    from catsite.api.cat import Cat
    from catsite.api.health import Health
    from catsite.api.jobs import JobState, PicturesArchive
    from catsite.api.paths import register_converters
    from catsite.api.pictures import CatPicture, CatPictures
    from catsite.api.reference import OpenApiDocument
    from catsite.api.uploads import Uploads

    blueprint = Blueprint("api", __name__)
    blueprint.record_once(register_converters)  # before the Api records its routes
    api = CatApi(blueprint)

    @api.representation("application/json")
    def output_json(data, code, headers=None):
        # Serialize with Flask's JSON provider, so every API answer is encoded alike
        # (compact, sorted keys), whether a resource returns a dict or a jsonify response.
        response = current_app.json.response(data)
        response.status_code = code
        response.headers.extend(headers or {})
        return response

    api.add_resource(Cat, "/cat", endpoint="cat")
    api.add_resource(CatPictures, "/cat/pics", endpoint="cat_pics")
    api.add_resource(PicturesArchive, "/cat/pics/archive", endpoint="cat_pics_archive")
    api.add_resource(CatPicture, "/cat/pics/<picture_id:picture_id>", endpoint="cat_picture")
    api.add_resource(JobState, "/jobs/<job_id:job_id>", endpoint="job")
    api.add_resource(Uploads, "/uploads", endpoint="uploads")
    api.add_resource(Health, "/healthz", endpoint="healthz")
    api.add_resource(OpenApiDocument, "/openapi.json", endpoint="openapi")
    return blueprint

"""The tutorial's resource: what the cat says (`/cat`)."""

from __future__ import annotations

from flask import jsonify, make_response
from flask_restful import Resource

from catsite.api.bodies import load_json_body
from catsite.lazy import deferred
from catsite.web.context import current_stores

schemas = deferred("catsite.api.schemas")


def _says_response(says: str):
    # The tutorial answered through make_response(jsonify(...)); so does catsite, byte for byte.
    return make_response(jsonify({"says": says, "code": 200}))


class Cat(Resource):
    def get(self):
        return _says_response(current_stores().says.get())

    def post(self):
        body = load_json_body(schemas.CatSaysSchema())
        return _says_response(current_stores().says.set(body["says"]))

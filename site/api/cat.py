"""The tutorial's resources: what the cat says (`/cat`) and its pictures (`/cat/pics`)."""

from __future__ import annotations

from catsite.api.errors import load_json_body
from catsite.api.schemas import CatSaysSchema
from catsite.services import get_storage
from flask import jsonify, make_response, url_for
from flask_restful import Resource

KITTY = {
    "id": "kitty",
    "caption": "The tutorial's kitty",
    "content_type": "image/png",
    "width": 320,
    "height": 320,
}


def _says_response(says: str):
    # The tutorial answered through make_response(jsonify(...)); so does catsite, byte for byte.
    return make_response(jsonify({"says": says, "code": 200}))


class Cat(Resource):
    def get(self):
        return _says_response(get_storage().get_says())

    def post(self):
        body = load_json_body(CatSaysSchema())
        return _says_response(get_storage().set_says(body["says"]))


class CatPictures(Resource):
    def get(self):
        kitty = dict(KITTY, url=url_for("static", filename="kitty.png"))
        return {"items": [kitty], "count": 1, "code": 200}

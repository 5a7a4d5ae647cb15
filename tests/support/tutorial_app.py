"""The tutorial's original app, as "Intro to Flask for building RESTful APIs" writes it.

Kept as the reference for byte-compatibility: catsite's `/cat` must answer exactly as this does.
(What the cat says lives in a class attribute here; catsite keeps it in S3.)
"""

from flask import Flask, jsonify, make_response, request
from flask_restful import Api, Resource

app = Flask(__name__)
api = Api(app)


class Cat(Resource):
    says = "meow"

    def get(self):
        return make_response(jsonify({"says": Cat.says, "code": 200}))

    def post(self):
        Cat.says = request.get_json()["says"]
        return make_response(jsonify({"says": Cat.says, "code": 200}))


api.add_resource(Cat, "/cat")

from flask import request
from flask_restful import Resource

from catsite.lazy import deferred

openapi = deferred("catsite.api.openapi")


class OpenApiDocument(Resource):
    """`GET /openapi.json`: the OpenAPI 3 document, with this front door's prefix as its server."""

    def get(self):
        return openapi.document_for(request.script_root)

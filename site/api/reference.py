from flask import request
from flask_restful import Resource


class OpenApiDocument(Resource):
    """`GET /openapi.json`: the OpenAPI 3 document, with this front door's prefix as its server."""

    def get(self):
        from catsite.api.openapi import document_for  # apispec loads on first use, not at cold start

        return document_for(request.script_root)

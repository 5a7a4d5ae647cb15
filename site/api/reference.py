"""`GET /openapi.json`: the OpenAPI 3 document, served from the site's own address."""

from __future__ import annotations

from flask import request
from flask_restful import Resource

from catsite.api import answer
from catsite.lazy import deferred
from catsite.web.context import current_settings

openapi = deferred("catsite.api.openapi")


class OpenApiDocument(Resource):
    def get(self):
        """Its server is the public address when the stage has one, else this door's prefix."""
        return answer(openapi.document_for(current_settings().public_url or request.script_root))

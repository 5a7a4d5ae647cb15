"""`POST /uploads`: a presigned POST for one file sent straight to S3 (never through Lambda)."""

from __future__ import annotations

from flask_restful import Resource

from catsite.api import answer
from catsite.api.bodies import load_json_body
from catsite.lazy import deferred
from catsite.web.context import current_settings, current_stores

schemas = deferred("catsite.api.schemas")


class Uploads(Resource):
    def post(self):
        from catsite.pictures.quota import Quota  # with the first upload, not the app
        from catsite.pictures.uploads import grant_upload

        settings = current_settings()
        body = load_json_body(schemas.UploadRequestSchema.for_stage(settings))
        stores, size = current_stores(), body["bytes"]

        def reserve(token: str, expires_at: float) -> None:
            Quota.of(settings).grant(stores.quota, token, size, expires_at)

        upload = grant_upload(stores.pictures, body["filename"], body["content_type"], size, reserve)
        return answer({**upload, "code": 201}, 201)

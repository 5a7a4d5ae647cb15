from flask import current_app
from flask_restful import Resource

from catsite.api.errors import load_json_body
from catsite.lazy import deferred
from catsite.pictures.registration import check_quota, new_upload
from catsite.services import get_pictures

schemas = deferred("catsite.api.schemas")


class Uploads(Resource):
    """`POST /uploads`: a presigned POST for one file sent straight to S3 (never through Lambda)."""

    def post(self):
        settings = current_app.extensions["settings"]
        body = load_json_body(schemas.UploadRequestSchema.for_stage(settings))
        check_quota(get_pictures(), body["bytes"], settings.max_pictures, settings.max_picture_bytes)
        upload = new_upload(get_pictures(), body["filename"], body["content_type"], body["bytes"])
        return {**upload, "code": 201}, 201

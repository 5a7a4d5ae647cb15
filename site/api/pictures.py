"""`/cat/pics`: the cat pictures, newest first, with the tutorial's kitty always last."""

from __future__ import annotations

from flask import request
from flask_restful import Resource

from catsite.api import answer
from catsite.api.bodies import load_json_body
from catsite.lazy import deferred
from catsite.metrics import count
from catsite.web.admin import require_admin
from catsite.web.context import current_gallery, current_settings, current_stores

schemas = deferred("catsite.api.schemas")


class CatPictures(Resource):
    def get(self):
        query = schemas.PictureListQuerySchema().load(request.args.to_dict())
        page = current_gallery().page(query["limit"], query["cursor"])
        return answer(
            {"items": page.items, "count": len(page.items), "next_cursor": page.next_cursor, "code": 200}
        )

    def post(self):
        # Registration's modules load with the first registration, not with the app (cold start).
        from catsite.pictures.images import decode_budget
        from catsite.pictures.quota import Quota
        from catsite.pictures.registration import register_upload

        settings = current_settings()
        body = load_json_body(schemas.RegisterPictureSchema.for_stage(settings))
        stores = current_stores()
        record, created = register_upload(
            stores.pictures,
            body["location"],
            body["caption"],
            settings.max_upload_bytes,
            (Quota.of(settings), stores.quota),
            decode_budget(settings.memory_mib),
        )
        status = 201 if created else 200
        if created:
            count("pictures_registered")
        return answer({**current_gallery().shown(record), "code": status}, status)


class CatPicture(Resource):
    def get(self, picture_id: str):
        return answer({**current_gallery().find(picture_id), "code": 200})

    def delete(self, picture_id: str):
        require_admin()
        current_gallery().delete(picture_id)
        return answer({"message": "Deleted.", "id": picture_id, "code": 200})

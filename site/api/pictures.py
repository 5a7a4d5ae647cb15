"""`/cat/pics`: the cat pictures, newest first, with the tutorial's kitty always last."""

from __future__ import annotations

import re

from flask import current_app, request, url_for
from flask_restful import Resource

from catsite.api.errors import load_json_body
from catsite.errors import Forbidden, InvalidReference, NotFound
from catsite.lazy import deferred
from catsite.pictures.registration import is_picture_id, register_upload
from catsite.s3.keys import INDEX_PREFIX
from catsite.s3.urls import bucket_urls
from catsite.services import get_pictures
from catsite.web.admin import require_admin

schemas = deferred("catsite.api.schemas")

KITTY_ID = "kitty"
#: Cursor meaning "only the kitty is left" (the stored pictures are exhausted).
_KITTY_CURSOR = KITTY_ID
#: A page's cursor: the index entry it starts after (creation time in ms, picture id), or the
#: kitty's. The query schema validates with it, and the OpenAPI document states it as `pattern`.
CURSOR = re.compile(r"[0-9]{13}-[0-9a-f]{32}|" + _KITTY_CURSOR)


def kitty() -> dict:
    static = url_for("static", filename="kitty.png")
    return {
        "id": KITTY_ID,
        "caption": "The tutorial's kitty",
        "url": static,
        "thumb_url": static,
        "display_url": static,
        "content_type": "image/png",
        "bytes": (current_app.extensions["settings"].root / "static" / "kitty.png").stat().st_size,
        "width": 320,
        "height": 320,
        "thumb_width": 320,
        "thumb_height": 320,
        "display_width": 320,
        "display_height": 320,
        "created_at": "2020-01-01T00:00:00.000Z",
    }


def public(record: dict) -> dict:
    """A stored record as the API shows it: with its URLs (the original's presigned and
    short-lived, the renditions' public and permanent), without internal fields."""
    public_base = bucket_urls(current_app.extensions["settings"])[0]
    shown = {
        k: record[k] for k in ("id", "caption", "content_type", "bytes", "width", "height", "created_at")
    }
    return {
        **shown,
        "thumb_width": record["thumb_width"],
        "thumb_height": record["thumb_height"],
        # Registered before display renditions existed: the page shows the original.
        "display_width": record.get("display_width", record["width"]),
        "display_height": record.get("display_height", record["height"]),
        **get_pictures().urls(record, public_base),
    }


def encode_cursor(value: str) -> str:
    return value


def decode_cursor(cursor: str) -> str:
    if not CURSOR.fullmatch(cursor):
        raise InvalidReference("The cursor is not one this API handed out.", "cursor")
    return cursor


def list_pictures(limit: int, cursor: str | None) -> tuple[list[dict], str | None]:
    """One page of pictures (newest first, the kitty last) and the cursor of the next page."""
    position = decode_cursor(cursor) if cursor else None
    if position == _KITTY_CURSOR:
        return [kitty()], None
    after = f"{INDEX_PREFIX}{position}" if position else None
    records, more = get_pictures().page(after, limit)
    items = [public(r) for r in records]
    if more:
        return items, encode_cursor(more[len(INDEX_PREFIX) :])
    if len(items) < limit:
        return [*items, kitty()], None
    return items, encode_cursor(_KITTY_CURSOR)


class CatPictures(Resource):
    def get(self):
        query = schemas.PictureListQuerySchema().load(request.args.to_dict())
        items, next_cursor = list_pictures(query["limit"], query["cursor"])
        return {"items": items, "count": len(items), "next_cursor": next_cursor, "code": 200}

    def post(self):
        settings = current_app.extensions["settings"]
        body = load_json_body(schemas.RegisterPictureSchema.for_stage(settings))
        quota = (settings.max_pictures, settings.max_picture_bytes)
        record, created = register_upload(
            get_pictures(), body["location"], body["caption"], settings.max_upload_bytes, quota
        )
        status = 201 if created else 200
        return {**public(record), "code": status}, status


def find_picture(picture_id: str) -> dict:
    if picture_id == KITTY_ID:
        return kitty()
    record = get_pictures().get(picture_id) if is_picture_id(picture_id) else None
    if record is None:
        raise NotFound(f"There is no cat picture {picture_id!r}.")
    return public(record)


class CatPicture(Resource):
    def get(self, picture_id: str):
        return {**find_picture(picture_id), "code": 200}

    def delete(self, picture_id: str):
        require_admin()
        if picture_id == KITTY_ID:
            raise Forbidden("The tutorial's kitty stays.")
        if not (is_picture_id(picture_id) and get_pictures().delete(picture_id)):
            raise NotFound(f"There is no cat picture {picture_id!r}.")
        return {"message": "Deleted.", "id": picture_id, "code": 200}

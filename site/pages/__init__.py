"""Pages: Jinja views only. Data comes from the same stores and schemas as the API."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from catsite.lazy import deferred
from catsite.pictures.images import CONTENT_TYPES, TYPE_NAMES
from catsite.services import get_says

schemas = deferred("catsite.api.schemas")
openapi = deferred("catsite.api.openapi")

bp = Blueprint("pages", __name__)


@bp.get("/")
def home():
    return render_template("index.html", says=get_says().get())


@bp.get("/docs")
def docs():
    """The API reference, rendered from the OpenAPI document (no third-party UI)."""
    return render_template("docs.html", **openapi.reference())


@bp.post("/")
def change_says():
    """The form's no-JavaScript path: validate, store, then redirect back (post/redirect/get)."""
    try:
        body = schemas.CatSaysSchema().load({"says": request.form.get("says", "")})
    except schemas.ValidationError as error:
        message = " ".join(error.messages.get("says", ["Please check what you typed."]))
        says = get_says().get()
        return render_template(
            "index.html", says=says, error=message, draft=request.form.get("says", "")
        ), 400
    get_says().set(body["says"])
    return redirect(url_for("pages.home"), code=303)


@bp.get("/pics")
def pictures():
    """The gallery: server-rendered, so it lists the pictures without JavaScript too."""
    from catsite.api.pictures import list_pictures

    query = schemas.PictureListQuerySchema().load(request.args.to_dict())
    items, next_cursor = list_pictures(query["limit"], query["cursor"])
    max_bytes = current_app.extensions["settings"].max_upload_bytes
    return render_template(
        "pics.html",
        items=items,
        next_cursor=next_cursor,
        max_bytes=max_bytes,
        accept=",".join(CONTENT_TYPES),  # the one list of image types, for the form and its script
        type_names=TYPE_NAMES,
    )

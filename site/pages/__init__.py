"""Pages: Jinja views only. Data comes from the same stores and schemas as the API."""

from __future__ import annotations

import re

from flask import Blueprint, redirect, render_template, request, url_for
from markupsafe import Markup, escape

from catsite import timestamps
from catsite.lazy import deferred
from catsite.pictures.images import CONTENT_TYPES, TYPE_NAMES
from catsite.pictures.kitty import KITTY_ID
from catsite.web.context import current_gallery, current_settings, current_stores
from catsite.web.public_urls import absolute, external_url_for

schemas = deferred("catsite.api.schemas")
docs_page = deferred("catsite.api.docs_page")

bp = Blueprint("pages", __name__)


@bp.get("/")
def home():
    return render_template("index.html", says=current_stores().says.get())


@bp.get("/docs")
def docs():
    """The API reference, rendered from the OpenAPI document (no third-party UI)."""
    return render_template("docs.html", **docs_page.reference())


_CODE = re.compile(r"`([^`]+)`")
#: A count of one reads in the singular, whatever the sentence around it was written for.
_ONE = re.compile(r"\b1 (character|byte|picture|item|second|minute|day)s\b")


#: Hyphenated names (Retry-After, respond-async): a line break at their hyphen reads as two words.
_HYPHENATED = re.compile(r"\w+(?:-\w+)+")


@bp.app_template_filter("prose")
def prose(text: str) -> Markup:
    """Reference text as HTML: escaped, `backticks` as <code>, hyphenated names kept on one line,
    "1 characters" as "1 character"."""
    html = _HYPHENATED.sub(r'<span class="nobr">\g<0></span>', str(escape(text)))
    html = _CODE.sub(r"<code>\1</code>", html)
    return Markup(_ONE.sub(r"1 \1", html))  # noqa: S704 (built from escaped text)


@bp.post("/")
def change_says():
    """The form's no-JavaScript path: validate, store, then redirect back (post/redirect/get)."""
    try:
        body = schemas.CatSaysSchema().load({"says": request.form.get("says", "")})
    except schemas.ValidationError as error:
        message = " ".join(error.messages.get("says", ["Please check what you typed."]))
        says = current_stores().says.get()
        return render_template(
            "index.html", says=says, error=message, draft=request.form.get("says", "")
        ), 400
    current_stores().says.set(body["says"])
    return redirect(url_for("pages.home"), code=303)


#: Newer pages a gallery link remembers (`back`): enough for any real visit, a bounded URL.
TRAIL_MAX = 20


@bp.get("/pics")
def pictures():
    """The gallery: server-rendered, so it lists and pages the pictures without JavaScript too.

    The cursor API only goes forward (one S3 listing after a key), so the way back is carried in
    the links: `back` lists the cursors of the newer pages seen on the way here ("" the first).
    """
    from catsite.pictures.gallery import check_cursor

    query = schemas.PictureListQuerySchema().load(request.args.to_dict())
    cursor = query["cursor"]
    trail = request.args.get("back", "").split(".") if cursor else []
    trail = [c for c in trail[-TRAIL_MAX:] if not c or check_cursor(c)]  # refuses foreign cursors (400)
    page = current_gallery().page(query["limit"], cursor)
    older = newer = None
    size = {"limit": query["limit"]} if "limit" in request.args else {}  # a chosen page size stays
    if page.next_cursor:
        older = url_for(
            "pages.pictures", cursor=page.next_cursor, back=".".join([*trail, cursor or ""]), **size
        )
    if cursor:
        previous = trail[-1] if trail else ""
        newer = url_for("pages.pictures", cursor=previous or None, back=".".join(trail[:-1]) or None, **size)
    return render_template(
        "pics.html",
        items=page.items,
        older=older,
        newer=newer,
        empty=not cursor and page.only_kitty,
        max_bytes=current_settings().max_upload_bytes,
        accept=",".join(CONTENT_TYPES),  # the one list of image types, for the form and its script
        type_names=TYPE_NAMES,
    )


@bp.get("/pics/<picture_id>")
def picture(picture_id: str):
    """One picture's page: its display rendition, caption, date and size; an HTML 404 when the
    id is unknown or the picture was deleted. Open Graph and Twitter tags make shared links
    preview (their URLs must be absolute)."""
    pic = current_gallery().find(picture_id)
    added = timestamps.parse(pic["created_at"])
    return render_template(
        "picture.html",
        pic=pic,
        is_kitty=pic["id"] == KITTY_ID,
        added=f"{added.day} {added:%B %Y}, {added:%H:%M} UTC",
        share_image=absolute(pic["display_url"]),
        share_url=external_url_for("pages.picture", picture_id=picture_id),
        size=_size(pic["bytes"]),
    )


def _size(count: int) -> str:
    """A file size as people read it: 850 bytes, 12 KB, 3.4 MB (decimal units, like the upload form)."""
    if count < 1000:
        return f"{count} bytes"
    if count < 1_000_000:
        return f"{count / 1000:.0f} KB"
    return f"{count / 1_000_000:.1f} MB"

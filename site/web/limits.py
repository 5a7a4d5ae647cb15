"""Requests and responses larger than the front door carries.

A request body over the door's limit is refused with 413 from its Content-Length, before the body
is read; the message points at `POST /uploads`. A response body over the door's limit (after
base64, for binary bodies) would make Lambda fail the invocation, so it is written to `results/`
in S3 and answered with 303 to a presigned URL, with a small JSON body naming its location too.
"""

from __future__ import annotations

import mimetypes

from flask import Flask, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from catsite.awslambda.doors import door_for, wire_size

_TEXT_TYPES = ("text/", "application/json", "application/javascript", "application/xml", "image/svg+xml")


def register(app: Flask) -> None:
    configured = app.extensions["settings"].max_request_bytes

    @app.before_request
    def refuse_oversize_requests():
        limit = min(configured, door_for(request.environ).request_limit)
        request.max_content_length = limit  # also bounds bodies sent without Content-Length
        if request.content_length is not None and request.content_length > limit:
            raise RequestEntityTooLarge()

    @app.after_request
    def move_oversize_responses(response):
        door = door_for(request.environ)
        if response.is_streamed and not response.content_length:
            return response  # size unknown; catsite streams nothing large through the function
        size = response.content_length if response.content_length is not None else len(response.get_data())
        if wire_size(size, door, binary=True) <= door.response_limit:
            return response  # fits even as base64: its type does not matter
        binary = not (response.mimetype or "").startswith(_TEXT_TYPES)
        if wire_size(size, door, binary) <= door.response_limit:
            return response
        return move_to_s3(response, door.name)


def move_to_s3(response, door_name: str):
    from catsite.services import get_results

    content_type = response.headers.get("Content-Type", "application/octet-stream")
    extension = (mimetypes.guess_extension(response.mimetype or "") or ".bin").lstrip(".")
    location, url = get_results().put(response.get_data(), content_type, extension)
    moved = jsonify(
        message=f"The answer is larger than the {door_name} front door carries; it is stored in S3. "
        "Follow the Location header (a short-lived URL) to fetch it.",
        location=location,
        url=url,
        code=303,
    )
    moved.status_code = 303
    moved.headers["Location"] = url
    return moved

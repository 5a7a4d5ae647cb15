"""Requests and responses larger than the front door carries.

A request body over the door's limit is refused with 413 from its Content-Length, before the body
is read; the message points at `POST /uploads`. A body sent without a Content-Length (chunked) is
read up to one byte past the limit: more than the limit is the same 413, and Werkzeug would
otherwise cut it at the limit silently and hand the app a truncated body.

A response body over the door's limit (after base64, for binary bodies) would make Lambda fail
the invocation, so it is written to `results/` in S3 and answered with 303 to a presigned URL,
with a small JSON body naming its location too. An error answer is never moved: a refused
request writes nothing, and error documents are bounded (`catsite.web.errors`).
"""

from __future__ import annotations

import io
import mimetypes

from flask import Flask, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from catsite.doors.media import travels_base64
from catsite.doors.table import Door, door_for
from catsite.web.context import current_settings, current_stores


def register(app: Flask) -> None:
    configured = current_settings(app).max_request_bytes

    @app.before_request
    def refuse_oversize_requests():
        limit = min(configured, door_for(request.environ).request_limit)
        request.max_content_length = limit
        if "CONTENT_LENGTH" not in request.environ and request.environ.get("wsgi.input_terminated"):
            read_unsized_body(request.environ, limit)
        if request.content_length is not None and request.content_length > limit:
            raise RequestEntityTooLarge()

    @app.after_request
    def move_oversize_responses(response):
        if response.status_code >= 400:
            return response  # a refusal writes nothing (error documents are bounded: web.errors)
        door = door_for(request.environ)
        if response.is_streamed and not response.content_length:
            return response  # size unknown; catsite streams nothing large through the function
        if wire_bytes(response, door) <= door.response_limit:
            return response
        return move_to_s3(response, door.name)


def wire_bytes(response, door: Door) -> int:
    """Bytes the answer's body takes in the door's answer: base64 exactly when the translation
    sends it base64 (`travels_base64`, Zappa's text types; a stage's `additional_text_mimetypes`
    are not seen here, so such a body is counted as base64, the larger size)."""
    size = response.content_length if response.content_length is not None else len(response.get_data())
    headers = response.headers
    return door.wire_size(size, travels_base64(headers.get("Content-Type"), headers.get("Content-Encoding")))


def read_unsized_body(environ: dict, limit: int) -> None:
    """A streamed body of at most `limit` bytes, made an ordinary sized one; 413 past the limit."""
    stream = environ["wsgi.input"]
    parts, size = [], 0
    while size <= limit:
        part = stream.read(min(64 * 1024, limit + 1 - size))
        if not part:
            break
        parts.append(part)
        size += len(part)
    if size > limit:
        raise RequestEntityTooLarge()
    body = b"".join(parts)
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))


def move_to_s3(response, door_name: str):
    content_type = response.headers.get("Content-Type", "application/octet-stream")
    extension = (mimetypes.guess_extension(response.mimetype or "") or ".bin").lstrip(".")
    location, url = current_stores().results.put(response.get_data(), content_type, extension)
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

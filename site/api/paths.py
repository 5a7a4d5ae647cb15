"""The shapes of the API's path parameters, as URL converters.

Each converter's expression is the one rule for its parameter: Werkzeug routes only paths that
match it (so `/cat/pics/archive` is never taken for a picture id, and no two routes match one
path), and the OpenAPI document states it as the parameter's `pattern`.
"""

from __future__ import annotations

from werkzeug.routing import BaseConverter

from catsite.pictures.kitty import KITTY_ID
from catsite.s3.keys import TOKEN


class PictureIdConverter(BaseConverter):
    """A stored picture's id (32 hex digits) or the tutorial's kitty."""

    pattern = f"{TOKEN.pattern}|{KITTY_ID}"
    regex = f"(?:{pattern})"


class JobIdConverter(BaseConverter):
    """A job's id: 32 hex digits."""

    pattern = TOKEN.pattern
    regex = f"(?:{pattern})"


#: Converter name (also the path parameter's name in the rules) -> converter.
CONVERTERS = {"picture_id": PictureIdConverter, "job_id": JobIdConverter}


def register_converters(state) -> None:
    """A blueprint's `record_once` callback: the app's URL map learns the converters."""
    state.app.url_map.converters.update(CONVERTERS)

"""What an uploaded file really is, and its thumbnail, decided from its bytes (Pillow).

Nothing here trusts a declared content type or file name: the first bytes must carry the magic
number of an allowed format, Pillow must read the same format and its dimensions from the header,
and images with more pixels than MAX_PIXELS are refused before anything is decoded (a small file
can declare an enormous canvas: a decompression bomb).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from catsite.lazy import deferred

Image = deferred("PIL.Image")
ImageOps = deferred("PIL.ImageOps")


@dataclass(frozen=True)
class ImageType:
    content_type: str
    #: The extension catsite stores originals of this type under.
    extension: str
    #: Pillow's name for the format.
    pillow_format: str
    #: The name people know it by.
    name: str


#: The image types catsite accepts: the one list. The upload schema and the OpenAPI document,
#: registration, the gallery's `accept=` and its script (through a data attribute) all take it
#: from here.
IMAGE_TYPES = (
    ImageType("image/png", "png", "PNG", "PNG"),
    ImageType("image/jpeg", "jpg", "JPEG", "JPEG"),
    ImageType("image/gif", "gif", "GIF", "GIF"),
    ImageType("image/webp", "webp", "WEBP", "WebP"),
)
#: Content type -> the extension catsite stores it under.
ALLOWED_TYPES = {kind.content_type: kind.extension for kind in IMAGE_TYPES}
CONTENT_TYPES = tuple(ALLOWED_TYPES)
#: "PNG, JPEG, GIF or WebP", for messages and labels.
TYPE_NAMES = ", ".join(kind.name for kind in IMAGE_TYPES[:-1]) + " or " + IMAGE_TYPES[-1].name
_PILLOW_FORMATS = {kind.pillow_format: kind.content_type for kind in IMAGE_TYPES}
_NAMES = {kind.content_type: kind.name for kind in IMAGE_TYPES}

#: 40 megapixels: more than any camera photo people share, and a bounded decode (about 120 MB
#: as RGB before draft/reduce shrink it).
MAX_PIXELS = 40_000_000
THUMB_WIDTH = 480
THUMB_MAX_HEIGHT = 1440
#: The picture page shows a display rendition at most this wide (and three times as high).
DISPLAY_WIDTH = 1600
DISPLAY_MAX_HEIGHT = 4800

#: Bytes needed to recognise every allowed format by its magic number.
SNIFF_BYTES = 16


class NotAnImage(ValueError):
    """The bytes are not an image of an allowed type (or not of the type declared)."""


class TooManyPixels(ValueError):
    """The image declares more pixels than catsite decodes."""


def sniff(head: bytes) -> str | None:
    """The content type the first bytes prove, or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if len(head) >= 12 and head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    return None


@dataclass(frozen=True)
class Inspection:
    content_type: str
    width: int
    height: int


def inspect(stream, declared_type: str) -> Inspection:
    """Check that `stream` (seekable, positioned at 0) is an image of `declared_type`.

    Reads only what Pillow needs for the header. Raises NotAnImage or TooManyPixels.
    """
    head = stream.read(SNIFF_BYTES)
    proven = sniff(head)
    if proven is None:
        raise NotAnImage(f"this file is not a {TYPE_NAMES} image")
    if proven != declared_type:
        declared = _NAMES.get(declared_type, declared_type)
        raise NotAnImage(f"this file is a {_NAMES[proven]} image, not a {declared} as its name says")
    stream.seek(0)
    try:
        with warnings.catch_warnings():
            # Pillow warns above its own limit; catsite applies its lower one just below.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(stream, formats=[f for f, t in _PILLOW_FORMATS.items() if t == proven])
        with image:
            width, height = image.size
    except (Image.UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise NotAnImage(f"this file looks like a {_NAMES[proven]} image but cannot be read") from error
    except Image.DecompressionBombError as error:
        raise TooManyPixels("this picture has far too many pixels") from error
    if width < 1 or height < 1:
        raise NotAnImage("this picture has no pixels")
    if width * height > MAX_PIXELS:
        raise TooManyPixels(f"this picture has {width}×{height} pixels; at most {MAX_PIXELS:,} are accepted")
    return Inspection(proven, width, height)


@dataclass(frozen=True)
class Rendition:
    """A WebP made from an upload: its bytes and its size in pixels."""

    data: bytes
    width: int
    height: int


def renditions(stream, inspection: Inspection) -> tuple[Rendition, Rendition]:
    """(display, thumbnail): WebPs at most DISPLAY_WIDTH and THUMB_WIDTH wide, from one decode.

    JPEGs are decoded in draft mode (scaled down by the decoder itself to about the display
    size), which keeps memory and time small for large photos; the thumbnail is made from the
    decoded display image, not decoded again. Animated images use their first frame.
    """
    stream.seek(0)
    with Image.open(stream) as image:
        if image.width * image.height > MAX_PIXELS:  # the same stream, checked again before decoding
            raise TooManyPixels("this picture has far too many pixels")
        image.draft("RGB", (DISPLAY_WIDTH, DISPLAY_MAX_HEIGHT))
        try:
            image.load()
        except (OSError, SyntaxError, ValueError) as error:
            raise NotAnImage("the picture's data is damaged") from error
        image = ImageOps.exif_transpose(image)
        has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
        image = image.convert("RGBA" if has_alpha else "RGB")
        image.thumbnail((DISPLAY_WIDTH, DISPLAY_MAX_HEIGHT))
        display = _webp(image, quality=82)
        image.thumbnail((THUMB_WIDTH, THUMB_MAX_HEIGHT))
        return display, _webp(image, quality=80)


def _webp(image, quality: int) -> Rendition:
    out = io.BytesIO()
    image.save(out, "WEBP", quality=quality, method=4)
    return Rendition(out.getvalue(), image.width, image.height)

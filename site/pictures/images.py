"""What an uploaded file really is, and its thumbnail, decided from its bytes (Pillow).

Nothing here trusts a declared content type or file name: the first bytes must carry the magic
number of an allowed format, Pillow must read the same format and its dimensions from the header,
and images with more pixels than MAX_PIXELS are refused before anything is decoded (a small file
can declare an enormous canvas: a decompression bomb).
"""

from __future__ import annotations

import io
import math
import warnings
from dataclasses import dataclass

from catsite.lazy import deferred
from catsite.settings import MIB

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


#: EXIF's Orientation tag; values 5 to 8 turn the picture a quarter (EXIF 2.32, section 4.6.4).
_ORIENTATION = 0x0112
#: Bytes Pillow keeps per pixel of a decoded image, by mode ("RGB" is stored four bytes wide).
_PIXEL_BYTES = {"1": 1, "L": 1, "P": 1, "I;16": 2}


#: What a registration holds besides the decode itself (the interpreter, the app, botocore's
#: client and models, Pillow, the request), with room to spare: measured in docs/benchmarks.md.
RUNTIME_MIB = 140


def decode_budget(memory_mib: int) -> int:
    """Bytes one decode may hold in a function of `memory_mib`: half the function's memory is left
    for a concurrent request (or a job's thread), and the runtime takes its share of the rest."""
    return max(0, memory_mib // 2 - RUNTIME_MIB) * MIB


def decode_bytes(image) -> int:
    """What decoding `image` (opened, after any draft) into its renditions holds at its peak, from
    how Pillow works: the decoded pixels (four bytes each for RGB and RGBA, which it stores four
    wide); a converted copy when the mode is not RGB or RGBA already; a premultiplied copy of
    an image with alpha, which `reduce` and `resize` make before they scale; and for WebP, the
    decoder's own canvases (libwebp's animation decoder keeps three RGBA frames)."""
    pixels = image.width * image.height
    held = pixels * _PIXEL_BYTES.get(image.mode, 4)
    if image.mode not in ("RGB", "RGBA"):
        held += pixels * 4
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        held += pixels * 4
    if image.format == "WEBP":
        held += 3 * pixels * 4
    return held


class TooBigToDecode(ValueError):
    """Decoding the image would take more memory than the stage allows one decode."""


def renditions(stream, inspection: Inspection, budget: int) -> tuple[Rendition, Rendition]:
    """(display, thumbnail): WebPs at most DISPLAY_WIDTH and THUMB_WIDTH wide, from one decode.

    JPEGs are decoded in draft mode, scaled down by the decoder itself to the smallest size at
    least as large as the display rendition (the picture's turn by EXIF taken into account), so a
    large photo costs little memory or time. Before anything is decoded, what the decode would
    hold (`decode_bytes`) is held to `budget`: over it, TooBigToDecode. The picture is turned and
    converted in place where it can be, so no needless copy of a large image is made; the
    thumbnail is made from the display image, not decoded again. Animated images use their
    first frame.
    """
    stream.seek(0)
    with Image.open(stream) as image:
        width, height = image.size
        if width * height > MAX_PIXELS:  # the same stream, checked again before decoding
            raise TooManyPixels("this picture has far too many pixels")
        turned = image.getexif().get(_ORIENTATION, 1) in (5, 6, 7, 8)
        shown_width, shown_height = (height, width) if turned else (width, height)
        scale = min(1.0, DISPLAY_WIDTH / shown_width, DISPLAY_MAX_HEIGHT / shown_height)
        image.draft("RGB", (max(1, math.ceil(width * scale)), max(1, math.ceil(height * scale))))
        needed = decode_bytes(image)
        if needed > budget:
            raise TooBigToDecode(
                f"this picture needs {needed / MIB:,.0f} MiB to decode ({width}×{height} pixels); "
                f"this site decodes at most {budget / MIB:,.0f} MiB at a time"
            )
        try:
            image.load()
        except (OSError, SyntaxError, ValueError) as error:
            raise NotAnImage("the picture's data is damaged") from error
        ImageOps.exif_transpose(image, in_place=True)
        has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
        shown = _smaller(image)
        wanted = "RGBA" if has_alpha else "RGB"
        if shown.mode != wanted:
            shown = _replaced(shown, shown.convert(wanted), keep=image)
        shown.thumbnail((DISPLAY_WIDTH, DISPLAY_MAX_HEIGHT))
        display = _webp(shown, quality=82)
        shown.thumbnail((THUMB_WIDTH, THUMB_MAX_HEIGHT))
        return display, _webp(shown, quality=80)


def _smaller(image):
    """`image` reduced by the largest whole factor that leaves at least 1.5 times the display
    size, its full-size pixels freed at once. Done here, not left to `thumbnail` (whose reducing
    gap of 2 would keep a picture under four times the display size whole): resizing RGBA copies
    the whole image premultiplied first, so the large buffer should be gone by then."""
    scale = min(DISPLAY_WIDTH / image.width, DISPLAY_MAX_HEIGHT / image.height)
    factor = int(1 / (scale * 1.5))
    if factor <= 1:
        return image
    return _replaced(image, image.reduce(factor))


def _replaced(old, new, keep=None):
    """`new` in place of `old`, whose pixels are freed now (unless it is `keep`, the opened file's
    image, which its `with` block closes)."""
    if old is not keep:
        old.close()
    return new


def _webp(image, quality: int) -> Rendition:
    out = io.BytesIO()
    image.save(out, "WEBP", quality=quality, method=4)
    return Rendition(out.getvalue(), image.width, image.height)

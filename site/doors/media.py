"""Which answers a door carries as text and which base64: the translation encodes them, the size
limits count them 4/3 larger, and compression gzips the text ones, so all three decide alike."""

from __future__ import annotations

#: Answer types a door carries as text, matched as prefixes of the media type: Zappa's
#: DEFAULT_TEXT_MIMETYPES, so the lean path and Zappa's handler send the same bodies as text.
TEXT_MIMETYPES = (
    "text/",
    "application/json",
    "application/javascript",
    "application/ecmascript",
    "application/xml",
    "application/xml-external-parsed-entity",
    "application/xml-dtd",
    "image/svg+xml",
)


def travels_base64(
    content_type: str | None, content_encoding: str | None = None, text=TEXT_MIMETYPES
) -> bool:
    """Whether an answer's body goes base64 through a door with binary support on (as catsite's
    stages have it), as Zappa's handler decides: any Content-Encoding (gzip output is bytes), or
    a media type (parameters aside, case-insensitive) not starting with one of `text`."""
    mimetype = (content_type or "").split(";", 1)[0].strip().lower()
    return bool(content_encoding) or not mimetype.startswith(text)


def base64_size(size: int) -> int:
    """Bytes `size` bytes take once base64-encoded (RFC 4648 section 4: 4 characters per 3 bytes)."""
    return 4 * ((size + 2) // 3)

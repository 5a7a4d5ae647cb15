"""Text in a WSGI environ (PEP 3333, "Unicode issues"): "native strings" holding bytes, one
latin-1 character per byte. An event's fields are text, so each is made a WSGI string from its
UTF-8 bytes, and read back as Werkzeug reads it."""

from __future__ import annotations


def utf8(text: str) -> bytes:
    """An event's text as bytes (a path, a header, a body sent as text).

    Lone surrogates (JSON can carry one as an escape; no door sends one in a well-formed event)
    are written with `surrogatepass`, as the three bytes of their code point. So nothing raises
    on a hostile event and nothing turns into another character: the app reads those bytes as it
    reads any invalid UTF-8 (Werkzeug decodes with `errors="replace"`: U+FFFD; a JSON body with
    them is refused). `replace` would make them `?`, a real character of a path or header;
    `surrogateescape` raises for most of them (it maps only U+DC80..U+DCFF, and those to single
    bytes, not their UTF-8); strict UTF-8 raises for all.
    """
    return text.encode("utf-8", "surrogatepass")


def wsgi_string(text: str) -> str:
    """`text` as a WSGI string: its UTF-8 bytes (`utf8`), one latin-1 character each."""
    return utf8(text).decode("latin-1")


def from_wsgi_string(raw: str) -> str:
    """A WSGI string back to text, as Werkzeug decodes one: bytes that are not UTF-8 become U+FFFD."""
    return raw.encode("latin-1").decode("utf-8", "replace")

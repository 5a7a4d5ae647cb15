"""The few facts about what crosses a front door that both sides of it need.

The Lambda side (the door reading, the translation, Zappa's repairs) and the web side (the
request log) use them, so they live here once. This module imports nothing: it is on every cold
start.

- Which answers travel base64: the translation encodes them, the size limits count them 4/3
  larger, and both must decide alike (`travels_base64`); compression gzips the same text types.
- WSGI strings (PEP 3333, "Unicode issues"): text in the environ is "native strings" holding
  bytes, one latin-1 character per byte. An event's fields are text, so each is made a WSGI
  string from its UTF-8 bytes, and read back as Werkzeug reads it.
- Which of AWS's event formats an event is (`event_format`): the reading, the answer's shape and
  the door's limits must decide alike.
- An ALB answer's `statusDescription` (`status_description`).
"""

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


def event_format(event) -> str | None:
    """Which HTTP event format `event` declares, decided here once: "v2" (payload 2.0, from an
    HTTP API or a Function URL: "version": "2.0"), "alb" (a `requestContext.elb`; ELB guide,
    "Lambda functions as targets") or "rest" (payload 1.0); None for an event that is not an
    object. An event claiming two formats is read, answered and limited as the first here."""
    if not isinstance(event, dict):
        return None
    if event.get("version") == "2.0":
        return "v2"
    context = event.get("requestContext")
    if isinstance(context, dict) and "elb" in context:
        return "alb"
    return "rest"


def status_description(status: int, status_line: str = "") -> str:
    """An ALB answer's `statusDescription`: the code and its reason phrase, "404 Not Found", as the
    ELB guide's "Lambda functions as targets" shows it and RFC 9110 section 15 names each code
    (Werkzeug's own status line says "404 NOT FOUND"). A code without a registered phrase keeps
    the app's status line."""
    from http import HTTPStatus  # already loaded by Werkzeug; kept here so this module imports nothing

    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return status_line or str(status)

"""Reading one HTTP/1.1 request body from a connection, to its end, within a bound.

`http.server` leaves the body to the handler and knows nothing of chunked bodies: whatever a
handler leaves unread is parsed as the next request. The local Lambda door reads every body
with `read_body`, so a body over the door's limit is discarded as it arrives rather than taken
for a request, and a chunked one counts the same as one with a Content-Length (RFC 9112
sections 6 and 7.1).
"""

from __future__ import annotations

#: Bytes of an oversize body read (and discarded) before the reader stops: the connection closes.
DRAIN_CAP = 32 * 1024 * 1024


class BadRequest(ValueError):
    """A request whose body cannot be framed (a bad Content-Length or chunk size)."""


def read_body(rfile, headers, limit: int, cap: int = DRAIN_CAP) -> tuple[bytes | None, bool]:
    """The request's body from `rfile` (RFC 9112 section 6: chunked wins over Content-Length),
    None when it is over `limit` (the bytes are read and dropped), and whether all of it was read
    (False past `cap`: the connection must then close)."""
    kept, total = [], 0

    def take(n: int) -> bool:  # read n bytes, keep them while within the limit
        nonlocal total
        while n > 0:
            chunk = rfile.read(min(n, 64 * 1024))
            if not chunk:
                raise BadRequest("the body ended early")
            total += len(chunk)
            n -= len(chunk)
            if total <= limit:
                kept.append(chunk)
            elif total > cap:
                return False
        return True

    if "chunked" in (headers.get("Transfer-Encoding") or "").lower():
        while True:
            size_line = rfile.readline(1024).split(b";", 1)[0].strip()  # no chunk extensions
            if not size_line or size_line.strip(b"0123456789abcdefABCDEF"):
                raise BadRequest("bad chunk size")
            size = int(size_line, 16)
            if size == 0:
                while rfile.readline(8192).strip():  # trailer fields, then the empty line
                    pass
                break
            if not take(size):
                return None, False
            if rfile.readline(3) != b"\r\n":  # the CRLF after the chunk's data
                raise BadRequest("bad chunk framing")
        done = True
    else:
        declared = (headers.get("Content-Length") or "0").strip()
        if not declared.isdigit():
            raise BadRequest("bad Content-Length")
        length = int(declared)
        if length > cap:  # not a byte of it: the connection closes
            return None, False
        done = take(length)
    return (b"".join(kept) if total <= limit else None), done

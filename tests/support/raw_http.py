"""Raw HTTP/1.1 on a socket, for tests of what a server does with framing no client library
sends: a body a server leaves unread, chunked bodies, targets exactly as written."""

from __future__ import annotations

import http.client
import socket


def raw_exchange(port: int, request: bytes, *, shut: bool = True) -> bytes:
    """Send `request` on one connection and read until the server closes it."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(request)
        if shut:
            conn.shutdown(socket.SHUT_WR)
        received = b""
        while chunk := conn.recv(65536):
            received += chunk
    return received


def responses_in(received: bytes) -> list[tuple[str, dict, bytes]]:
    """(status code, headers, body) of each response on a connection, framed by Content-Length."""
    found = []
    while received:
        head, _, rest = received.partition(b"\r\n\r\n")
        status, *fields = head.decode("latin-1").split("\r\n")
        headers = {k.lower(): v.strip() for k, v in (f.split(":", 1) for f in fields)}
        length = int(headers.get("content-length", 0))
        found.append((status.split()[1], headers, rest[:length]))  # the code: reason phrases vary
        received = rest[length:]
    return found


def get_verbatim(port: int, target: str) -> tuple[int, bytes]:
    """GET `target` exactly as written (requests would normalise `%31` to `1`)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", target)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def chunked(body: bytes, size: int = 65536) -> bytes:
    pieces = [body[i : i + size] for i in range(0, len(body), size)]
    return b"".join(f"{len(p):x}\r\n".encode() + p + b"\r\n" for p in pieces) + b"0\r\n\r\n"

"""A read-only, seekable file over one S3 object, fetched by HTTP Range requests on demand.

Pillow reads headers and decodes images through ordinary `read`/`seek` calls; this lets it read
just the parts of an object it needs, so an object's bytes never pass through the function in
full unless a decoder really needs them all. A 200 MB upload whose image ends early costs a
few small requests, not 200 MB.

Reads that continue where the last window ended double the next window (64 KiB up to 4 MiB), so
decoding a whole image takes few requests; a jump elsewhere starts small again. The first window
(the header) is kept, since decoders go back to it.
"""

from __future__ import annotations

import io

FIRST_WINDOW = 64 * 1024
LARGEST_WINDOW = 4 * 1024 * 1024


class S3RangeReader(io.RawIOBase):
    """`fetch(start, end)` returns bytes start..end inclusive; `size` is the object's length."""

    def __init__(self, fetch, size: int, *, head: bytes = b""):
        self._fetch = fetch
        self._size = size
        self._pos = 0
        self._head = head  # bytes 0..len(head)-1, kept for the reader's life
        self._window_start = 0
        self._window = b""
        self._next_window = FIRST_WINDOW
        self.requests = 0
        self.bytes_fetched = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def readinto(self, buffer) -> int:
        """Fill `buffer` completely unless the object ends first (decoders such as Pillow's
        treat a short read as a truncated file, so reads never stop at a window's edge)."""
        view = memoryview(buffer).cast("B")
        filled = 0
        while filled < len(view) and self._pos < self._size:
            data = self._bytes_at(self._pos, len(view) - filled)
            view[filled : filled + len(data)] = data
            filled += len(data)
            self._pos += len(data)
        return filled

    def _bytes_at(self, pos: int, wanted: int) -> bytes:
        if pos < len(self._head):
            return self._head[pos : pos + wanted]
        end_of_window = self._window_start + len(self._window)
        if not (self._window_start <= pos < end_of_window):
            sequential = pos == end_of_window and self._window
            self._next_window = min(self._next_window * 2, LARGEST_WINDOW) if sequential else FIRST_WINDOW
            last = min(self._size, pos + max(self._next_window, wanted)) - 1
            self._window = self._fetch(pos, last)
            self._window_start = pos
            self.requests += 1
            self.bytes_fetched += len(self._window)
            if pos == 0 and not self._head:
                self._head = self._window
        offset = pos - self._window_start
        return self._window[offset : offset + wanted]

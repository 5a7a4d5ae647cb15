"""The tutorial's kitty: catsite's own cat picture (`static/kitty.png`), always the gallery's last.

It is no upload: it has no record in S3, cannot be deleted, and its URLs are the static asset's.
Everything that shows it (the API, the pages, the archive) takes its facts from here.
"""

from __future__ import annotations

from pathlib import Path

KITTY_ID = "kitty"
#: Its file under `static/`, and its name inside an archive.
KITTY_FILE = "kitty.png"
KITTY_CAPTION = "The tutorial's kitty"
KITTY_TYPE = "image/png"
KITTY_SIZE = 320  # pixels, square
#: A fixed date older than every upload, so it sorts last however it is ordered.
KITTY_CREATED_AT = "2020-01-01T00:00:00.000Z"


def kitty_path(root: Path) -> Path:
    """The kitty's file in the project root `root` (the one holding `static/`)."""
    return root / "static" / KITTY_FILE


def kitty_picture(url: str, root: Path) -> dict:
    """The kitty as the API shows a picture: every URL is its static asset's `url`."""
    side = KITTY_SIZE
    return {
        "id": KITTY_ID,
        "caption": KITTY_CAPTION,
        "content_type": KITTY_TYPE,
        "bytes": kitty_path(root).stat().st_size,
        "width": side,
        "height": side,
        "thumb_width": side,
        "thumb_height": side,
        "display_width": side,
        "display_height": side,
        "created_at": KITTY_CREATED_AT,
        "url": url,
        "thumb_url": url,
        "display_url": url,
    }

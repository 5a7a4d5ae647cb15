"""What every page must stay within. The browser tests and scripts/lighthouse both check it."""

from __future__ import annotations

from urllib.parse import urlsplit

#: Every page a person visits (`/pics/kitty` stands for every picture's page): add a new page
#: here and it is checked for accessibility, budget and Lighthouse scores.
PAGE_PATHS = ("/", "/pics", "/pics/kitty", "/docs")

#: Bytes a page may transfer (document, CSS, JS, favicon, headers included), cat pictures aside.
PAGE_BYTES_BUDGET = 30 * 1024
#: Requests a page may make, cat pictures aside.
PAGE_REQUESTS_BUDGET = 6

#: Lighthouse (mobile preset) scores each page must reach.
LIGHTHOUSE_MINIMUM = {"performance": 0.95, "accessibility": 1.0, "best-practices": 1.0, "seo": 1.0}


def is_cat_picture(url: str, resource_type: str) -> bool:
    """Cat pictures are content, not page weight: every image but the favicon."""
    return resource_type.lower() == "image" and "favicon" not in urlsplit(url).path

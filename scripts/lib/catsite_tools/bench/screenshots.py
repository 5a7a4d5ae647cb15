"""Screenshots of every page at a phone's and a desktop's size, for a reviewer to look at.

Taken by `scripts/lighthouse` (and so by `scripts/bench --only lighthouse`) from the same local
site, right after Lighthouse has measured it, into `bench/screenshots/<page>-<size>.png`.
"""

from __future__ import annotations

from pathlib import Path

#: name -> (width, height) in CSS pixels: a common phone, and a common laptop screen.
SIZES = {"phone": (390, 844), "desktop": (1440, 900)}
CHROMIUM = "/usr/bin/chromium"


def take(site: str, paths, folder: Path, name_of) -> list[Path]:
    """A full-page PNG of each path at each size; returns the files written."""
    from playwright.sync_api import sync_playwright

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            for size, (width, height) in SIZES.items():
                page = browser.new_page(viewport={"width": width, "height": height})
                for path in paths:
                    page.goto(f"{site}{path}", wait_until="networkidle")
                    out = folder / f"{name_of(path)}-{size}.png"
                    page.screenshot(path=str(out), full_page=True)
                    written.append(out)
                page.close()
        finally:
            browser.close()
    return written

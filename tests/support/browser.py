"""Helpers for the Chromium tests that are not fixtures."""

from __future__ import annotations

from playwright.sync_api import Locator, Page

#: The axe-core rules of WCAG 2.0 and 2.1, levels A and AA, that every page is held to.
WCAG_2_A_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def say(page: Page, words: str) -> None:
    """Teach the cat `words` through the home page's form, as a visitor does."""
    page.get_by_label("Teach the cat something new to say").fill(words)
    page.get_by_role("button", name="Say it").click()


def refuse_posts(page: Page, url: str, answer: dict, times: int | None = None) -> list[str]:
    """Answer the page's POSTs to `url` (a glob) with `answer` (Playwright's `route.fulfill`
    arguments), the first `times` of them or all; every other request goes through. Returns the
    URLs refused so far."""
    refused: list[str] = []

    def route(intercepted):
        if intercepted.request.method == "POST" and (times is None or len(refused) < times):
            refused.append(intercepted.request.url)
            intercepted.fulfill(**answer)
        else:
            intercepted.continue_()

    page.route(url, route)
    return refused


def throttle_uploads(page: Page, bytes_per_second: int) -> None:
    """Slow the page's uploads (Chromium's network emulation), so progress can be watched."""
    session = page.context.new_cdp_session(page)
    session.send("Network.enable")
    session.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": bytes_per_second},
    )


def collect_console_errors(page: Page) -> list[str]:
    """What `page` logs as an error or throws from now on (the `console_errors` fixture does this
    for the test's own page)."""
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def decoded_width(image: Locator) -> int:
    """The natural width of an `<img>` once it has loaded and decoded (HTML's `img.decode()`,
    which waits for both), or 0 if it cannot be: reading `complete` at once races the download."""
    return image.evaluate("img => img.decode().then(() => img.naturalWidth, () => 0)")

"""Page quality in real Chromium: accessibility (axe-core), budgets, console, CSP, assets from S3.

Every page of `catsite_tools.bench.page_budgets.PAGE_PATHS` is checked, plus the 404 page for accessibility.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from catsite_tools.bench.page_budgets import (
    PAGE_BYTES_BUDGET,
    PAGE_PATHS,
    PAGE_REQUESTS_BUDGET,
    is_cat_picture,
)
from tests.support.browser import WCAG_2_A_AA, say

pytestmark = pytest.mark.browser

NOT_FOUND = "/no/such/page"


@pytest.fixture(params=["flask-static", "static-from-s3"])
def site(request):
    """The site with Flask serving /static, and as deployed, with assets from S3."""
    fixture = "live_server" if request.param == "flask-static" else "live_server_static_from_s3"
    return request.getfixturevalue(fixture)


class Watch:
    """What a page load did: console errors, CSP violations, every request."""

    def __init__(self, page: Page):
        self.errors: list[str] = []
        self.requests = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("requestfinished", lambda r: self.requests.append(r))
        page.on("requestfailed", lambda r: self.errors.append(f"failed: {r.url} {r.failure}"))
        page.add_init_script(
            "window.__csp = [];"
            "document.addEventListener('securitypolicyviolation',"
            " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
        )

    @staticmethod
    def csp_violations(page: Page) -> list[str]:
        return page.evaluate("window.__csp")


@pytest.mark.parametrize("path", [*PAGE_PATHS, NOT_FOUND])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_wcag_2_a_or_aa_violation(page: Page, live_server, path, scheme):
    page.emulate_media(color_scheme=scheme)
    answer = page.goto(f"{live_server}{path}")
    assert answer.status == (404 if path == NOT_FOUND else 200)
    results = Axe().run(page, options=WCAG_2_A_AA)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("path", PAGE_PATHS)
def test_every_page_keeps_its_budget_and_breaks_nothing(page: Page, site, path):
    watch = Watch(page)
    page.goto(f"{site}{path}")
    page.wait_for_load_state("networkidle")
    weight, count = 0, 0
    for request in watch.requests:
        response = request.response()
        assert response.status < 400, f"broken: {request.url} {response.status}"
        if not is_cat_picture(request.url, request.resource_type):
            sizes = request.sizes()
            weight += sizes["responseBodySize"] + sizes["responseHeadersSize"]
            count += 1
    assert 0 < weight <= PAGE_BYTES_BUDGET, f"{path} transferred {weight} bytes"
    assert count <= PAGE_REQUESTS_BUDGET, [r.url for r in watch.requests]
    assert watch.errors == []
    assert Watch.csp_violations(page) == []
    # The stylesheet arrived and applies (the skip link is moved off screen by it).
    assert page.locator(".skip").evaluate("e => getComputedStyle(e).position") == "absolute"


def test_assets_come_from_s3_and_the_page_script_runs_there(page: Page, live_server_static_from_s3):
    watch = Watch(page)
    page.goto(f"{live_server_static_from_s3}/")
    assets = [r.url for r in watch.requests if r.resource_type in ("stylesheet", "script", "image")]
    assert assets
    assert all("/static/" in url and not url.startswith(live_server_static_from_s3) for url in assets)
    say(page, "from a hashed module")
    expect(page.locator("#says")).to_have_text("from a hashed module")
    assert watch.errors == [] and Watch.csp_violations(page) == []


def test_a_csp_violation_would_be_noticed(page: Page, live_server):
    watch = Watch(page)
    page.goto(f"{live_server}/")
    page.evaluate("() => document.body.append(Object.assign(document.createElement('script'), {text: '1'}))")
    page.wait_for_function("window.__csp.length > 0")
    # The violation as CSP 3 reports it (SecurityPolicyViolationEvent.violatedDirective) ...
    assert Watch.csp_violations(page)[0].startswith("script-src")
    # ... and as the console errors every page test watches for (the page did nothing else).
    assert watch.errors


@pytest.mark.parametrize("path", PAGE_PATHS)
def test_pages_fit_a_small_phone_and_show_focus(browser, live_server, path):
    context = browser.new_context(viewport={"width": 320, "height": 640}, reduced_motion="reduce")
    try:
        page = context.new_page()
        page.goto(f"{live_server}{path}")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.keyboard.press("Tab")
        focused = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert focused != "none"
    finally:
        context.close()

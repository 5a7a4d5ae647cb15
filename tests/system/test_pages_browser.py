"""The picture page, the even gallery, the reference's tables and the small things, in real
Chromium at a phone's and a desktop's size."""

from __future__ import annotations

import base64
import io
import re

import pytest
import requests
from PIL import Image
from playwright.sync_api import Page, expect

from tests.support.browser import collect_console_errors, decoded_width, throttle_uploads
from tests.support.pictures import (
    LiveSite,
    error_texts,
    image_bytes,
    noisy_png,
    refused_registration,
    upload_and_register,
)

pytestmark = pytest.mark.browser

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
ONE_DAY = 86_400
FILE_LABEL = "Picture: PNG, JPEG, GIF or WebP"


@pytest.fixture(params=list(VIEWPORTS))
def screen(request, browser):
    """A page at a phone's or a desktop's size (its name in `page.screen_name`)."""
    context = browser.new_context(viewport=VIEWPORTS[request.param])
    page = context.new_page()
    page.screen_name = request.param
    yield page
    context.close()


def test_the_picture_page_from_the_gallery(screen: Page, live_server):
    record = upload_and_register(
        LiveSite(live_server), image_bytes("JPEG", (2400, 1600)), "Mittens on the sofa", "image/jpeg", "m.jpg"
    )
    errors = collect_console_errors(screen)
    screen.goto(f"{live_server}/pics")
    screen.get_by_role("link", name="Mittens on the sofa").click()
    expect(screen).to_have_url(f"{live_server}/pics/{record['id']}")
    expect(screen.get_by_role("heading", level=1)).to_have_text("Mittens on the sofa")
    image = screen.locator("figure.picture img")
    expect(image).to_have_attribute("src", record["display_url"])
    assert decoded_width(image) == 1600
    assert screen.locator("time").get_attribute("datetime") == record["created_at"]
    # One of its facts is the original's size in pixels, however it is worded.
    facts = [set(re.findall(r"\d+", text)) for text in screen.locator(".facts dd").all_inner_texts()]
    assert any({"2400", "1600"} <= numbers for numbers in facts), facts
    box = image.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= VIEWPORTS[screen.screen_name]["width"]
    assert screen.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    original = screen.get_by_role("link", name="Open the original file").get_attribute("href")
    assert requests.get(original, timeout=10).content[:3] == b"\xff\xd8\xff"
    screen.get_by_role("link", name="Back to the gallery").click()
    expect(screen).to_have_url(f"{live_server}/pics")
    assert errors == []


def test_a_thumbnail_has_the_same_url_on_two_visits_and_is_cached(page: Page, live_server):
    upload_and_register(LiveSite(live_server), image_bytes("PNG", (800, 600)), "Same every time")
    seen = []
    page.on("response", lambda r: seen.append(r) if "/pics/public/" in r.url else None)
    page.goto(f"{live_server}/pics")
    page.wait_for_load_state("networkidle")
    first = page.locator("#gallery img").first.get_attribute("src")
    page.goto(f"{live_server}/pics/kitty")
    page.goto(f"{live_server}/pics")
    page.wait_for_load_state("networkidle")
    assert page.locator("#gallery img").first.get_attribute("src") == first
    fetched = next(r for r in seen if r.url == first)
    cache_control = fetched.headers["cache-control"]
    assert int(re.search(r"max-age=(\d+)", cache_control)[1]) >= ONE_DAY
    assert "immutable" in cache_control


def test_gallery_rows_are_one_height_and_desktop_uses_three_or_more_columns(screen: Page, live_server):
    shapes = [(1600, 400), (400, 1600), (900, 900), (1200, 800), (500, 700), (1000, 300), (640, 480)]
    captions = ["", "A very long caption about a cat who sat on a very long keyboard all afternoon", "Short"]
    for number, size in enumerate(shapes):
        upload_and_register(
            LiveSite(live_server), image_bytes("PNG", size, (number * 30, 90, 120)), captions[number % 3]
        )
    screen.add_init_script(
        "window.__shift = 0; new PerformanceObserver(list => { for (const e of list.getEntries())"
        " if (!e.hadRecentInput) window.__shift += e.value; })"
        ".observe({type: 'layout-shift', buffered: true});"
    )
    screen.goto(f"{live_server}/pics")
    screen.wait_for_load_state("networkidle")
    tiles = screen.locator("#gallery > li").evaluate_all(
        "items => items.map(li => { const r = li.getBoundingClientRect();"
        " return [r.top, r.height, r.width]; })"
    )
    assert len(tiles) == len(shapes) + 1  # and the kitty
    rows: dict[int, list[float]] = {}
    for top, height, _ in tiles:
        rows.setdefault(round(top), []).append(height)
    heights = {round(h) for row in rows.values() for h in row}
    assert len(heights) == 1, rows  # every tile, in every row, one height
    columns = max(len(row) for row in rows.values())
    if screen.screen_name == "desktop":
        assert columns >= 3
        width = screen.locator("#gallery").evaluate("g => g.getBoundingClientRect().width")
        assert width >= 0.75 * VIEWPORTS["desktop"]["width"]
    else:
        assert columns >= 2
    captions_shown = screen.locator("#gallery figcaption").all_inner_texts()
    assert all(text.strip() for text in captions_shown)
    assert "Untitled" in captions_shown
    assert screen.evaluate("window.__shift") < 0.01


#: Every word of every cell; a word whose text has line boxes on more than one line was split.
SPLIT_WORDS = """() => {
  const split = [];
  for (const cell of document.querySelectorAll('td, th')) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.data.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const boxes = [...range.getClientRects()].filter(r => r.width > 0);
        const lines = new Set(boxes.map(r => Math.round(r.top)));
        if (lines.size > 1) split.push(match[0]);
      }
    }
  }
  return split;
}"""


@pytest.mark.parametrize("width", [320, 390, 768, 1280, 1920])
def test_no_word_is_split_inside_a_reference_table_cell(browser, live_server, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{live_server}/docs")
        assert page.locator("td").count() > 50
        split = page.evaluate(SPLIT_WORDS)
        assert split == [], "; ".join(split)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        context.close()


def test_after_a_refused_file_the_progress_bar_is_gone(screen: Page, live_server, tmp_path):
    fake = tmp_path / "cat.png"
    fake.write_text("I am text pretending to be a cat")
    screen.goto(f"{live_server}/pics")
    screen.get_by_label(FILE_LABEL).set_input_files(str(fake))
    screen.get_by_role("button", name="Upload", exact=True).click()
    for text in error_texts(refused_registration(LiveSite(live_server), fake.read_bytes())):
        expect(screen.locator("#upload-error")).to_contain_text(text)  # the site's own words
    expect(screen.locator("#upload-progress-box")).to_be_hidden()
    assert screen.locator("#upload-progress").evaluate("bar => bar.value") == 0
    expect(screen.locator("#upload-status")).to_have_text("")


def test_a_picture_named_as_another_type_is_explained_plainly(page: Page, live_server, tmp_path):
    misnamed = tmp_path / "cat.jpg"  # the browser declares image/jpeg from the name
    misnamed.write_bytes(image_bytes("PNG", (64, 64)))
    page.goto(f"{live_server}/pics")
    page.get_by_label(FILE_LABEL).set_input_files(str(misnamed))
    page.get_by_role("button", name="Upload", exact=True).click()
    # The site's own words for a PNG sent as a JPEG (asked here of the site with the same file).
    said = refused_registration(LiveSite(live_server), misnamed.read_bytes(), "image/jpeg", "cat.jpg")
    for text in error_texts(said):
        expect(page.locator("#upload-error")).to_contain_text(text)
    expect(page.locator("#upload-progress-box")).to_be_hidden()


def test_an_upload_in_flight_can_be_cancelled(page: Page, live_server, tmp_path):
    big = tmp_path / "big.png"
    big.write_bytes(noisy_png(3))
    page.goto(f"{live_server}/pics")
    throttle_uploads(page, 300_000)
    page.get_by_label(FILE_LABEL).set_input_files(str(big))
    page.get_by_role("button", name="Upload", exact=True).click()
    cancel = page.get_by_role("button", name="Cancel upload")
    expect(cancel).to_be_visible()
    expect(page.locator("#upload-status")).to_contain_text("%")
    cancel.click()
    # Told as status, not as an error (the visitor's choice), and nothing was added.
    expect(page.locator("#upload-status")).not_to_be_empty()
    expect(page.locator("#upload-status")).not_to_contain_text("%")
    expect(page.locator("#upload-error")).to_have_text("")
    expect(cancel).to_be_hidden()
    expect(page.locator("#upload-progress-box")).to_be_hidden()
    expect(page.locator("#gallery img")).to_have_count(1)


def test_a_picture_dropped_on_the_upload_area_is_uploaded(page: Page, live_server):
    out = io.BytesIO()
    Image.new("RGB", (120, 90), (10, 140, 200)).save(out, "PNG")
    page.goto(f"{live_server}/pics")
    page.evaluate(
        """data => {
          const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
          const files = new DataTransfer();
          files.items.add(new File([bytes], 'dropped.png', {type: 'image/png'}));
          const zone = document.getElementById('upload-drop');
          const init = {dataTransfer: files, bubbles: true, cancelable: true};
          zone.dispatchEvent(new DragEvent('dragover', init));
          zone.dispatchEvent(new DragEvent('drop', init));
        }""",
        base64.b64encode(out.getvalue()).decode(),
    )
    expect(page.locator("#upload-status")).to_contain_text("dropped.png")  # it names the dropped file
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.locator("#gallery img")).to_have_count(2, timeout=30_000)
    expect(page.locator("#gallery figcaption").first).to_have_class(re.compile(r"\buntitled\b"))


def test_the_archive_downloads_as_catsite_pictures_and_the_date(page: Page, live_server):
    upload_and_register(LiveSite(live_server), image_bytes("PNG", (64, 64)))
    page.goto(f"{live_server}/pics")
    page.get_by_role("button", name="Download all pictures").click()
    link = page.locator("#archive-link")
    expect(link).to_be_visible(timeout=60_000)
    with page.expect_download() as download:
        link.click()
    assert re.fullmatch(r"catsite-pictures-\d{4}-\d{2}-\d{2}\.zip", download.value.suggested_filename)


@pytest.mark.parametrize(("path", "current"), [("/", "/"), ("/pics", "/pics"), ("/docs", "/docs")])
def test_the_current_page_is_marked_in_the_navigation(page: Page, live_server, path, current):
    page.goto(f"{live_server}{path}")
    marked = page.locator('nav[aria-label="Main"] a[aria-current="page"]')
    expect(marked).to_have_count(1)
    expect(marked).to_have_attribute("href", current)


def test_picture_pages_and_paging_work_without_javascript(browser, live_server):
    for number in range(3):
        upload_and_register(
            LiveSite(live_server), image_bytes("PNG", (64, 64), (number, 0, 0)), f"Cat {number}"
        )
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{live_server}/pics?limit=2")
        expect(page.locator("#gallery figcaption")).to_have_text(["Cat 2", "Cat 1"])
        expect(page.get_by_role("link", name="Newer pictures")).to_have_count(0)
        page.get_by_role("link", name="Older pictures").click()
        expect(page.locator("#gallery figcaption")).to_have_text(["Cat 0", "The tutorial's kitty"])
        page.get_by_role("link", name="Newer pictures").click()
        expect(page.locator("#gallery figcaption")).to_have_text(["Cat 2", "Cat 1"])
        page.get_by_role("link", name="Cat 2").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Cat 2")
    finally:
        context.close()


def test_the_picture_page_works_behind_the_stage_prefix(page: Page, lambda_door):
    errors = collect_console_errors(page)
    page.goto(f"{lambda_door}/pics")
    page.get_by_role("link", name="The tutorial's kitty").click()
    expect(page).to_have_url(f"{lambda_door}/pics/kitty")
    assert decoded_width(page.locator("figure.picture img")) > 0
    page.get_by_role("link", name="Back to the gallery").click()
    expect(page).to_have_url(f"{lambda_door}/pics")
    assert errors == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_filled_gallery_and_a_picture_page_have_no_wcag_violation(page: Page, live_server, scheme):
    from axe_playwright_python.sync_playwright import Axe

    from tests.support.browser import WCAG_2_A_AA

    upload_and_register(LiveSite(live_server), image_bytes("PNG", (300, 200)))  # untitled: the quiet fallback
    record = upload_and_register(
        LiveSite(live_server), image_bytes("PNG", (200, 300), (20, 20, 20)), "A dark cat"
    )
    page.emulate_media(color_scheme=scheme)
    for path in ("/pics", f"/pics/{record['id']}"):
        page.goto(f"{live_server}{path}")
        page.wait_for_load_state("networkidle")
        results = Axe().run(page, options=WCAG_2_A_AA)
        assert results.violations_count == 0, f"{path}: {results.generate_report()}"


@pytest.mark.parametrize("path", ["/", "/pics", "/pics/kitty"])
def test_header_and_footer_line_up_with_the_content(screen: Page, live_server, path):
    # one column edge per page: the site's name, the content and the footer start at one x and
    # end at one x, whether the page is a narrow text column or the wide gallery
    screen.goto(f"{live_server}{path}")
    boxes = [screen.locator(selector).bounding_box() for selector in ("header.top", "main", "footer.bottom")]
    lefts = {round(box["x"]) for box in boxes}
    rights = {round(box["x"] + box["width"]) for box in boxes}
    assert len(lefts) == 1 and len(rights) == 1, boxes

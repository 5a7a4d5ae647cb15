"""The home page in real Chromium, against the site served in its own process."""

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.support.browser import refuse_posts, say

pytestmark = pytest.mark.browser


def test_changing_what_the_cat_says_updates_the_page_without_a_reload(
    page: Page, live_server, console_errors
):
    errors = console_errors
    page.goto(f"{live_server}/")
    expect(page.locator("#says")).to_have_text("meow")
    page.evaluate("window.__sameDocument = true")  # lost if the page reloads

    with page.expect_response(lambda r: r.url.endswith("/cat") and r.request.method == "POST") as posted:
        say(page, "the browser says hi")
    assert posted.value.status == 200

    expect(page.locator("#says")).to_have_text("the browser says hi")
    assert page.evaluate("window.__sameDocument") is True
    page.reload()
    expect(page.locator("#says")).to_have_text("the browser says hi")
    assert errors == []


def test_a_refused_text_is_explained_and_nothing_changes(page: Page, live_server):
    refused = "purr\u202egnp.exe"
    page.goto(f"{live_server}/")
    say(page, refused)
    # The page explains with the API's own words for the field (asked here of the API itself).
    said = requests.post(f"{live_server}/cat", json={"says": refused}, timeout=10).json()["errors"]["says"]
    for text in said:
        expect(page.locator("#say-error")).to_contain_text(text)
    expect(page.locator("#says")).to_have_text("meow")


def test_the_form_works_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{live_server}/")
        say(page, "no script at all")
        page.wait_for_url(f"{live_server}/")
        expect(page.locator("#says")).to_have_text("no script at all")
    finally:
        context.close()


def test_the_home_page_works_behind_the_stage_prefix_of_a_lambda_door(
    page: Page, lambda_door, console_errors
):
    errors = console_errors
    page.goto(f"{lambda_door}/")
    expect(page.locator("#says")).to_have_text("meow")
    with page.expect_response(lambda r: r.url.endswith("/dev/cat") and r.request.method == "POST") as posted:
        say(page, "through the door")
    assert posted.value.status == 200
    expect(page.locator("#says")).to_have_text("through the door")
    page.reload()
    expect(page.locator("#says")).to_have_text("through the door")
    assert errors == []


#: API Gateway's own answer when a stage throttle refuses a request (API Gateway developer guide,
#: "Gateway response types": THROTTLED is 429 with this body), before the function runs.
THROTTLED = {"status": 429, "content_type": "application/json", "body": '{"message":"Too Many Requests"}'}


def test_a_throttled_set_is_retried_with_backoff_and_lands(page: Page, live_server):
    refused = refuse_posts(page, "**/cat", THROTTLED, times=2)
    page.goto(f"{live_server}/")
    say(page, "after the burst")
    expect(page.locator("#says")).to_have_text("after the burst", timeout=15_000)
    assert len(refused) == 2
    expect(page.locator("#say-error")).to_have_text("")


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (THROTTLED, "too many requests"),
        ({"status": 503, "body": "<html>Service Unavailable</html>"}, "unavailable"),
    ],
)
def test_a_site_that_stays_busy_is_explained_after_a_few_tries(page: Page, live_server, answer, words):
    tries = refuse_posts(page, "**/cat", answer)
    page.goto(f"{live_server}/")
    say(page, "never lands")
    expect(page.locator("#say-error")).to_contain_text(words, ignore_case=True, timeout=30_000)
    assert len(tries) == 4, "the first try and three more"
    expect(page.locator("#says")).to_have_text("meow")

"""Pages: server-rendered HTML, a form that works without JavaScript, HTML error pages."""

from catsite.app import create_app
from tests.support.api_errors import LEAKS
from tests.support.html import assert_error_page, described_by, document, parse


def test_home_shows_what_the_cat_says(client):
    client.post("/cat", json={"says": "feed me"})
    says = document(client.get("/").get_data(as_text=True)).by_id("says")
    assert says.text() == "feed me"
    assert says.attrs["aria-live"] == "polite"  # the page's script changes it; readers hear it


def test_home_escapes_what_the_cat_says(client):
    client.post("/cat", json={"says": "<script>alert(1)</script>"})
    html = client.get("/").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    page = document(html)
    assert page.by_id("says").text() == "<script>alert(1)</script>"  # shown as text, not markup
    assert page.by_id("says").find_all("script") == []


def test_form_points_at_the_page_and_the_api_by_url_for(client):
    tags = parse(client.get("/").get_data(as_text=True))
    form = next(attrs for tag, attrs in tags if tag == "form")
    assert form["action"] == "/"
    assert form["method"] == "post"
    assert form["data-api"] == "/cat"
    assert next(attrs for tag, attrs in tags if tag == "html")["lang"] == "en"


def test_form_without_javascript_posts_and_redirects_back(client):
    response = client.post("/", data={"says": "no js needed"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert client.get("/cat").get_json()["says"] == "no js needed"


def test_form_without_javascript_explains_a_refusal_and_changes_nothing(client, bucket_state):
    before = bucket_state()
    response = client.post("/", data={"says": "   "})
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    page = document(response.get_data(as_text=True))
    field = page.find("input", name="says")
    alerts = [e for e in described_by(page, field) if e.attrs.get("role") == "alert"]
    assert alerts and all(alert.text() for alert in alerts), "the refusal is tied to the field"
    assert bucket_state() == before


def test_unknown_page_is_an_html_404(client):
    response = client.get("/no/such/page", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert_error_page(response.get_data(as_text=True))


def test_page_error_is_an_html_500_without_details(settings):
    app = create_app(settings)

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/boom", headers={"Accept": "text/html"})
    assert response.status_code == 500
    assert response.mimetype == "text/html"
    text = response.get_data(as_text=True)
    assert_error_page(text, LEAKS)
    assert "secret internals" not in text


def test_page_shows_a_friendly_503_when_s3_is_down(bucket):
    from catsite_tools.local.s3 import free_port

    app = create_app({"CATSITE_BUCKET": bucket, "AWS_ENDPOINT_URL_S3": f"http://127.0.0.1:{free_port()}"})
    response = app.test_client().get("/", headers={"Accept": "text/html"})
    assert response.status_code == 503
    assert response.mimetype == "text/html"
    assert_error_page(response.get_data(as_text=True), LEAKS)


def test_static_files_cannot_escape_the_static_folder(client):
    for path in (
        "/static/../site/settings.py",
        "/static/%2e%2e/pyproject.toml",
        "/static/..%2Fzappa_settings.json",
    ):
        assert client.get(path).status_code == 404

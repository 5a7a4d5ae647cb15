"""`/docs` reads well: code as code, singular counts, and examples the schemas themselves accept."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest

from catsite.api import openapi
from catsite.api.examples import operation_examples
from catsite.web.context import current_settings
from tests.support.html import parse


@pytest.mark.parametrize("operation", openapi.OPERATIONS, ids=lambda o: f"{o.method} {o.path}")
def test_every_example_is_one_the_schemas_accept(app, operation):
    with app.app_context():  # the document of this app's stage
        document = openapi.document()
    described = document["paths"][operation.path][operation.method]
    example = operation_examples(document)[described["operationId"]]
    request_line = example["request"].splitlines()[0]
    method, target = request_line.split(" ", 1)
    assert method == operation.method.upper()
    assert re.fullmatch(re.sub(r"\\{\w+\\}", "[^/?]+", re.escape(operation.path)) + r"(\?.*)?", target)
    if operation.body:
        body = json.loads(example["request"].split("\n\n", 1)[1])
        # The examples name the bucket `catsite-dev`: validate as that stage would, with its limits.
        stage = dataclasses.replace(current_settings(app), bucket="catsite-dev")
        schema = operation.body.for_stage(stage) if hasattr(operation.body, "for_stage") else operation.body()
        assert schema.validate(body) == {}, body
    else:
        assert "\n\n" not in example["request"]
    assert example["status"] == str(operation.status)
    if operation.ok:
        answer = json.loads(example["answer"])
        assert operation.ok().validate(answer) == {}, answer
        if "code" in operation.ok().fields:
            assert answer["code"] == operation.status  # the status, repeated


def test_the_docs_page_shows_each_operations_example_request_and_answer(client):
    html = client.get("/docs").get_data(as_text=True)
    assert html.count("Example request") == len(openapi.OPERATIONS)
    assert html.count("Example answer") == len(openapi.OPERATIONS)
    assert "POST /cat\nAccept: application/json\nContent-Type: application/json\n\n{" in html


def test_inline_code_is_code_and_counts_of_one_are_singular(client):
    html = client.get("/docs").get_data(as_text=True)
    text = re.sub(r"<pre.*?</pre>", "", html, flags=re.S)
    assert "`" not in text
    assert "<code>limit</code>" in text and "<code>cursor</code>" in text
    assert not re.search(r"\b1 characters\b", text)


def test_reference_tables_scroll_in_a_labelled_focusable_region(client):
    tags = parse(client.get("/docs").get_data(as_text=True))
    regions = [a for tag, a in tags if tag == "div" and a.get("class") == "table-scroll"]
    assert len(regions) == sum(1 for tag, _ in tags if tag == "table")
    assert all(r["role"] == "region" and r["tabindex"] == "0" and r["aria-label"] for r in regions)


@pytest.mark.parametrize(
    ("path", "current"), [("/", "/"), ("/pics", "/pics"), ("/docs", "/docs"), ("/pics/kitty", None)]
)
def test_the_navigation_marks_the_current_page(client, path, current):
    tags = parse(client.get(path).get_data(as_text=True))
    marked = [a["href"] for tag, a in tags if tag == "a" and a.get("aria-current") == "page"]
    assert marked == ([current] if current else [])

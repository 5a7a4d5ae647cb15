"""`/docs` reads well: code as code, singular counts, and examples the schemas themselves accept."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest

from catsite.api import openapi
from catsite.api.examples import operation_examples
from catsite.web.context import current_settings
from tests.support.html import document, parse


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


def test_the_docs_page_shows_each_operations_example_request_and_answer(app, client):
    with app.app_context():
        examples = operation_examples(openapi.document())
    assert len(examples) == len(openapi.OPERATIONS)
    page = document(client.get("/docs").get_data(as_text=True))
    for operation_id, example in examples.items():
        shown = [pre.raw_text() for pre in page.by_id(operation_id).find_all("pre")]
        assert shown == [example["request"], example["answer"]], operation_id
        # An HTTP request as RFC 9112 writes one: a request line, header fields, and the body
        # after an empty line, declared JSON (RFC 9110 section 8.3).
        head, _, body = example["request"].partition("\n\n")
        fields = {}
        for line in head.split("\n")[1:]:
            name, colon, value = line.partition(":")
            assert colon and name == name.strip(), line
            fields[name.lower()] = value.strip()
        assert fields["accept"] == "application/json"
        if body:
            assert fields["content-type"] == "application/json"
            json.loads(body)


def test_inline_code_is_code_and_counts_of_one_are_singular(client):
    page = document(client.get("/docs").get_data(as_text=True))
    for pre in page.find_all("pre"):
        pre.children.clear()  # examples are code already
    assert "`" not in page.text()
    assert {"limit", "cursor"} <= {code.text() for code in page.find_all("code")}
    assert not re.search(r"\b1 characters\b", page.text())


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

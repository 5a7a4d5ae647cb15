"""The OpenAPI document: valid, complete, true to what the API answers; and the /docs page."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate

from catsite.web.context import current_settings
from tests.support.html import document as html_document
from tests.support.html import parse
from tests.support.processes import run_fresh_python

IGNORED_METHODS = {"HEAD", "OPTIONS"}


@pytest.fixture
def document(client) -> dict:
    answer = client.get("/openapi.json")
    assert answer.status_code == 200
    assert answer.mimetype == "application/json"
    return answer.get_json()


def openapi_path(rule: str) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule)


def test_the_document_is_valid_openapi_3(document):
    assert document["openapi"].startswith("3.")
    validate(document)


def test_every_route_of_the_api_is_in_the_document(app, document):
    routes = {
        (openapi_path(rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
        for method in rule.methods - IGNORED_METHODS
    }
    documented = {(path, method) for path, ops in document["paths"].items() for method in ops}
    assert routes, "the API has routes"
    assert routes - documented == set(), "routes missing from the document"
    assert documented - routes == set(), "documented operations the app does not have"


def test_every_operation_documents_its_errors_with_the_shared_error_schema(document):
    for path, ops in document["paths"].items():
        for method, op in ops.items():
            errors = {status: r for status, r in op["responses"].items() if int(status) >= 400}
            assert "500" in errors, f"{method} {path}"
            # the stage throttle's 429 is API Gateway's own answer (API Gateway developer guide,
            # "Gateway response types", THROTTLED), not the site's Error shape
            throttled = errors.pop("429")["content"]["application/json"]["schema"]
            either = {
                "anyOf": [{"$ref": "#/components/schemas/Error"}, {"$ref": "#/components/schemas/Throttled"}]
            }
            assert throttled in ({"$ref": "#/components/schemas/Throttled"}, either), f"{method} {path}"
            for response in errors.values():
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Error"}, f"{method} {path}"
    post_cat = document["paths"]["/cat"]["post"]
    assert {"400", "413", "415"} <= set(post_cat["responses"])
    body = post_cat["requestBody"]["content"]["application/json"]["schema"]
    says = document["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]["properties"]["says"]
    assert says["maxLength"] == 280  # from the schema the API validates with


def check_against_document(document, method, path, answer):
    """The answer's body matches the schema the document gives for its status."""
    responses = document["paths"][path][method]["responses"]
    status = str(answer.status_code)
    assert status in responses, f"{method} {path} answered an undocumented {status}"
    schema = responses[str(answer.status_code)]["content"]["application/json"]["schema"]
    OAS30Validator({**schema, "components": document["components"]}).validate(answer.get_json())


def test_what_the_api_answers_matches_the_document(client, document):
    check_against_document(document, "get", "/cat", client.get("/cat"))
    check_against_document(document, "post", "/cat", client.post("/cat", json={"says": "purr"}))
    check_against_document(document, "post", "/cat", client.post("/cat", json={"says": ""}))
    check_against_document(document, "post", "/cat", client.post("/cat", data="x", content_type="text/plain"))
    check_against_document(document, "get", "/cat/pics", client.get("/cat/pics"))
    check_against_document(document, "get", "/healthz", client.get("/healthz"))


def test_a_wrong_answer_would_be_caught(document):
    class Fake:
        status_code = 200

        @staticmethod
        def get_json():
            return {"says": 7, "code": 200}

    with pytest.raises(jsonschema.ValidationError) as wrong:
        check_against_document(document, "get", "/cat", Fake)
    # The schema's own verdict, read from the error's fields: `says` breaks its `type`.
    assert (wrong.value.validator, list(wrong.value.absolute_path)) == ("type", ["says"])


def test_the_document_names_the_front_doors_prefix_as_its_server(client):
    assert client.get("/openapi.json").get_json()["servers"] == [{"url": "/"}]
    behind_stage = client.get("/openapi.json", base_url="https://abc.execute-api.us-east-1.amazonaws.com/dev")
    assert behind_stage.get_json()["servers"] == [{"url": "/dev"}]


def test_a_wrong_method_on_the_document_is_a_json_405(client):
    answer = client.post("/openapi.json", json={})
    assert answer.status_code == 405
    assert answer.get_json()["code"] == 405


def test_apispec_is_loaded_only_when_the_document_is_asked_for(settings):
    script = """
import sys
from catsite.app import create_app
client = create_app().test_client()
assert client.get("/healthz").status_code == 200
assert client.get("/cat").status_code == 200
assert client.get("/").status_code == 200
before = sorted(m for m in sys.modules if m.startswith(("apispec", "catsite.api.openapi")))
assert client.get("/openapi.json").status_code == 200
after = sorted(m for m in sys.modules if m.startswith(("apispec", "catsite.api.openapi")))
print(before, after)
"""
    before, after = run_fresh_python(script, settings).split("] [")
    assert before == "["
    assert "apispec" in after and "catsite.api.openapi" in after


def test_the_docs_page_renders_every_operation_and_field(client, document):
    answer = client.get("/docs")
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    page = html_document(html)
    headings = {heading.text() for heading in page.find_all("h2")}
    for path, ops in document["paths"].items():
        for method in ops:
            assert f"{method.upper()} {path}" in headings
    for name, schema in document["components"]["schemas"].items():
        section = page.by_id(f"schema-{name}")  # the target of the links to it
        shown = {code.text() for code in section.find_all("code")}
        assert set(schema.get("properties", {})) <= shown, name
    links = [attrs["href"] for tag, attrs in parse(html) if tag == "a"]
    anchors = {href[1:] for href in links if href.startswith("#")}
    ids = {attrs["id"] for _, attrs in parse(html) if "id" in attrs}
    assert anchors <= ids, "every in-page link has a target"
    assert ("a", {"href": "/openapi.json"}) in parse(html)
    assert json.loads(client.get("/openapi.json").data)  # the link's target is JSON


def test_no_two_routes_match_one_path(client):
    # RFC 9110 section 9.3.7: OPTIONS answers what the target resource allows, and Allow lists
    # exactly the documented methods (the implicit HEAD and OPTIONS aside).
    answer = client.options("/cat/pics/archive")
    assert set(answer.headers["Allow"].split(", ")) - {"HEAD", "OPTIONS"} == {"POST"}
    assert client.get("/cat/pics/archive").status_code == 405


def test_path_parameters_state_the_pattern_their_route_matches(app, document):
    import jsonschema_rs

    for rule in app.url_map.iter_rules():
        for name, converter in rule._converters.items():
            if not rule.endpoint.startswith("api."):
                continue
            params = document["paths"][openapi_path(rule.rule)]
            for op in params.values():
                (schema,) = [p["schema"] for p in op["parameters"] if p["in"] == "path" and p["name"] == name]
                assert schema["pattern"] == f"^(?:{converter.regex[3:-1]})$"
                check = jsonschema_rs.validator_for(schema)
                assert check.is_valid("kitty" if name == "picture_id" else "0" * 32)
                assert not check.is_valid("archive")


def test_the_stages_limits_are_in_the_document(app, document, settings):
    components = document["components"]["schemas"]
    upload = components["UploadRequest"]["properties"]
    assert upload["bytes"]["minimum"] == 1
    assert upload["bytes"]["maximum"] == current_settings(app).max_upload_bytes
    location = components["RegisterPicture"]["properties"]["location"]["pattern"]
    import jsonschema_rs

    check = jsonschema_rs.validator_for({"type": "string", "pattern": location})
    assert check.is_valid(f"s3://{settings['CATSITE_BUCKET']}/uploads/{'a' * 32}/cat.png")
    assert not check.is_valid(f"s3://other-bucket/uploads/{'a' * 32}/cat.png")
    assert not check.is_valid(f"s3://{settings['CATSITE_BUCKET']}/state/cat.json")
    cursor = [p for p in document["paths"]["/cat/pics"]["get"]["parameters"] if p["name"] == "cursor"][0]
    assert "pattern" in cursor["schema"]


def test_every_operation_lists_the_stage_throttle_s_429_and_its_body_fits(document):
    """API Gateway's THROTTLED answer is 429 `{"message": "Too Many Requests"}` (API Gateway
    developer guide, "Gateway response types"); the document says so for every operation."""
    operations = [op for ops in document["paths"].values() for op in ops.values()]
    assert all("429" in op["responses"] for op in operations)
    schema = document["components"]["schemas"]["Throttled"]
    OAS30Validator(schema).validate({"message": "Too Many Requests"})
    assert not OAS30Validator(schema).is_valid({})


def test_the_document_states_the_text_rules_no_pattern_can(client):
    """The stacked-marks and tag-character rules name code points above U+FFFF or count, which no
    one JSON Schema pattern says in every dialect: each text field's description states them."""
    from catsite.api.text import MAX_COMBINING

    schemas = client.get("/openapi.json").get_json()["components"]["schemas"]
    for schema, field in (("CatSays", "says"), ("RegisterPicture", "caption"), ("UploadRequest", "filename")):
        description = schemas[schema]["properties"][field]["description"]
        assert "U+E0000" in description and "U+E007F" in description, (schema, field)
        assert f"{MAX_COMBINING} combining marks" in description, (schema, field)

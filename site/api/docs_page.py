"""The OpenAPI document arranged for the `/docs` page: its operations, its schemas with their
rules in words, and an example request and answer for each operation (`catsite.api.examples`).
Everything comes from the document, so the page cannot drift from `/openapi.json`."""

from __future__ import annotations

from catsite.api import openapi
from catsite.api.examples import operation_examples


def reference() -> dict:
    """The document arranged for the `/docs` page: operations and schemas, $refs resolved to names."""
    doc = openapi.document()

    def name(schema: dict) -> str | None:
        return schema["$ref"].rsplit("/", 1)[1] if "$ref" in schema else None

    operations = []
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            operations.append(
                {
                    "id": op["operationId"],
                    "method": method.upper(),
                    "path": path,
                    "summary": op["summary"],
                    "description": op.get("description", ""),
                    "body": name(body) if body else None,
                    "responses": [
                        {"status": status, "description": r["description"], "schema": name(_json_schema(r))}
                        for status, r in op["responses"].items()
                    ],
                }
            )
    schemas = [
        {"name": schema_name, "fields": _fields(schema, name)}
        for schema_name, schema in sorted(doc["components"]["schemas"].items())
    ]
    return {
        "info": doc["info"],
        "operations": operations,
        "schemas": schemas,
        "examples": operation_examples(doc),
    }


def _json_schema(response: dict) -> dict:
    return response.get("content", {}).get("application/json", {}).get("schema", {})


def _fields(schema: dict, name) -> list[dict]:
    required = set(schema.get("required", []))
    rows = []
    for field_name, prop in schema.get("properties", {}).items():
        kind = name(prop) or prop.get("type", "any")
        if kind == "array":
            kind = f"array of {name(prop['items']) or prop['items'].get('type', 'any')}"
        rules = [
            f"{label} {prop[key]} character{'' if prop[key] == 1 else 's'}"
            for key, label in (("minLength", "at least"), ("maxLength", "at most"))
            if key in prop
        ]
        rows.append(
            {
                "name": field_name,
                "type": kind,
                "required": field_name in required,
                "description": " ".join([prop.get("description", ""), *(f"({r})" for r in rules)]).strip(),
            }
        )
    return rows

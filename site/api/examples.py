"""Example requests and answers for `/docs`, generated from the OpenAPI document.

The shape of every example (which fields, nested objects, lists) comes from the document, which
apispec builds from the marshmallow schemas the API validates with: a field added, renamed or
removed there changes the example too, so the two cannot drift. Values come from the field's own
`example` (marshmallow `metadata={"example": ...}`), else its enum, default or bounds, else a
sample named after the field below, else one of its type. A test loads every example request
with its schema, so a sample that stops being valid fails there.
"""

from __future__ import annotations

import json
from typing import Any

_PICTURE_ID = "3f2a9c4e8b1d4f6a9e0c7b5d2a1f8e63"
#: Sample values by field name, for fields whose schema gives no example of its own.
SAMPLES: dict[str, Any] = {
    "says": "Feed me, human.",
    "id": _PICTURE_ID,
    "picture_id": _PICTURE_ID,
    "job_id": "9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e",
    "job": "9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e",
    "caption": "Asleep on the keyboard",
    "filename": "sofa-cat.jpg",
    "content_type": "image/jpeg",
    "bytes": 482_113,
    "width": 3024,
    "height": 4032,
    "thumb_width": 480,
    "thumb_height": 640,
    "display_width": 1200,
    "display_height": 1600,
    "location": "s3://catsite-dev/uploads/3f2a9c4e8b1d4f6a9e0c7b5d2a1f8e63/sofa-cat.jpg",
    "url": "https://catsite-dev.s3.eu-west-1.amazonaws.com/…",
    "thumb_url": "https://catsite-dev.s3.eu-west-1.amazonaws.com/pics/public/…webp",
    "display_url": "https://catsite-dev.s3.eu-west-1.amazonaws.com/pics/public/…webp",
    "created_at": "2026-05-04T09:30:00.000Z",
    "updated_at": "2026-05-04T09:30:02.000Z",
    "expires_at": "2026-05-04T09:40:00Z",
    "max_bytes": 10_000_000,
    "message": "Adding picture 3 of 12",
    "status": "running",
    "status_url": "/jobs/9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e",
    "kind": "archive",
    "progress": 0.25,
    "count": 1,
    "limit": 2,
    "next_cursor": None,
    # Where one name means different things: "<Schema>.<field>" (the document's schema names).
    "Deleted.message": "Deleted.",
    "Health.status": "ok",
    "JobAccepted.status": "queued",
    "JobAccepted.message": "The archive is being made.",
    "Archive.count": 13,
    "ArchiveAnswer.count": 13,
    "Archive.bytes": 48_211_877,
    "ArchiveAnswer.bytes": 48_211_877,
    "Archive.location": "s3://catsite-dev/results/5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b.zip",
    "ArchiveAnswer.location": "s3://catsite-dev/results/5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b.zip",
}
_BY_TYPE = {"string": "text", "integer": 1, "number": 0.5, "boolean": True}


def operation_examples(document: dict) -> dict[str, dict]:
    """{operationId: {"request": text, "status": str, "answer": text}} for every operation."""
    components = document.get("components", {}).get("schemas", {})
    examples = {}
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            status = next(s for s in operation["responses"] if s.startswith("2"))
            answer_schema = _json_schema(operation["responses"][status])
            answer = value(answer_schema, components, status=int(status)) if answer_schema else None
            examples[operation["operationId"]] = {
                "request": request_text(method, path, operation, components),
                "status": status,
                "answer": json.dumps(answer, indent=2, ensure_ascii=False) if answer is not None else "{…}",
            }
    return examples


def request_body(operation: dict, components: dict) -> Any | None:
    schema = _json_schema(operation.get("requestBody", {}))
    return value(schema, components) if schema else None


def request_text(method: str, path: str, operation: dict, components: dict) -> str:
    """The example request as it goes over the wire (method, path, headers, body)."""
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "path":
            path = path.replace(f"{{{parameter['name']}}}", str(SAMPLES.get(parameter["name"], "id")))
    query = [
        f"{p['name']}={SAMPLES[p['name']]}"
        for p in operation.get("parameters", [])
        if p.get("in") == "query" and p["name"] in SAMPLES
    ]
    lines = [f"{method.upper()} {path}{'?' + '&'.join(query) if query else ''}", "Accept: application/json"]
    if operation.get("security"):
        lines.append("Authorization: Bearer <admin token>")
    body = request_body(operation, components)
    if body is None:
        return "\n".join(lines)
    lines.append("Content-Type: application/json")
    return "\n".join(lines) + "\n\n" + json.dumps(body, indent=2, ensure_ascii=False)


def value(schema: dict, components: dict, name: str | None = None, status: int | None = None) -> Any:
    """An example value of `schema` (a JSON schema from the document; `$ref`s resolved)."""
    owner = None
    if "$ref" in schema:
        owner = schema["$ref"].rsplit("/", 1)[1]
        schema = components[owner]
    if "example" in schema:
        return schema["example"]
    if "enum" in schema:
        return SAMPLES[name] if name in SAMPLES and SAMPLES[name] in schema["enum"] else schema["enum"][0]
    kind = schema.get("type", "object")
    if kind == "object" and "properties" in schema:
        required = set(schema.get("required", []))
        answer = {}
        for field, prop in schema["properties"].items():
            if f"{owner}.{field}" in SAMPLES:
                answer[field] = SAMPLES[f"{owner}.{field}"]
            elif field == "code" and status:
                answer[field] = status  # the HTTP status, repeated
            elif field in required or field in SAMPLES:
                answer[field] = value(prop, components, field)
        return answer
    if kind == "object":
        return {"key": "value"} if schema.get("additionalProperties") else {}
    if kind == "array":
        return [value(schema.get("items", {}), components, name)]
    if name in SAMPLES:
        return SAMPLES[name]
    if "default" in schema:
        return schema["default"]
    if kind == "string":
        return "x" * max(schema.get("minLength", 0), 4) if "minLength" in schema else _BY_TYPE["string"]
    if kind in ("integer", "number"):
        return schema.get("minimum", _BY_TYPE[kind])
    return _BY_TYPE.get(kind)


def _json_schema(part: dict) -> dict:
    return part.get("content", {}).get("application/json", {}).get("schema", {})

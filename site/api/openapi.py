"""The OpenAPI 3 document of the API, generated from the marshmallow schemas it validates with.

Adding an endpoint: write its schemas in `catsite.api.schemas`, then add one `Operation` to
`OPERATIONS` below. Error answers all use `ErrorSchema`. apispec is imported only here, and this
module only when `/openapi.json` or `/docs` is first asked for (cold start of other routes).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from functools import lru_cache

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema

from catsite.api import schemas
from catsite.api.paths import CONVERTERS
from catsite.api.text import anchored
from catsite.web.context import current_settings

#: What each error status means, for every operation that can answer it.
ERRORS = {
    400: "The body is not valid JSON, or a field or query parameter breaks its rule (errors says which).",
    401: "No valid admin token: send Authorization: Bearer <token>. Missing credentials and a wrong "
    'token alike (RFC 6750 section 3.1: the latter with error="invalid_token" in WWW-Authenticate).',
    403: "Nobody may do this, whatever the credentials: this stage has no admin token configured, or "
    "the picture is the tutorial's kitty (RFC 9110 section 15.5.4).",
    404: "Nothing at this path, or no such picture or job (an id of the right shape that does not exist).",
    405: "This method is not allowed on this path.",
    409: "A concurrent writer kept changing the state; try again.",
    413: "The body is larger than the site accepts; upload large files to S3 instead.",
    415: "The body is not declared JSON (Content-Type: application/json).",
    429: "Too many at once: the site has as many upload grants waiting to be registered as it takes "
    "(CATSITE_MAX_PENDING_UPLOADS); try again after Retry-After seconds, when the soonest expires.",
    422: "The location is well formed, but no upload is there (it expired, or was never sent), or the "
    "object is too big, not an image of an accepted type, or would take more memory to decode than "
    "this stage allows one picture (half its memory less the runtime's share; errors says which).",
    500: "Something went wrong on the server; the answer carries no details.",
    503: "S3 is unavailable; try again after Retry-After seconds.",
    507: "The site's quota of stored pictures (count or bytes) is full.",
}

#: Every operation may be refused by the stage's throttle before the function runs.
THROTTLED = (
    "Too many requests: the stage's throttle refused this one before the site saw it (API Gateway's "
    'own body, {"message": "Too Many Requests"}). Retry after a pause that grows with each try.'
)

#: The moderation secret (`CATSITE_ADMIN_TOKEN`), sent as a bearer token.
ADMIN_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "description": "The stage's CATSITE_ADMIN_TOKEN. Without one configured, nobody may delete.",
}


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # OpenAPI style: /cat/pics/{id}; each {name} becomes a path parameter
    summary: str
    ok: type[Schema] | None  # the 2xx answer's schema (None: any JSON object)
    errors: tuple[int, ...] = ()
    body: type[Schema] | None = None
    query: type[Schema] | None = None
    status: int = 200
    description: str = ""
    #: A second success answer: 202 with a job, for work that may continue in the background.
    accepted: type[Schema] | None = None
    #: Other success answers: (status, schema, what it means).
    also: tuple[tuple[int, type[Schema], str], ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    tags: tuple[str, ...] = field(default=("cat",))
    admin: bool = False  # needs the admin token


OPERATIONS = (
    Operation("get", "/cat", "What the cat says", schemas.CatSaysAnswerSchema, (503,)),
    Operation(
        "post",
        "/cat",
        "Teach the cat something to say",
        schemas.CatSaysAnswerSchema,
        (400, 413, 415, 503),
        body=schemas.CatSaysSchema,
        description="Stored in S3, so every instance of the function answers it from then on. A plain "
        "set: when several visitors set it at once, the last one wins; none is refused.",
    ),
    Operation(
        "get",
        "/cat/pics",
        "The cat pictures, newest first",
        schemas.CatPicturesSchema,
        (400, 503),
        query=schemas.PictureListQuerySchema,
        description="Paged with `limit` and the opaque `cursor`; the tutorial's kitty is always last.",
        tags=("pictures",),
    ),
    Operation(
        "post",
        "/cat/pics",
        "Register an uploaded file as a cat picture",
        schemas.PictureAnswerSchema,
        (400, 409, 413, 415, 422, 503, 507),
        body=schemas.RegisterPictureSchema,
        status=201,
        description="The object is checked (bucket, key, size, type, first bytes, pixels) before anything "
        "is written. Registering the same location again answers 200 with the same picture.",
        tags=("pictures",),
    ),
    Operation(
        "post",
        "/cat/pics/archive",
        "One ZIP of every picture",
        schemas.ArchiveAnswerSchema,
        (413, 503),
        status=201,
        accepted=schemas.JobAcceptedSchema,
        headers=(("Prefer", "`respond-async`: answer 202 at once and build the archive as a job."),),
        also=(
            (
                200,
                schemas.ArchiveAnswerSchema,
                "An archive of exactly these pictures exists already: it is not made again.",
            ),
        ),
        description="Streams every original from S3 into a ZIP written to S3 part by part. Through the "
        "ALB it may run for minutes; when the front door would cut it off, it becomes a job. The "
        "archive of a set of pictures is made once: asked again, the answer is the finished archive "
        "(200) or the job already making it (202), so repeating the request costs nothing more.",
        tags=("pictures",),
    ),
    Operation(
        "get",
        "/jobs/{job_id}",
        "A long job's status and progress",
        schemas.JobSchema,
        (404, 503),
        tags=("jobs",),
    ),
    Operation(
        "get",
        "/cat/pics/{picture_id}",
        "One cat picture",
        schemas.PictureAnswerSchema,
        (404, 503),
        tags=("pictures",),
    ),
    Operation(
        "delete",
        "/cat/pics/{picture_id}",
        "Delete a cat picture (its record, original and renditions)",
        schemas.DeletedSchema,
        (401, 403, 404, 503),
        description="Moderation: needs the admin token, `Authorization: Bearer <token>`.",
        tags=("pictures",),
        admin=True,
    ),
    Operation(
        "post",
        "/uploads",
        "A presigned POST for one direct upload to S3",
        schemas.UploadAnswerSchema,
        (400, 413, 415, 429, 503, 507),
        body=schemas.UploadRequestSchema,
        status=201,
        description="Large files never pass through the function: send the file straight to S3 with "
        "`url` and `fields`, then register its `location`.",
        tags=("pictures",),
    ),
    Operation(
        "get",
        "/healthz",
        "Liveness, for the load balancer and monitors",
        schemas.HealthSchema,
        tags=("site",),
    ),
    Operation("get", "/openapi.json", "This document", None, tags=("site",)),
)


def document() -> dict:
    """The document of this app's stage, without `servers` (which depend on the front door)."""
    return _document(current_settings())


@lru_cache(maxsize=8)
def _document(settings) -> dict:
    """Built once per stage's settings: the limits a stage configures (its bucket, its upload size)
    are stated from the very schemas that enforce them."""
    spec = APISpec(
        title="catsite API",
        version="1.0.0",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={"description": "What the cat says, and its pictures. Every error answers an Error object."},
    )
    spec.components.schema("Error", schema=schemas.ErrorSchema)
    spec.components.schema("Throttled", schema=schemas.ThrottledSchema)
    spec.components.security_scheme("adminToken", ADMIN_SCHEME)
    for operation in OPERATIONS:
        spec.path(path=operation.path, operations={operation.method: _operation(operation, settings)})
    return spec.to_dict()


def document_for(server: str) -> dict:
    """The document, its one server `server` (the public address, a stage prefix, or none)."""
    answer = copy.deepcopy(document())
    answer["servers"] = [{"url": server or "/"}]
    return answer


def _for_stage(schema: type[Schema], settings) -> type[Schema] | Schema:
    """The schema as the resources use it: with this stage's limits when it has any."""
    for_stage = getattr(schema, "for_stage", None)
    return for_stage(settings) if for_stage else schema


def _path_parameter(name: str) -> dict:
    """A path parameter, its pattern the one its URL converter routes by."""
    schema = {"type": "string", "pattern": anchored(CONVERTERS[name].pattern)}
    return {"in": "path", "name": name, "required": True, "schema": schema}


def _operation(operation: Operation, settings) -> dict:
    responses = {
        str(operation.status): {
            "description": operation.summary,
            "content": {"application/json": {"schema": operation.ok or {"type": "object"}}},
        }
    }
    for status, schema, description in operation.also:
        responses[str(status)] = {
            "description": description,
            "content": {"application/json": {"schema": schema}},
        }
    if operation.accepted:
        responses["202"] = {
            "description": "The work continues as a job (asked for with Prefer: respond-async, or "
            "handed over when the front door would cut the request off, or already under way for "
            "another request).",
            "content": {"application/json": {"schema": operation.accepted}},
        }
    for status in (*operation.errors, 500):
        responses[str(status)] = {
            "description": ERRORS[status],
            "content": {"application/json": {"schema": "Error"}},
        }
    own = "429" in responses  # the site's own 429 too: either body may come
    schema = (
        {"anyOf": [{"$ref": "#/components/schemas/Error"}, {"$ref": "#/components/schemas/Throttled"}]}
        if own
        else "Throttled"
    )
    responses["429"] = {
        "description": f"{responses['429']['description']} Or: {THROTTLED}" if own else THROTTLED,
        "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds, when given."}},
        "content": {"application/json": {"schema": schema}},
    }
    parameters = [_path_parameter(name) for name in re.findall(r"{(\w+)}", operation.path)]
    if operation.query:
        parameters.append({"in": "query", "schema": operation.query})
    for name, description in operation.headers:
        parameters.append(
            {
                "in": "header",
                "name": name,
                "required": False,
                "schema": {"type": "string"},
                "description": description,
            }
        )
    answer = {
        "summary": operation.summary,
        "operationId": f"{operation.method}{re.sub(r'[^A-Za-z0-9]+', '_', operation.path)}".rstrip("_"),
        "tags": list(operation.tags),
        "responses": responses,
    }
    if operation.description:
        answer["description"] = operation.description
    if operation.admin:
        answer["security"] = [{"adminToken": []}]
    if parameters:
        answer["parameters"] = parameters
    if operation.body:
        answer["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _for_stage(operation.body, settings)}},
        }
    return answer

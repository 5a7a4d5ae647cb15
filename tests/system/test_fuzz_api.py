"""The API fuzzed against its own contract: schemathesis reads `/openapi.json` from a live local
server (local S3 behind it) and generates requests for every operation it documents, valid ones
and invalid ones. No answer may be a 5xx, and every answer (errors too) must match the status
codes, content type and schema the document declares; invalid requests must be refused.

Deterministic: Hypothesis runs derandomized (a fixed seed per test) with no example database,
so a run generates the same requests every time. New operations in the document are fuzzed
without changes here.
"""

from __future__ import annotations

from collections import Counter

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.openapi.checks import UndefinedStatusCode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from tests.support import ADMIN

#: Examples per operation and mode; operations with nothing to vary stop after one.
EXAMPLES = 150
MINIMUM_REQUESTS = 1000
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def site(live_server):
    return live_server


def test_every_operation_survives_fuzzing_and_keeps_its_contract(site):
    document = requests.get(f"{site}/openapi.json", timeout=10).json()
    # from_dict, not from_url: loaded by URL, schemathesis leaves out the operation serving the
    # document itself, and every operation is to be fuzzed.
    schema = schemathesis.openapi.from_dict(document)
    operations = [result.ok() for result in schema.get_all_operations()]
    documented = {
        f"{method.upper()} {path}" for path, methods in document["paths"].items() for method in methods
    }
    sent: Counter[str] = Counter()
    session = requests.Session()

    for operation in operations:
        fuzz(operation, GenerationMode.POSITIVE, site, session, sent)
        if _can_be_invalid(operation):
            fuzz(operation, GenerationMode.NEGATIVE, site, session, sent)

    print(f"fuzzed {sum(sent.values())} requests: {dict(sent)}")
    assert set(sent) == documented
    assert sum(sent.values()) >= MINIMUM_REQUESTS


def fuzz(operation, mode: GenerationMode, site: str, session: requests.Session, sent: Counter) -> None:
    checks = CHECKS + ([negative_data_rejection] if mode is GenerationMode.NEGATIVE else [])
    # Moderation is fuzzed with the admin token (missing and wrong ones are in the hostile catalogue).
    headers = ADMIN if mode is GenerationMode.POSITIVE else {}

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        response = case.call(base_url=site, session=session, headers=headers, timeout=30)
        sent[operation.label] += 1
        case.validate_response(response, checks=checks, headers=headers)

    try:
        run()
    except Unsatisfiable:
        # Nothing invalid can be sent (a free-form string in the path, say): fine in negative mode.
        if mode is GenerationMode.POSITIVE:
            raise
        print(f"no invalid input to generate for {operation.label}")


def _can_be_invalid(operation) -> bool:
    """An operation with no parameters and no body has no invalid input to generate."""
    definition = operation.definition.raw
    return bool(definition.get("parameters") or definition.get("requestBody"))


def test_the_checks_have_teeth(site):
    """The same checks fail when the answer and the document disagree (here: a document that
    claims POST /cat answers 201 and an Error body on success)."""
    document = requests.get(f"{site}/openapi.json", timeout=10).json()
    post = document["paths"]["/cat"]["post"]
    post["responses"] = {
        "201": post["responses"]["200"],
        **{k: v for k, v in post["responses"].items() if k != "200"},
    }
    operation = schemathesis.openapi.from_dict(document)["/cat"]["POST"]
    case = operation.Case(body={"says": "purr"}, media_type="application/json")
    response = case.call(base_url=site, timeout=30)
    assert response.status_code == 200
    with pytest.raises(FailureGroup) as failure:
        case.validate_response(response, checks=CHECKS)
    assert failure.group_contains(UndefinedStatusCode)

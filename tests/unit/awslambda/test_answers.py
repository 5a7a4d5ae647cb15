"""Each door's answer shape (`catsite.awslambda.answers`): the ALB's status description."""

from __future__ import annotations

import pytest

from catsite.awslambda.answers import status_description


@pytest.mark.parametrize(
    ("status", "line", "description"),
    [
        # RFC 9110 section 15: each code's reason phrase, in its own case.
        (200, "200 OK", "200 OK"),
        (404, "404 NOT FOUND", "404 Not Found"),
        (413, "413 REQUEST ENTITY TOO LARGE", "413 Content Too Large"),
        (503, "503 SERVICE UNAVAILABLE", "503 Service Unavailable"),
        # No registered phrase: the app's own status line stands.
        (299, "299 CUSTOM", "299 CUSTOM"),
    ],
)
def test_an_alb_status_description_is_the_code_and_its_registered_phrase(status, line, description):
    assert status_description(status, line) == description

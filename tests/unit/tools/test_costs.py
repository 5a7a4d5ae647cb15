"""The cost table's arithmetic (`catsite_tools.bench.costs`), held to the pricing pages' own rules:
Lambda bills each request and its duration "rounded up to the nearest 1 ms" times the memory in GB
(AWS Lambda pricing); API Gateway bills per request received; CloudFront per request and per GB
out, with origin fetches from AWS origins free (CloudFront pricing)."""

from __future__ import annotations

import pytest

from catsite_tools.bench import costs
from catsite_tools.bench.doors import billed_ms

MILLION = 1_000_000


@pytest.mark.parametrize(("measured", "billed"), [(0.2, 1), (6.0, 6), (6.01, 7), (29.999, 30)])
def test_a_duration_is_billed_rounded_up_to_the_millisecond(measured, billed):
    assert billed_ms(measured) == billed


def test_one_invocation_is_its_request_and_its_gb_seconds():
    # 7 ms at 1024 MB: 0.007 GB-s; at 512 MB half of it
    assert costs.lambda_cost(6.2, 1024) == pytest.approx(0.20 / MILLION + 0.007 * 0.0000166667)
    assert costs.lambda_cost(6.2, 512) == pytest.approx(0.20 / MILLION + 0.0035 * 0.0000166667)


def test_an_api_call_through_the_rest_api_alone_is_lambda_the_door_and_its_bytes_out():
    expected = costs.lambda_cost(5.0, 1024) + 3.50 / MILLION + costs.API_BYTES / 1e9 * 0.09
    assert costs.per_million("rest", False, "api", 5.0, 1024) == pytest.approx(expected * MILLION)


def test_behind_cloudfront_every_request_of_a_page_is_cloudfronts_and_origin_fetches_are_free():
    alone = costs.per_million("url", False, "page", 5.0, 1024)
    edge = costs.per_million("url", True, "page", 5.0, 1024)
    cloudfront = costs.PAGE_REQUESTS * 0.0100 / 10_000 + costs.PAGE_BYTES / 1e9 * 0.085
    bucket = (costs.PAGE_REQUESTS - 1) * 0.0004 / 1000 + costs.PAGE_BYTES / 1e9 * 0.09
    assert edge - alone == pytest.approx((cloudfront - bucket) * MILLION)


def test_the_table_names_the_chosen_origin_first_and_every_alternative():
    durations = {door: {"page": 6.0, "api": 5.0} for door in ("rest", "http", "url", "alb", "cdn")}
    rows = costs.table(durations, 1024).splitlines()[2:]
    assert rows[0].startswith("| CloudFront + REST API (Regional) (chosen) |")
    assert len(rows) == 8 and sum("alone" in row for row in rows) == 4
    assert all("$16.43" in row for row in rows if "ALB" in row)  # 730 h at $0.0225

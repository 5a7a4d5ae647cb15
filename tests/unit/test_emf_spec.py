"""The test's own reading of the Embedded Metric Format (tests/support/emf.py) accepts a document
the specification describes and rejects each way of breaking it (CloudWatch user guide,
"Specification: Embedded metric format")."""

from __future__ import annotations

import copy

import pytest

from tests.support.emf import emf_errors

VALID = {
    "_aws": {
        "Timestamp": 1767225600000,
        "CloudWatchMetrics": [
            {
                "Namespace": "shop",
                "Dimensions": [["service", "region"]],
                "Metrics": [{"Name": "latency", "Unit": "Milliseconds"}, {"Name": "orders"}],
            }
        ],
    },
    "service": "checkout",
    "region": "eu-west-1",
    "latency": [12.5, 40.1],
    "orders": 3,
    "note": "any other member is allowed",
}


def broken(change) -> dict:
    document = copy.deepcopy(VALID)
    change(document)
    return document


def test_a_document_as_the_specification_describes_it_is_valid():
    assert emf_errors(VALID) == []


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.pop("_aws"),
        lambda d: d["_aws"].pop("Timestamp"),
        lambda d: d["_aws"].update(Timestamp="now"),
        lambda d: d["_aws"]["CloudWatchMetrics"][0].pop("Namespace"),
        lambda d: d["_aws"]["CloudWatchMetrics"][0]["Metrics"][0].update(Unit="ms"),
        lambda d: d["_aws"]["CloudWatchMetrics"][0]["Metrics"][0].update(StorageResolution=5),
        lambda d: d["_aws"]["CloudWatchMetrics"][0].update(Extra=1),
        lambda d: d["_aws"]["CloudWatchMetrics"][0]["Dimensions"].append([f"d{i}" for i in range(31)]),
        lambda d: d.pop("region"),  # a dimension without its member
        lambda d: d.update(region=7),  # a dimension's member that is not a string
        lambda d: d.pop("orders"),  # a metric without its member
        lambda d: d.update(orders="3"),
        lambda d: d.update(orders=True),
        lambda d: d.update(latency=list(range(101))),
    ],
)
def test_each_breach_of_the_specification_is_reported(change):
    assert emf_errors(broken(change)) != []

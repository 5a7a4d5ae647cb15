"""The CloudWatch Embedded Metric Format, as its specification states it: a JSON Schema of the
document's structure and the rules a schema cannot say, checked together by `emf_errors`.

Source: CloudWatch user guide, "Specification: Embedded metric format" (the root node, the
metadata object, MetricDirective, DimensionSet, MetricDefinition, target members), and the
CloudWatch API reference for units (`MetricDatum.Unit`) and storage resolution (1 or 60).
"""

from __future__ import annotations

import numbers

from jsonschema import Draft7Validator

#: CloudWatch's StandardUnit values (CloudWatch API reference, MetricDatum).
UNITS = [
    "Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes",
    "Terabytes", "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count",
    "Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second",
    "Bits/Second", "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second",
    "Count/Second", "None",
]  # fmt: skip

SCHEMA = {
    "type": "object",
    "required": ["_aws"],
    "properties": {
        "_aws": {
            "type": "object",
            "required": ["Timestamp", "CloudWatchMetrics"],
            "properties": {
                # milliseconds since the epoch
                "Timestamp": {"type": "integer", "minimum": 0},
                "CloudWatchMetrics": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["Namespace", "Dimensions", "Metrics"],
                        "additionalProperties": False,
                        "properties": {
                            "Namespace": {"type": "string", "minLength": 1, "maxLength": 1024},
                            "Dimensions": {
                                "type": "array",
                                "items": {
                                    "type": "array",
                                    "maxItems": 30,
                                    "items": {"type": "string", "minLength": 1, "maxLength": 250},
                                },
                            },
                            "Metrics": {
                                "type": "array",
                                "maxItems": 100,
                                "items": {
                                    "type": "object",
                                    "required": ["Name"],
                                    "additionalProperties": False,
                                    "properties": {
                                        "Name": {"type": "string", "minLength": 1, "maxLength": 1024},
                                        "Unit": {"enum": UNITS},
                                        "StorageResolution": {"enum": [1, 60]},
                                    },
                                },
                            },
                        },
                    },
                },
            },
        }
    },
}


def emf_errors(line: dict) -> list[str]:
    """Everything in `line` that breaks the specification; [] for a valid metric document."""
    errors = [f"{'/'.join(map(str, e.path))}: {e.message}" for e in Draft7Validator(SCHEMA).iter_errors(line)]
    if errors:
        return errors
    for directive in line["_aws"]["CloudWatchMetrics"]:
        for dimensions in directive["Dimensions"]:
            for name in dimensions:
                # A dimension's target member MUST be a string (at most 1024 characters).
                value = line.get(name)
                if not isinstance(value, str) or not 0 < len(value) <= 1024:
                    errors.append(f"dimension {name}: target member {value!r} is not a string")
        for metric in directive["Metrics"]:
            # A metric's target member MUST be a number or an array of at most 100 numbers.
            value = line.get(metric["Name"])
            values = value if isinstance(value, list) else [value]
            numeric = all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in values)
            if not values or len(values) > 100 or not numeric:
                errors.append(f"metric {metric['Name']}: target member {value!r} is not numeric")
    return errors


def metrics_of(line: dict) -> dict[tuple[str, tuple[tuple[str, str], ...]], tuple[float, str]]:
    """What CloudWatch would extract: {(metric, ((dimension, value), ...)): (value, unit)}."""
    found = {}
    for directive in line["_aws"]["CloudWatchMetrics"]:
        for dimensions in directive["Dimensions"]:
            key = tuple((name, line[name]) for name in dimensions)
            for metric in directive["Metrics"]:
                found[(metric["Name"], key)] = (line[metric["Name"]], metric.get("Unit", "None"))
    return found

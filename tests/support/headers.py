"""Reading security headers."""

from __future__ import annotations


def directives(policy: str) -> dict[str, list[str]]:
    """A Content-Security-Policy's directives: name -> its source list."""
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed

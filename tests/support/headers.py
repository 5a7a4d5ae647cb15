"""Response headers read as their specifications define them, so a test asserts on what a header
says rather than on how today's code happens to spell it (order, spacing, quoting)."""

from __future__ import annotations

import re


def directives(policy: str) -> dict[str, list[str]]:
    """A Content-Security-Policy's directives: name -> its source list."""
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def field_list(value: str | None) -> list[str]:
    """A comma-separated list field (RFC 9110 section 5.6.1: `#element`, optional white space
    around each comma, empty elements ignored): Allow, Vary, Access-Control-Allow-Methods ..."""
    return [item.strip() for item in (value or "").split(",") if item.strip()]


def parameters(value: str, separator: str = ";") -> dict[str, str]:
    """`name=value` parameters split by `separator`, names lowercased, quotes removed; a bare name
    maps to "". Strict-Transport-Security (RFC 6797 section 6.1), Cache-Control (RFC 9111 section
    5.2) with `separator=","`, Permissions-Policy's dictionary members (RFC 8941 section 3.2)."""
    parsed = {}
    for part in value.split(separator):
        name, _, raw = part.strip().partition("=")
        if name:
            parsed[name.strip().lower()] = raw.strip().strip('"')
    return parsed


#: One auth-param of a challenge (RFC 9110 section 11.2): token BWS "=" BWS ( token / quoted-string ).
_PARAM = re.compile(r'\s*([!#$%&\'*+.^_`|~\w-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[!#$%&\'*+.^_`|~\w-]+)\s*(?:,|$)')


def challenge(value: str) -> tuple[str, dict[str, str]]:
    """The one challenge of a WWW-Authenticate field (RFC 9110 section 11.6.1): its auth-scheme,
    lowercased (schemes are case-insensitive), and its auth-params, names lowercased and quoted
    values unquoted (a token and a quoted-string are the same value, section 11.2)."""
    scheme, _, rest = value.strip().partition(" ")
    params = {}
    position = 0
    rest = rest.strip()
    while position < len(rest):
        found = _PARAM.match(rest, position)
        assert found, f"not an auth-param list: {rest[position:]!r}"
        name, raw = found.groups()
        if raw.startswith('"'):
            raw = re.sub(r"\\(.)", r"\1", raw[1:-1])
        params[name.lower()] = raw
        position = found.end()
    return scheme.lower(), params

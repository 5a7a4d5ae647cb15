"""A Lambda proxy answer, read the way its front door reads it."""

from __future__ import annotations

import base64
import json


class Answer:
    """A Lambda proxy response, read the way its front door reads it."""

    def __init__(self, raw: dict):
        self.raw = raw
        self.status = raw["statusCode"]
        body = raw.get("body") or ""
        self.body = base64.b64decode(body) if raw.get("isBase64Encoded") else body.encode("utf-8")
        self.headers: dict[str, list[str]] = {}
        for key, values in (raw.get("multiValueHeaders") or {}).items():
            self.headers.setdefault(key.lower(), []).extend(values)
        for key, value in (raw.get("headers") or {}).items():
            self.headers.setdefault(key.lower(), []).append(value)
        for cookie in raw.get("cookies") or []:
            self.headers.setdefault("set-cookie", []).append(cookie)

    def header(self, name: str) -> str:
        return self.headers[name.lower()][0]

    def json(self):
        assert self.header("content-type").startswith("application/json"), self.headers
        return json.loads(self.body)

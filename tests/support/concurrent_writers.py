"""Work for the writer processes of the concurrency tests (importable, so `spawn` can run it)."""

from __future__ import annotations

import requests

from tests.support import pictures


def post_says(site: str, writer: int, count: int) -> list[tuple[str, int, dict]]:
    """POST /cat `count` times with values only this writer sends; returns (value, status, body)."""
    answers = []
    with requests.Session() as session:
        for n in range(count):
            value = f"writer {writer} says {n}"
            answer = session.post(f"{site}/cat", json={"says": value}, timeout=60)
            answers.append((value, answer.status_code, answer.json()))
    return answers


def register(site: str, location: str) -> tuple[int, dict]:
    """Register the upload at `location` on the site at `site`; the status and the body."""
    answer = pictures.register(pictures.LiveSite(site), location)
    return answer.status_code, answer.get_json()

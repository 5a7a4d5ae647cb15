"""A burst of concurrent visitors against a served site: reads and plain sets of what the cat says.

`run_burst(site)` starts `clients` threads at once (a barrier releases them together), each with
its own HTTP connection, each alternating `GET /cat`, `POST /cat` (a value only it sends) and
`GET /`, `rounds` times. It answers every request's method, path, status, latency and the value a
set sent; `quartiles` summarises the latencies. The burst test (tests/integration/web/test_burst.py)
asserts on the records; `scripts/bench` reports the quartiles. Loopback only: `site` is a local
server or the local Lambda door.
"""

from __future__ import annotations

import statistics
import threading
import time
from dataclasses import dataclass

CLIENTS = 32
ROUNDS = 4


@dataclass(frozen=True)
class Answer:
    method: str
    path: str
    status: int
    seconds: float
    sent: str = ""
    body: dict | None = None


def _visitor(site: str, client: int, rounds: int, start: threading.Barrier, out: list[Answer]) -> None:
    import requests

    with requests.Session() as session:
        start.wait()
        for n in range(rounds):
            value = f"client {client} round {n}"
            for method, path, body in (
                ("GET", "/cat", None),
                ("POST", "/cat", {"says": value}),
                ("GET", "/", None),
            ):
                began = time.perf_counter()
                answer = session.request(method, f"{site}{path}", json=body, timeout=120)
                seconds = time.perf_counter() - began
                parsed = answer.json() if path == "/cat" and answer.content else None
                out.append(Answer(method, path, answer.status_code, seconds, value if body else "", parsed))


def run_burst(site: str, clients: int = CLIENTS, rounds: int = ROUNDS) -> list[Answer]:
    """Every answer of the burst (`clients` × `rounds` × 3 requests), in no particular order."""
    start = threading.Barrier(clients)
    per_client: list[list[Answer]] = [[] for _ in range(clients)]
    threads = [
        threading.Thread(target=_visitor, args=(site.rstrip("/"), c, rounds, start, per_client[c]))
        for c in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    return [answer for answers in per_client for answer in answers]


def quartiles(answers: list[Answer]) -> dict[str, float]:
    """The latencies' quartiles and maximum, in milliseconds."""
    ms = sorted(a.seconds * 1000 for a in answers)
    q1, q2, q3 = statistics.quantiles(ms, n=4) if len(ms) > 1 else (ms[0],) * 3
    figures = {"p25_ms": q1, "p50_ms": q2, "p75_ms": q3, "max_ms": ms[-1]}
    return {name: round(value, 1) for name, value in figures.items()}

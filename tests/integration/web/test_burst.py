"""A burst of 32 concurrent visitors, reads and sets mixed, against the local server and the local
Lambda door (`./scripts/serve --lambda`, REST, one execution environment as on Lambda).

Setting what the cat says is a plain set (S3 user guide, "Amazon S3 data consistency model":
strong read-after-write consistency, the last PUT wins), so no set may be refused because another
visitor set it at the same moment: every `POST /cat` answers 200 with the value it sent, nothing
answers 5xx, and afterwards the cat says what one of the writers sent. The latencies are
`scripts/bench`'s (a benchmark, not a timed test).
"""

from __future__ import annotations

import pytest
import requests

from catsite_tools.bench.burst import CLIENTS, run_burst


@pytest.fixture(params=["local server", "local Lambda door"])
def site(request):
    return request.getfixturevalue("live_server" if request.param == "local server" else "lambda_door")


def test_a_burst_of_32_visitors_is_served_and_no_set_is_refused(site):
    answers = run_burst(site, clients=CLIENTS, rounds=3)

    assert len(answers) == CLIENTS * 3 * 3, "every visitor finished"
    assert [a for a in answers if a.status >= 500] == []
    sets = [a for a in answers if a.method == "POST"]
    refused = [(a.status, a.body) for a in sets if a.status != 200]
    assert refused == [], f"{len(refused)} of {len(sets)} sets refused"
    assert all(a.body == {"says": a.sent, "code": 200} for a in sets)
    reads = [a for a in answers if a.method == "GET" and a.path == "/cat"]
    sent = {a.sent for a in sets}
    assert all(a.status == 200 and a.body["says"] in sent | {"meow"} for a in reads)
    final = requests.get(f"{site}/cat", timeout=30).json()["says"]
    assert final in sent

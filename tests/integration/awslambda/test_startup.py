"""Start-up objects are built with the garbage collector paused, then frozen (catsite.awslambda.startup).

Each check runs in a fresh interpreter: freezing is process-wide, and the test process has long
since built everything it will keep.
"""

from __future__ import annotations

import json

from tests.support.processes import run_fresh_python

CHECK = """
import gc, json
from catsite.awslambda.startup import paused_then_frozen

seen = dict()
{setup}
try:
    with paused_then_frozen():
        seen["inside"] = gc.isenabled()
        kept = [[n] for n in range(10_000)]  # lists: always tracked by the collector
        {body}
except RuntimeError:
    seen["raised"] = True
seen["after"] = gc.isenabled()
seen["frozen"] = gc.get_freeze_count()
print(json.dumps(seen))
"""


def run(setup: str = "", body: str = "pass") -> dict:
    return json.loads(run_fresh_python(CHECK.format(setup=setup, body=body), {}))


def test_the_collector_is_off_inside_and_back_on_with_everything_frozen():
    seen = run()
    assert seen["inside"] is False
    assert seen["after"] is True
    assert seen["frozen"] >= 10_000  # at least the lists made inside


def test_an_error_inside_still_turns_the_collector_back_on():
    seen = run(body='raise RuntimeError("boom")')
    assert seen == {"inside": False, "raised": True, "after": True, "frozen": seen["frozen"]}
    assert seen["frozen"] >= 10_000


def test_a_collector_the_host_turned_off_is_left_alone():
    seen = run(setup="gc.disable()")
    assert seen == {"inside": False, "after": False, "frozen": 0}

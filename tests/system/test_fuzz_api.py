"""The API fuzzed against its own contract: schemathesis reads `/openapi.json` from a live local
server (local S3 behind it, an admin token configured) and runs every one of its phases
(examples, coverage, fuzzing, stateful) with every one of its checks, on positive and negative
data, across every operation the document lists. No answer may be a 5xx; every answer must match
the status, content type, headers and schema the document declares; what the document allows
must be accepted and what it forbids refused; the bearer scheme must be enforced (401 without
or with a wrong token); methods it does not list must be 405 with an `Allow` that lists exactly
the documented ones.

schemathesis runs as its own command, as a user would run it, so every phase and check is the
tool's own and none is chosen or re-implemented here. Deterministic: a fixed seed, no example
database. New operations in the document are fuzzed without changes here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from xml.etree import ElementTree

import pytest
import requests

from tests.support import ADMIN_TOKEN

PHASES = "examples,coverage,fuzzing,stateful"
EXAMPLES = 60
#: Two widenings of a default, from the document's own words, each a state of the site and not a
#: rule a request could be written to meet (like the 404 and 409 the check already allows): a
#: location of the right shape that names no upload is 422 (ERRORS[422]); a grant asked for while
#: the site has as many waiting as it takes is 429 (ERRORS[429]).
CONFIG = """
[[operations]]
include-name = "POST /cat/pics"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "422", "429"]

[[operations]]
include-name = "POST /uploads"
checks.positive_data_acceptance.expected-statuses = ["2xx", "429"]
"""


@pytest.fixture
def site(live_server):
    return live_server


def run_schemathesis(site: str, document: dict, work) -> subprocess.CompletedProcess:
    # From a file, not by URL: loaded by URL, schemathesis leaves out the operation serving the
    # document itself, and every operation is to be fuzzed.
    (work / "openapi.json").write_text(json.dumps(document))
    (work / "schemathesis.toml").write_text(CONFIG)
    command = [
        *(sys.executable, "-m", "schemathesis.cli", "--config-file", str(work / "schemathesis.toml")),
        *("run", str(work / "openapi.json"), "--url", site),
        *("--checks", "all", "--mode", "all", "--phases", PHASES),
        *("--max-examples", str(EXAMPLES), "--generation-deterministic"),
        *("--workers", "1", "--request-timeout", "30"),
        *("--header", f"Authorization: Bearer {ADMIN_TOKEN}", "--no-color"),
        *("--report", "junit", "--report-junit-path", str(work / "junit.xml")),
    ]
    return subprocess.run(command, cwd=work, capture_output=True, text=True, timeout=1800, check=False)


def test_every_operation_keeps_its_contract_under_every_check(site, tmp_path):
    document = requests.get(f"{site}/openapi.json", timeout=10).json()
    operations = sum(len(methods) for methods in document["paths"].values())
    done = run_schemathesis(site, document, tmp_path)
    output = done.stdout + done.stderr
    print(output[-6000:])
    assert done.returncode == 0, output[-20000:]
    # Its JUnit report, a test case per operation: every operation the document lists was tested
    # (none skipped), and none failed a check or met an error.
    report = ElementTree.parse(tmp_path / "junit.xml")  # noqa: S314 - written by the run just made
    outcomes = {case.get("name"): [child.tag for child in case] for case in report.getroot().iter("testcase")}
    listed = {f"{method.upper()} {path}" for path, methods in document["paths"].items() for method in methods}
    assert len(listed) == operations and listed <= set(outcomes), sorted(listed - set(outcomes))
    bad = {"failure", "error", "skipped"}
    assert {name: tags for name, tags in outcomes.items() if bad & set(tags)} == {}

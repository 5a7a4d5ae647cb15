"""Plain helpers the tests share: constants, files, processes, proxies. Not test modules and not
fixtures (those live in the conftest files), so any test may import them, and so may the
processes a test spawns; they hold what fixtures cannot: values used at collection time in
parametrize tables (`ADMIN`), classes and functions a test calls with its own arguments, and
functions a `spawn`ed writer process imports by name. The product never imports from here.
"""

from __future__ import annotations

import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: The moderation secret every test app is configured with; send `ADMIN` to delete.
ADMIN_TOKEN = "test-admin-token-" + uuid.uuid4().hex
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


#: The quota ledger (catsite.stores.quota): every upload grant and picture is reserved there.
QUOTA_LEDGER = "state/quota.json"


def uploaded(state: dict) -> dict:
    """A bucket's {key: etag} without the quota ledger: what requests stored, not what they reserved."""
    return {key: etag for key, etag in state.items() if key != QUOTA_LEDGER}

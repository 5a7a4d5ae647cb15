"""`./scripts/serve --lambda`: the local REST door in its own process, in front of the site."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest


def test_the_served_site_through_a_rest_door(lambda_door):
    with urllib.request.urlopen(f"{lambda_door}/cat") as response:
        assert json.loads(response.read()) == {"says": "meow", "code": 200}
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(lambda_door.removesuffix("/dev") + "/cat")
    assert refused.value.code == 403

"""The rehearsal's traffic, on an emulator that runs the function (ministack): requests through
every front door of a deployed stage.

- After a deploy: `scripts/smoke` through each door, the REST API's stage URL and the load
  balancer's (pages, assets, the `/cat` round trip, an upload straight to S3 and its
  registration, the picture and its thumbnail, a job through to its archive). Every step runs
  the deployed zip under the stage's own role policy, which the emulator enforces.
- Around the update: the update changes one setting the site shows, `CATSITE_CORS_ORIGINS`, to
  an origin that only the new version allows. Before the update no door lets it read `/cat`;
  after it, every door does (`Access-Control-Allow-Origin` naming it: the Fetch standard's CORS
  protocol). A door still invoking the old version (an alias left behind) fails the check.
"""

from __future__ import annotations

import secrets

from catsite_tools import ROOT
from catsite_tools.client.smoke import http_session, parse_resolve
from catsite_tools.rehearse.checks import site_urls

#: The origin the updated configuration allows, and the first one does not.
UPDATE_ORIGIN = "https://update.cat.example.com"
#: The admin token the rehearsal's stages are given, so the smoke test removes its picture.
ADMIN_TOKEN = secrets.token_urlsafe(24)


def door_urls(r, name: str, config: dict) -> dict[str, str]:
    """Each door's URL on the emulator, by the URL AWS would give it."""
    return {aws: r.emulator.site_url(aws) for aws in site_urls(r, name, config)}


def smoke_every_door(r, name: str, config: dict) -> None:
    for aws, url in door_urls(r, name, config).items():
        done = r.run(
            [
                str(ROOT / "scripts" / "smoke"),
                url,
                "--resolve",
                r.emulator.resolve(url),
                f"--admin-token={ADMIN_TOKEN}",  # one word: a token may begin with "-"
            ]
        )
        r.check(f"scripts/smoke through {aws} (served at {url})", done.returncode, 0)


def allowed_origin(r, url: str, origin: str) -> str | None:
    """`Access-Control-Allow-Origin` of `GET /cat` sent from `origin` (None when absent)."""
    http = http_session(dict([parse_resolve(r.emulator.resolve(url))]))
    response = http.get(f"{url}cat", headers={"Origin": origin}, timeout=30)
    if response.status_code != 200:
        return f"HTTP {response.status_code}"
    return response.headers.get("Access-Control-Allow-Origin")


def check_origin(r, name: str, config: dict, allowed: bool) -> None:
    """Every door answers `GET /cat` from UPDATE_ORIGIN as the version it should run does."""
    for aws, url in door_urls(r, name, config).items():
        r.check(
            f"{aws}: GET /cat from {UPDATE_ORIGIN} allowed",
            allowed_origin(r, url, UPDATE_ORIGIN),
            UPDATE_ORIGIN if allowed else None,
        )

"""The janitor's tests' helpers: its schedule's rule name, a Lambda context that runs out on cue,
leftovers made by really interrupting registrations and deletes at each of their S3 calls (through
the fault proxy, `tests.support.s3_faults`), and reading a picture's files among bucket keys.

A picture's files are its record and original under `pics/<id>/` and its two renditions (display
and thumbnail) under `pics/public/<id>/`; its listing marker is under `pics/index/`.
"""

from __future__ import annotations

import requests

from catsite_tools.deploy.zappa_stage import stage_config
from catsite_tools.local.events import LambdaContext
from tests.support import ADMIN
from tests.support.pictures import image_bytes, register, upload, upload_token

JANITOR = "catsite.jobs.janitor.run_janitor"
#: Short, so the test can wait it out; S3's LastModified has whole seconds.
GRACE = 3
#: A complete picture's files as `files` names them (a rendition's name is a hash of its bytes).
PICTURE_FILES = ("original.png", "record.json", "rendition", "rendition")


def rule_name(stage: str) -> str:
    """The rule `zappa schedule` creates for the janitor event of `stage` (Zappa's own naming)."""
    from zappa.core import Zappa

    event = next(e for e in stage_config(stage)["events"] if e["function"] == JANITOR)
    return Zappa.get_scheduled_event_name(object.__new__(Zappa), event, event["function"], f"catsite-{stage}")


class CountdownContext(LambdaContext):
    """A Lambda context with plenty of time for its first `calls` questions, then 1 s."""

    def __init__(self, calls: int):
        super().__init__()
        self.calls = calls

    def get_remaining_time_in_millis(self) -> int:
        self.calls -= 1
        return 600_000 if self.calls >= 0 else 1_000


def uploaded(site, color) -> tuple[str, dict]:
    """A small PNG of `color` uploaded, not registered: the id its picture will get, the presigned."""
    presigned = upload(site, image_bytes("PNG", size=(64, 48), color=color))
    return upload_token(presigned), presigned


def registration_calls(site, proxy) -> tuple[str, list]:
    """Register one picture; its id and the S3 calls its registration made, in order."""
    picture_id, presigned = uploaded(site, (1, 1, 1))
    proxy.reset_calls()
    assert register(site, presigned["location"]).status_code == 201
    return picture_id, list(proxy.calls)


def record_step(calls) -> int:
    """The number of the call that writes the record (the original and renditions are written)."""
    return 1 + next(n for n, c in enumerate(calls) if c.method == "PUT" and c.path.endswith("/record.json"))


def interrupt_registration(site, proxy, failing: int, color) -> str:
    """Register a picture, every S3 call from the `failing`th on answered 503; its id."""
    picture_id, presigned = uploaded(site, color)
    proxy.reset_calls()
    proxy.fail_from = failing
    assert register(site, presigned["location"]).status_code == 503
    proxy.heal()
    return picture_id


def interrupted_registrations(site, proxy) -> tuple[list[str], list]:
    """Register one picture interrupted at each S3 call its registration makes; their ids, and the
    calls of a registration."""
    _, calls = registration_calls(site, proxy)
    assert any(c.method == "PUT" and "/pics/public/" in c.path for c in calls)
    return [interrupt_registration(site, proxy, n, (n, 2, 2)) for n in range(1, len(calls) + 1)], calls


def interrupted_deletes(site, proxy) -> list[str]:
    """Register pictures and delete each, interrupted at each S3 call the delete makes."""
    ids, failing = [], 1
    while True:
        picture_id, presigned = uploaded(site, (3, failing, 3))
        assert register(site, presigned["location"]).status_code == 201
        proxy.reset_calls()
        proxy.fail_from = failing
        answer = site.delete(f"/cat/pics/{picture_id}", headers=ADMIN)
        proxy.heal()
        if answer.status_code == 200:  # no step left to interrupt; this one is gone for good
            return ids
        assert answer.status_code == 503
        ids.append(picture_id)
        failing += 1


def owner(key: str) -> str:
    """Whose a key is: pics/<id>/..., pics/public/<id>/..., pics/index/<time>-<id>, uploads/<id>/..."""
    if key.startswith("pics/index/"):
        return key.rsplit("-", 1)[-1]
    return key.split("/")[2 if key.startswith("pics/public/") else 1]


def files(keys, picture_id: str) -> tuple[str, ...]:
    """A picture's files among `keys`, sorted: names under pics/<id>/, "rendition" for each under
    pics/public/<id>/."""
    names = [k.split("/")[-1] for k in keys if k.startswith(f"pics/{picture_id}/")]
    return tuple(sorted(names + ["rendition" for k in keys if k.startswith(f"pics/public/{picture_id}/")]))


def complete(keys, picture_id: str) -> bool:
    """A picture the gallery shows: its files, its record and its listing marker."""
    marked = any(k.startswith("pics/index/") and k.endswith(f"-{picture_id}") for k in keys)
    return files(keys, picture_id) == PICTURE_FILES and marked


def assert_gallery_whole(site) -> list[str]:
    """Every picture the gallery lists opens, and its thumbnail is served (without a signature, as
    a browser fetches it); the ids listed."""
    items = [i for i in site.get("/cat/pics?limit=100").get_json()["items"] if i["id"] != "kitty"]
    for item in items:
        assert site.get(f"/cat/pics/{item['id']}").status_code == 200
        thumb = requests.get(item["thumb_url"], timeout=10)
        assert thumb.status_code == 200 and thumb.headers["Content-Type"] == "image/webp", item["thumb_url"]
    return [i["id"] for i in items]

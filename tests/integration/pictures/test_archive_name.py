"""The archive downloads under a name people recognise: `catsite-pictures-<YYYY-MM-DD>.zip`."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

import requests

from tests.support.pictures import image_bytes, upload

#: RFC 6266: `attachment; filename="<name>"`.
DISPOSITION = re.compile(r'attachment;\s*filename="catsite-pictures-(\d{4}-\d{2}-\d{2})\.zip"')


def test_the_archive_downloads_as_catsite_pictures_and_the_date(client):
    presigned = upload(client, image_bytes("PNG", size=(32, 32)))
    assert client.post("/cat/pics", json={"location": presigned["location"]}).status_code == 201
    before = datetime.now(UTC).date()
    made = client.post("/cat/pics/archive")
    assert made.status_code == 201, made.get_json()
    answer = requests.get(made.get_json()["url"], timeout=30)
    assert answer.status_code == 200
    match = DISPOSITION.fullmatch(answer.headers["Content-Disposition"])
    assert match, answer.headers["Content-Disposition"]
    assert (
        before
        <= datetime.strptime(match[1], "%Y-%m-%d").replace(tzinfo=UTC).date()
        <= datetime.now(UTC).date()
    )
    assert answer.content[:4] == b"PK\x03\x04"


def test_a_finished_jobs_fresh_url_keeps_the_name(client):
    started = client.post("/cat/pics/archive", headers={"Prefer": "respond-async"})
    assert started.status_code == 202
    status_url = started.get_json()["status_url"]
    for _ in range(100):
        job = client.get(status_url).get_json()
        if job["status"] in ("done", "failed"):
            break
        time.sleep(0.1)
    assert job["status"] == "done", job
    answer = requests.get(job["result"]["url"], timeout=30)
    assert DISPOSITION.fullmatch(answer.headers["Content-Disposition"])

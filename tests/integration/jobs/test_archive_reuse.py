"""Archives cannot multiply cost (hostile input, third pass, point 4).

Five anonymous `POST /cat/pics/archive` in a row wrote five full ZIPs, each on Lambda its own
invocation of up to 900 s. An archive of a set of pictures is made once: asked again, the answer
is the finished archive (200, as the OpenAPI document states) or the job already making it (202);
of concurrent requests exactly one makes a ZIP.
"""

from __future__ import annotations

import threading

from catsite.app import create_app
from tests.support.pictures import image_bytes, upload


def add_picture(client, color) -> None:
    presigned = upload(client, image_bytes("PNG", color=color))
    assert client.post("/cat/pics", json={"location": presigned["location"]}).status_code == 201


def zips(s3, bucket) -> list[str]:
    listed = s3.list_objects_v2(Bucket=bucket, Prefix="results/").get("Contents", [])
    return [o["Key"] for o in listed if o["Key"].endswith(".zip")]


def test_five_archives_in_a_row_make_one_zip(client, s3, bucket, app):
    for n in range(3):
        add_picture(client, (n * 60, 20, 20))
    answers = [client.post("/cat/pics/archive") for _ in range(5)]
    assert [a.status_code for a in answers] == [201, 200, 200, 200, 200]
    assert {a.get_json()["location"] for a in answers} == {answers[0].get_json()["location"]}
    assert {a.get_json()["count"] for a in answers} == {4}  # three pictures and the kitty
    assert len(zips(s3, bucket)) == 1
    documented = client.get("/openapi.json").get_json()["paths"]["/cat/pics/archive"]["post"]["responses"]
    assert {"200", "201", "202"} <= set(documented)


def test_another_set_of_pictures_makes_another_archive(client, s3, bucket):
    add_picture(client, (10, 200, 10))
    first = client.post("/cat/pics/archive").get_json()
    add_picture(client, (10, 10, 200))
    second = client.post("/cat/pics/archive")
    assert second.status_code == 201
    assert second.get_json()["count"] == first["count"] + 1
    assert len(zips(s3, bucket)) == 2


def test_concurrent_requests_for_one_archive_make_one_zip(settings, s3, bucket):
    app = create_app({**settings, "TESTING": True})
    for n in range(2):
        add_picture(app.test_client(), (n * 90, 90, 30))
    statuses: list[int] = []

    def ask():
        answer = app.test_client().post("/cat/pics/archive", headers={"Prefer": "respond-async"})
        statuses.append(answer.status_code)

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(statuses) <= {200, 202}
    client = app.test_client()
    for _ in range(200):  # the one job runs in the local server's background thread
        if client.post("/cat/pics/archive").status_code == 200:
            break
        threading.Event().wait(0.05)
    assert len(zips(s3, bucket)) == 1
    jobs = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="jobs/").get("Contents", [])]
    assert len(jobs) >= 1

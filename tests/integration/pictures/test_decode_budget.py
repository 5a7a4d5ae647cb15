"""A picture the site accepts must fit the stage it runs on (hostile input, third pass, point 1).

A 6320×6320 RGBA PNG of one repeated row is 170 KB on the wire, under the 40-megapixel limit, and
took the registering process's peak memory up by about 505 MiB: more than the dev stage's 512 MB.
What a decode would hold is now reckoned from the image's header before anything is decoded
(`catsite.pictures.images.decode_bytes`) and held to the stage's share (`decode_budget`: half the
function's memory, less the runtime's), read from the memory Lambda says the function has.
"""

from __future__ import annotations

import pytest

from catsite.app import create_app
from catsite.pictures.images import decode_budget
from tests.support.api_errors import assert_error_shape
from tests.support.pictures import one_row_picture, upload

DEV_MIB = 512  # zappa_settings.json: dev's memory_size


@pytest.fixture
def stage_client(settings):
    def client(memory_mib: int):
        config = {**settings, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(memory_mib), "TESTING": True}
        return create_app(config).test_client()

    return client


def test_a_small_file_that_decodes_past_the_stages_share_is_422_and_nothing_is_written(
    stage_client, s3, bucket
):
    client = stage_client(DEV_MIB)
    data = one_row_picture("PNG", 6320)
    assert len(data) < 256 * 1024
    location = upload(client, data)["location"]
    before = {o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])}
    answer = client.post("/cat/pics", json={"location": location})
    assert answer.status_code == 422
    body = answer.get_json()
    assert_error_shape(body, 422)
    assert "location" in body["errors"]
    budget_mib = decode_budget(DEV_MIB) // (1024 * 1024)
    assert f"{budget_mib:,} MiB" in body["errors"]["location"][0]  # it names the limit
    after = {o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])}
    assert after == before  # the upload is still there, and nothing else was written


def test_the_same_picture_fits_a_stage_with_the_memory_for_it(stage_client):
    client = stage_client(4096)
    location = upload(client, one_row_picture("PNG", 6320))["location"]
    answer = client.post("/cat/pics", json={"location": location})
    assert answer.status_code == 201, answer.get_json()
    assert (answer.get_json()["width"], answer.get_json()["height"]) == (6320, 6320)


def test_a_large_photo_decodes_scaled_down_and_fits_the_smallest_stage(stage_client):
    """JPEG's decoder scales by 1/2, 1/4 or 1/8 as it decodes (draft mode), so a large photo
    needs only about its display rendition's memory."""
    client = stage_client(DEV_MIB)
    location = upload(client, one_row_picture("JPEG", 6000, mode="RGB"), "image/jpeg", "photo.jpg")[
        "location"
    ]
    answer = client.post("/cat/pics", json={"location": location})
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["display_width"] == 1600

"""Text answers are gzipped for clients that accept it; nothing else changes."""

import gzip


def test_pages_are_gzipped_for_clients_that_accept_it(client):
    plain = client.get("/docs")
    packed = client.get("/docs", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert gzip.decompress(packed.data) == plain.data
    assert len(packed.data) < len(plain.data) / 3


def test_small_answers_and_the_tutorials_json_are_left_alone(client):
    answer = client.get("/cat", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in answer.headers
    assert answer.data == b'{"code":200,"says":"meow"}\n'


def test_pictures_are_not_recompressed(client):
    answer = client.get("/static/kitty.png", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in answer.headers
    assert answer.data.startswith(b"\x89PNG")

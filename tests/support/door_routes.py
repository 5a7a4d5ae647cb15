"""Test-only routes of the front-door tests, added to the app Lambda's entry point loads before
its first request (Flask refuses routes after one): an echo of what Flask received, a route that
begins with the stage name, one that sets two cookies, and a JSON answer too big for the ALB."""

from __future__ import annotations

import base64

from flask import jsonify, make_response, request, url_for


def echo(rest=None):
    """What Flask received, as the app sees it."""
    return jsonify(
        method=request.method,
        path=request.path,
        script_root=request.script_root,
        args=request.args.to_dict(flat=False),
        cookies=request.cookies.to_dict(),
        headers={k.lower(): v for k, v in request.headers.items()},
        body=base64.b64encode(request.get_data()).decode("ascii"),
        content_type=request.content_type,
        scheme=request.scheme,
        host=request.host,
        remote_addr=request.remote_addr,
        external=url_for("door_echo", _external=True),
    )


def add_door_routes(app) -> None:
    @app.get("/devices")
    def devices():  # a route that begins with the stage name, `dev`
        return jsonify(path=request.path, url=request.url_root)

    @app.get("/cat/big-json")
    def big_json():  # larger than the ALB carries, smaller than API Gateway's limit
        return jsonify(says="m" * (2 * 1024 * 1024))

    app.add_url_rule("/echo", "door_echo", echo, methods=["GET", "POST", "PUT", "DELETE"])
    app.add_url_rule("/echo/<path:rest>", "door_echo_rest", echo, methods=["GET", "POST"])

    @app.get("/cat/cookie-jar")
    def cookie_jar():
        response = make_response(jsonify(ok=True))
        response.set_cookie("first", "1")
        response.set_cookie("second", "2")
        return response

from flask_restful import Resource

from catsite.api import answer


class Health(Resource):
    """`GET /healthz`: liveness for the ALB and monitors. Touches no S3, so it stays cheap."""

    def get(self):
        return answer({"status": "ok"})

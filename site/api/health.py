from flask_restful import Resource


class Health(Resource):
    """`GET /healthz`: liveness for the ALB and monitors. Touches no S3, so it stays cheap."""

    def get(self):
        return {"status": "ok"}

"""SnapStart's runtime hooks, run as Lambda runs them: in a fresh `python -I -S` process on the
unzipped artifact (with boto3 as Lambda provides it and `snapshot_restore_py` as its runtime
does), import the entry module
(which registers the hooks), run every before-snapshot hook, then every after-restore hook, then
answer the first `GET /` (which reads S3) and see that it loaded no module the hooks had not."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import snapshot_restore_py

from catsite_tools.local.events import LambdaContext, rest_event
from catsite_tools.local.lambda_worker import unpack
from tests.support import ROOT
from tests.support.buckets import new_bucket

#: The event, the paths and the context's fields are built here and handed to the child as Python
#: literals, so the child imports nothing of its own (no json, no event builders) before the first
#: GET has answered: every module loaded by then is the interpreter's, the entry module's or its
#: hooks', and a module the GET loads late cannot be hidden by one the test itself imported.
SCRIPT = r"""
import sys  # the interpreter's own, loaded before any line runs
EVENT = {event!r}
sys.path[:0] = {paths!r}


class Context:  # Lambda's context, with the fields the parent's LambdaContext had
    def __init__(self, fields):
        self.__dict__.update(fields)

    def get_remaining_time_in_millis(self):
        return 30_000


import snapshot_restore_py as hooks
import catsite.awslambda.handler as entry

before = [f.__name__ for f, _, _ in hooks.get_before_snapshot()]
after = [f.__name__ for f, _, _ in hooks.get_after_restore()]
loaded_at_import = "flask" in sys.modules or "botocore" in sys.modules
for func, args, kwargs in hooks.get_before_snapshot():
    func(*args, **kwargs)
app = entry._lean.wsgi_app
snapshot_client = app.extensions["catsite.stores"].bucket.client
rng = sys.modules.get("random")  # the app's own, if the snapshot holds it: not imported here
state = rng.getstate() if rng else None
for func, args, kwargs in hooks.get_after_restore():
    func(*args, **kwargs)
rng = sys.modules.get("random")
reseeded = rng is not None and (state is None or rng.getstate() != state)
modules = set(sys.modules)
answer = entry.lambda_handler(EVENT, Context({context!r}))
new_modules = sorted(set(sys.modules) - modules)
import json  # only now: the measurement is over

print(json.dumps({{
    "before": before, "after": after, "loaded_at_import": loaded_at_import, "reseeded": reseeded,
    "random_in_snapshot": state is not None, "status": answer["statusCode"],
    "new_modules": new_modules,
    "new_client": app.extensions["catsite.stores"].bucket.client is not snapshot_client,
    "templates_compiled": len(app.jinja_env.cache or {{}}),
}}))
"""


def test_hooks_registered_at_import_prepare_once_refresh_and_first_get_loads_nothing(
    lambda_zip, local_s3, tmp_path
):
    task = unpack(lambda_zip, tmp_path / "task")
    # Lambda's runtime provides the hooks module; here it is the one file, on its own on the path.
    hooks = tmp_path / "runtime-hooks"
    hooks.mkdir()
    shutil.copy(snapshot_restore_py.__file__, hooks)
    paths = [
        str(task),
        str(ROOT / "build" / "lambda-runtime"),
        str(hooks),
        str(ROOT / "scripts" / "lib"),
    ]
    bucket = new_bucket(local_s3)
    env = {
        "PATH": "/usr/bin:/bin",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "CATSITE_BUCKET": bucket,
        "AWS_ENDPOINT_URL_S3": local_s3.url,
    }
    # Built here, passed as literals: JSON values, so their repr is a Python literal.
    event = json.loads(json.dumps(rest_event("GET", "/")))
    context = {k: v for k, v in vars(LambdaContext()).items() if not k.startswith("_")}
    script = SCRIPT.format(event=event, paths=paths, context=context)
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", script],
        cwd=task,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["before"] == ["before_snapshot"] and report["after"] == ["after_restore"]
    assert report["loaded_at_import"] is False, "importing the entry module stays light"
    assert report["random_in_snapshot"] is True and report["reseeded"] is True
    assert report["new_client"] is True, "the snapshot's S3 client and connections are not reused"
    assert report["templates_compiled"] >= 3
    assert report["status"] == 200
    assert report["new_modules"] == []

"""Remove from a built Lambda zip the modules that only deploy: Zappa's CLI and its helpers.

`zappa package` ships the whole `zappa` package, but on Lambda only its handler and what the
handler imports run (handler, asynchronous, utilities, wsgi, middleware, asgi, websocket). Its
command line (`cli`), the deploy engine (`core`), the policy templates (`policies`) and the
certificate helper (`letsencrypt`) need packages the zip excludes (troposphere, hjson, ...) and
would fail to import there anyway. Standard library only: it runs under the build virtualenv.

Usage: python -m catsite_tools.deploy.prune_zip ZIP   (prints what it removed)
"""

import os
import sys
import zipfile
from pathlib import PurePosixPath

#: Modules that run only where Zappa deploys from, never on Lambda.
DEPLOY_ONLY = ("zappa/cli", "zappa/core", "zappa/policies", "zappa/letsencrypt")


def deploy_only(name: str) -> bool:
    path = PurePosixPath(name)
    if path.parent.name == "__pycache__":  # zappa/__pycache__/cli.cpython-313.pyc
        path = path.parent.parent / path.name.split(".", 1)[0]
    else:
        path = path.with_suffix("")
    return str(path) in DEPLOY_ONLY


def main(zip_path: str) -> None:
    temporary = zip_path + ".pruning"
    with zipfile.ZipFile(zip_path) as source, zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if deploy_only(info.filename):
                print(f"  removed {info.filename}")
                continue
            target.writestr(info, source.read(info))
    os.replace(temporary, zip_path)


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        sys.exit(0 if len(sys.argv) == 2 else 2)
    main(sys.argv[1])

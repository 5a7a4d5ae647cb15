"""Local-only and deploy-only tools of catsite: never in the Lambda zip.

One package in subpackages by concern:

- `local`: serving on this machine. The dev server, the local S3 (moto or ministack), the local
  Lambda door (`lambda_gateway`) in front of the function in a process of its own
  (`lambda_worker`), the HTTP body reading the door shares, and `events`: every front door's
  event builders and the Lambda context, for the tests, the local door and the benchmark.
- `deploy`: putting a stage on AWS. The stage as Zappa reads it (`zappa_stage`), the zip's
  finishing steps (`complete_zip_bytecode`, `prune_zip`), the bucket's set-up, static
  publishing, the role policy (`iam`), what each door invokes (`invoke_target`), the deploy.
- `rehearse`: the deploy rehearsed against a local AWS (moto's or ministack's, with their
  additions), checked after every step.
- `bench`: figures. Cold start and the rest against the tutorial's app, uploads, the archive,
  SnapStart, the janitor, Lighthouse and screenshots, and the page budgets the browser tests share.
- `client`: a running catsite seen only over HTTP, as its users see it (the upload client, the
  smoke check); neither imports catsite.
- `assets`: the project's own pictures, drawn.

Each command in `scripts/` is a shell entry point that runs `python -m catsite_tools.<package>.<module>`
with `scripts/lib` on PYTHONPATH (scripts/lib/setup.sh); tests reach the package through pytest's
`pythonpath` setting. Some modules are also run by path in interpreters that have no tools on
their path, and import only the standard library and their own server: `local/lambda_worker.py`
(under `python -I -S` beside an unzipped artifact; it loads `local/events.py` by its file),
`rehearse/aws_emulator.py` (moto's process) and `rehearse/ministack_emulator.py` (ministack's own
virtualenv); `deploy/complete_zip_bytecode.py` and `deploy/prune_zip.py` run in the build
virtualenv and are standard library only as well.
"""

from pathlib import Path

#: The repository's root, above scripts/lib/catsite_tools/.
ROOT = Path(__file__).resolve().parents[3]

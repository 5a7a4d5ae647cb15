"""scripts/undeploy: take a stage of zappa_settings.json off AWS (or the rehearsal's emulator).

What the deploy added beyond Zappa's own resources is removed first (`catsite_tools.deploy.extras`,
in reverse order), then `zappa undeploy`. Kept by design, as Zappa keeps them: the stage's data
bucket, Zappa's deploy bucket and the IAM execution role.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from catsite_tools import ROOT
from catsite_tools.deploy.deploy import log, zappa
from catsite_tools.deploy.extras import StageContext, remove_all
from catsite_tools.deploy.zappa_stage import function_name, stage_config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/undeploy", description=__doc__.split("\n\n")[0])
    parser.add_argument("stage", help="a stage of the settings file, e.g. dev or prod")
    parser.add_argument("--settings", type=Path, default=ROOT / "zappa_settings.json", help="Zappa settings")
    args = parser.parse_args(argv)
    settings = args.settings.resolve()
    config = stage_config(args.stage, settings)
    stage = StageContext(args.stage, config, settings, function_name(args.stage, settings), log=log)
    remove_all(stage)
    if zappa("undeploy", args.stage, "--yes", "-s", str(settings)).returncode:
        raise SystemExit(f"undeploy: zappa undeploy {args.stage} failed")
    log(f"{args.stage} is undeployed")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Every reading of a Zappa stage, done by Zappa's own CLI, and the function's name, computed once.

A stage of `zappa_settings.json` is what `ZappaCLI.stage_config` makes of it: `extends` followed
with a shallow merge (a stage's `aws_environment_variables` replaces its parent's whole, as on
deploy; nothing here merges them any other way). The Lambda function's name is Zappa's
`lambda_name`: `slugify(project_name + "-" + stage)`, the project name checked by Zappa's
`validate_name` (or, without one, Zappa's name for the working folder).

Deploy and local tooling only: Zappa is a development dependency, and the product never imports
it (nor this module).
"""

from __future__ import annotations

from pathlib import Path

from catsite_tools import ROOT

SETTINGS_FILE = ROOT / "zappa_settings.json"


def _cli(stage: str | None, settings_file: Path):
    from zappa.cli import ZappaCLI

    cli = ZappaCLI()
    cli.api_stage = stage
    # Only the file: `load_settings` would also build a boto3 session and open the policy files.
    cli.load_settings_file(str(settings_file))
    return cli


def stage_names(settings_file: Path = SETTINGS_FILE) -> list[str]:
    return list(_cli(None, settings_file).zappa_settings)


def stage_config(stage: str, settings_file: Path = SETTINGS_FILE) -> dict:
    """One stage's settings as Zappa's CLI resolves them."""
    cli = _cli(stage, settings_file)
    if stage not in cli.zappa_settings:
        stages = ", ".join(cli.zappa_settings)
        raise SystemExit(f"no stage {stage!r} in {Path(settings_file).name} (stages: {stages})")
    return cli.stage_config


def function_name(stage: str, settings_file: Path = SETTINGS_FILE) -> str:
    """The Lambda function Zappa deploys the stage as (`ZappaCLI.load_settings`'s rule)."""
    import slugify
    from zappa.utilities import validate_name

    cli = _cli(stage, settings_file)
    config = cli.stage_config
    project = validate_name(config["project_name"]) if "project_name" in config else cli.get_project_name()
    return slugify.slugify(project + "-" + stage)


def stage_overrides(stage: str, settings_file: Path = SETTINGS_FILE) -> dict[str, str]:
    """The settings a stage gives the app: its environment variables, and its region."""
    config = stage_config(stage, settings_file)
    overrides = dict(config.get("aws_environment_variables") or {})
    if config.get("aws_region"):
        overrides["AWS_REGION"] = config["aws_region"]
    return overrides

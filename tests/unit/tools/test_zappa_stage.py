"""Every reading of a Zappa stage goes through Zappa's CLI: what `zappa deploy` itself would use."""

from __future__ import annotations

import json
import os

import pytest
from zappa.cli import ZappaCLI

from catsite_tools.deploy.zappa_stage import function_name, stage_config, stage_names, stage_overrides
from tests.support import ROOT

SETTINGS_FILE = ROOT / "zappa_settings.json"


def zappa_loaded(stage: str, settings_file=SETTINGS_FILE) -> ZappaCLI:
    """Zappa's CLI after its full `load_settings`, as `zappa deploy <stage>` runs it."""
    cli = ZappaCLI()
    cli.api_stage = stage
    cwd = os.getcwd()
    os.chdir(settings_file.parent)  # Zappa opens the attach_policy files relative to it
    try:
        cli.load_settings(str(settings_file))
    finally:
        os.chdir(cwd)
    return cli


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_a_stage_is_what_zappas_cli_computes(stage):
    cli = zappa_loaded(stage)
    assert stage_config(stage, SETTINGS_FILE) == cli.stage_config
    assert function_name(stage, SETTINGS_FILE) == cli.lambda_name


def test_the_function_names_are_zappas_slug_of_project_and_stage():
    assert [function_name(stage) for stage in stage_names()] == ["catsite-dev", "catsite-prod"]


def test_prod_extends_dev_as_zappa_merges_it():
    raw = json.loads(SETTINGS_FILE.read_text())
    prod = stage_config("prod")
    assert prod["aws_region"] == raw["dev"]["aws_region"]  # inherited
    assert prod["timeout_seconds"] == raw["prod"]["timeout_seconds"]  # overridden
    assert prod["aws_environment_variables"] == raw["prod"]["aws_environment_variables"]


def test_a_child_stages_environment_replaces_its_parents_whole(tmp_path):
    """Zappa's `extends` is a shallow update: a child naming `aws_environment_variables` keeps only
    its own. Merging them key by key would deploy variables Zappa never sets."""
    settings = tmp_path / "zappa_settings.json"
    settings.write_text(
        json.dumps(
            {
                "base": {
                    "project_name": "Cat_Site",
                    "aws_region": "eu-west-1",
                    "aws_environment_variables": {"A": "1", "B": "2"},
                },
                "live": {"extends": "base", "aws_environment_variables": {"B": "3"}},
            }
        )
    )
    cli = zappa_loaded("live", settings)
    assert stage_config("live", settings) == cli.stage_config
    assert stage_config("live", settings)["aws_environment_variables"] == {"B": "3"}
    assert stage_overrides("live", settings) == {"B": "3", "AWS_REGION": "eu-west-1"}
    assert function_name("live", settings) == cli.lambda_name == "cat-site-live"


def test_an_unknown_stage_is_refused_by_name():
    with pytest.raises(SystemExit, match="nope"):  # it names the stage it does not know
        stage_config("nope")

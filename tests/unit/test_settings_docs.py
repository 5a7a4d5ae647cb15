"""README's configuration table and `.env.example` say what `catsite.settings` declares, no more
and no less: both are rendered from the one declaration, and these tests hold the files to it.
After changing a setting, paste what the failure shows."""

from __future__ import annotations

import dataclasses

import pytest

from catsite.settings import Settings, SettingsError, configuration_table, env_example
from tests.support import ROOT


def readme_table() -> str:
    lines = (ROOT / "README.md").read_text().splitlines()
    start = lines.index("| variable | meaning | default |")
    end = next((i for i in range(start, len(lines)) if not lines[i].startswith("|")), len(lines))
    return "\n".join(lines[start:end]) + "\n"


def test_readmes_configuration_table_is_the_declared_one():
    assert readme_table() == configuration_table(), "README's table should read:\n" + configuration_table()


def test_env_example_is_the_declared_one():
    assert (ROOT / ".env.example").read_text() == env_example(), ".env.example should read:\n" + env_example()


def test_every_documented_setting_has_a_row_and_an_example():
    documented = [f.metadata["env"][0] for f in dataclasses.fields(Settings) if f.metadata["documented"]]
    rows = [line.split("|")[1].strip().strip("`") for line in configuration_table().splitlines()[2:]]
    examples = [line.split("=", 1)[0] for line in env_example().splitlines() if line and line[0] != "#"]
    assert rows == documented == examples


def test_the_loader_reads_each_declared_variable_and_its_overrides():
    settings = Settings.load(
        {"CATSITE_MAX_PICTURES": 3}, environ={"CATSITE_BUCKET": " b ", "AWS_DEFAULT_REGION": "eu-west-1"}
    )
    assert (settings.bucket, settings.max_pictures, settings.region) == ("b", 3, "eu-west-1")
    assert (
        Settings.load(
            environ={"CATSITE_BUCKET": "b", "AWS_REGION": "us-west-2", "AWS_DEFAULT_REGION": "x"}
        ).region
        == "us-west-2"
    )
    assert Settings.load(environ={"CATSITE_BUCKET": "b"}).max_upload_bytes == 25 * 1024 * 1024


@pytest.mark.parametrize(
    "environ",
    [
        {},
        {"CATSITE_BUCKET": "  "},
        {"CATSITE_BUCKET": "b", "CATSITE_MAX_PICTURES": "0"},
        {"CATSITE_BUCKET": "b", "CATSITE_JOB_BUDGET_SECONDS": "ten"},
    ],
    ids=["no bucket", "blank bucket", "zero quota", "words for seconds"],
)
def test_an_unusable_setting_is_refused_when_the_app_is_built(environ):
    with pytest.raises(SettingsError):
        Settings.load(environ=environ)

"""What the Lambda zip holds: the app and what it runs on, nothing that only develops or deploys.

Every Python module in the zip is listed. None may be one of catsite's local or deploy tools
(`catsite_tools`: the dev server, the local S3, the local Lambda door, publishing, IAM), a test or
development package, or Zappa's command line; and no module's source may mention moto,
Playwright or Zappa's CLI (a dev or deploy tool that slipped in under another name).
"""

from __future__ import annotations

import re
import zipfile

#: Top-level packages that only develop, test or deploy (Lambda provides the boto3 family).
NOT_ON_LAMBDA = {
    "catsite_tools",
    "tests",
    "moto",
    "playwright",
    "pytest",
    "_pytest",
    "schemathesis",
    "hypothesis",
    "ruff",
    "pip",
    "setuptools",
    "pkg_resources",
    "wheel",
    "boto3",
    "botocore",
    "s3transfer",
    "troposphere",
    "hjson",
    "kappa",
    "gunicorn",
    "requests",
    "requests_toolbelt",
    "tqdm",
    "snapshot_restore_py",
}
#: Zappa's modules that only deploy; its handler and what the handler imports stay.
ZAPPA_DEPLOY_ONLY = {"zappa.cli", "zappa.core", "zappa.policies", "zappa.letsencrypt"}
#: Words no module on Lambda has reason to contain.
MENTIONS = re.compile(r"\bmoto\b|\bplaywright\b|\bzappa\.cli\b|\bZappaCLI\b", re.IGNORECASE)


def modules(zip_path) -> dict[str, str]:
    """Dotted module name -> entry, for every .py file in the zip."""
    found = {}
    with zipfile.ZipFile(zip_path) as archive:
        for name in archive.namelist():
            if name.endswith(".py") and "__pycache__" not in name:
                dotted = name[: -len(".py")].replace("/", ".").removesuffix(".__init__")
                found[dotted] = name
    return found


def test_the_zip_lists_the_app_and_its_runtime(lambda_zip):
    listed = modules(lambda_zip)
    assert {"catsite.awslambda.handler", "catsite.wsgi", "flask", "zappa.handler", "zappa_settings"} <= set(
        listed
    )
    assert len(listed) > 300  # the whole runtime is listed, not a sample


def test_no_module_in_the_zip_is_a_dev_or_deploy_tool(lambda_zip):
    listed = modules(lambda_zip)
    tools = sorted(m for m in listed if m.split(".")[0] in NOT_ON_LAMBDA or m in ZAPPA_DEPLOY_ONLY)
    assert tools == []
    with zipfile.ZipFile(lambda_zip) as archive:
        cached = [n for n in archive.namelist() if n.startswith("zappa/__pycache__/")]
    assert not [
        n for n in cached if n.split("/")[-1].split(".")[0] in {"cli", "core", "policies", "letsencrypt"}
    ]


def test_no_module_in_the_zip_mentions_moto_playwright_or_zappas_cli(lambda_zip):
    mentions = []
    with zipfile.ZipFile(lambda_zip) as archive:
        for module, name in sorted(modules(lambda_zip).items()):
            text = archive.read(name).decode("utf-8", "replace")
            mentions += [f"{module}: {m.group(0)}" for m in MENTIONS.finditer(text)]
    assert mentions == []

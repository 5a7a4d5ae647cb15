"""scripts/deploy: put one stage of zappa_settings.json on AWS (or on the rehearsal's emulator).

1. the zip: `scripts/package STAGE` (or `--zip`);
2. a settings copy for this deploy (a temporary folder, never the committed file); the stage's
   `attach_policy` must be the role policy `scripts/iam-policy` writes for it;
3. what the stage has beyond Zappa's resources prepares the function's environment
   (`catsite_tools.deploy.extras`): the edge names the site's public address, where assets and
   picture renditions are read (the site's own host) and the secret its distribution sends;
4. the IAM execution role, as `zappa deploy` without `--zip` would make it (`manage_roles`);
5. `zappa status` decides: a stage not deployed yet gets `zappa deploy --zip` first; a deployed
   stage gets the bucket and assets first and `zappa update --zip` last, so new pages never point
   at assets not yet published;
6. the stage's bucket (`setup_stage_bucket`: created if missing, every public access blocked,
   CORS for `--origin` and the site's public origin, lifecycle), then `publish-static`;
7. on a stage with `snap_start`, after `zappa deploy` and after `zappa update`: API Gateway's
   integrations and the ALB's target are read back; one that invokes `$LATEST` (Zappa's issue
   #1463) is pointed at the alias, and the deploy fails unless every door invokes the newest
   published version, with SnapStart on, through an alias (`catsite_tools.deploy.invoke_target`);
8. what the stage has beyond Zappa's resources (`catsite_tools.deploy.extras`), after every
   deploy and update: the distribution, the bucket policy that lets only it read;
9. prints the site's URLs (the public address, API Gateway's, and the load balancer's for a stage
   with `alb_enabled`).

Credentials and region come from the environment as for any AWS tool; `AWS_ENDPOINT_URL`
points every client (this script's and Zappa's) at an emulator.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from catsite_tools import ROOT
from catsite_tools.deploy.bucket_setup import setup_stage_bucket
from catsite_tools.deploy.extras import StageContext, apply_all, check_all, prepare_all
from catsite_tools.deploy.zappa_stage import function_name

PLACEHOLDER = "CHANGE-ME"
NOT_DEPLOYED = "have you deployed yet?"


def log(message: str) -> None:
    print(f"deploy: {message}", flush=True)


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    log("$ " + " ".join(str(part) for part in command))
    return subprocess.run(command, cwd=ROOT, text=True, check=False, **kwargs)


def placeholders(value, where: str = "") -> list[str]:
    """Every setting that still holds `CHANGE-ME`."""
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in placeholders(item, f"{where}.{key}".lstrip("."))]
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in placeholders(item, f"{where}[{i}]")]
    return [where] if isinstance(value, str) and PLACEHOLDER in value else []


def deploy_settings(settings_file: Path, stage: str, folder: Path) -> tuple[Path, dict]:
    """Write the settings copy this deploy uses; answer its path and the stage's merged settings."""
    from catsite_tools.deploy.zappa_stage import stage_config

    merged = stage_config(stage, settings_file)
    missing = placeholders(merged)
    if missing:
        raise SystemExit(
            f"deploy: replace {PLACEHOLDER} in {settings_file.name}, stage {stage}: {', '.join(missing)}"
        )
    check_role_policy(merged, stage, settings_file)
    wrong = check_all(merged)
    if wrong:
        raise SystemExit(f"deploy: stage {stage}: " + "; ".join(wrong))
    env = dict(merged["aws_environment_variables"])
    stages = json.loads(settings_file.read_text())
    stages[stage]["aws_environment_variables"] = env
    merged["aws_environment_variables"] = env
    copy = folder / "zappa_settings.json"
    copy.write_text(json.dumps(stages, indent=4))
    return copy, merged


def check_role_policy(merged: dict, stage: str, settings_file: Path) -> None:
    """The role policy the stage attaches must be the one `scripts/iam-policy` writes for it
    (its bucket, its function): one written for other settings would deploy a function that S3
    refuses, or one allowed more than it needs."""
    from catsite_tools.deploy.iam import stage_policy

    path = merged.get("attach_policy")
    if not path:
        return
    path = ROOT / path  # Zappa opens it from the project folder; an absolute path stays as it is
    bucket = merged["aws_environment_variables"]["CATSITE_BUCKET"]
    if not path.is_file() or json.loads(path.read_text()) != stage_policy(stage, settings_file):
        raise SystemExit(
            f"deploy: {merged['attach_policy']} is not the role policy of stage {stage} "
            f"(bucket {bucket}): run scripts/iam-policy"
        )


def ensure_role(settings_copy: Path, stage: str) -> None:
    """The function's IAM role and its policy, made the way `zappa deploy` makes them (Zappa
    skips this step when given `--zip`)."""
    from zappa.cli import ZappaCLI

    cli = ZappaCLI()
    cli.api_stage = stage
    cli.load_settings(str(settings_copy))
    if cli.manage_roles:
        arn, updated = cli.zappa.create_iam_roles()
        log(f"IAM role {arn} {'created or updated' if updated else 'up to date'}")


def zappa(*args: str, **kwargs) -> subprocess.CompletedProcess:
    """Zappa's CLI from this virtualenv; the settings copy is always passed with `-s`."""
    return run([str(Path(sys.executable).parent / "zappa"), *args], **kwargs)


def status(settings_copy: Path, stage: str) -> bool:
    """True when the stage is deployed (`zappa status` answers), False when it is not."""
    done = zappa("status", stage, "-s", str(settings_copy), capture_output=True)
    if done.returncode == 0:
        log(f"{stage} is deployed: updating it")
        return True
    if NOT_DEPLOYED in done.stdout + done.stderr:
        log(f"{stage} is not deployed yet: deploying it")
        return False
    sys.stderr.write(done.stdout[-2000:] + done.stderr[-2000:])
    raise SystemExit(f"deploy: zappa status {stage} failed")


def site_urls(merged: dict, stage: str, name: str) -> list[str]:
    """The stage's public URLs: API Gateway's stage URL, and the load balancer's when enabled
    (Zappa names both after the function, `name`)."""
    import boto3

    region = merged["aws_region"]
    urls = []
    apis = boto3.client("apigateway", region_name=region).get_rest_apis(limit=500)["items"]
    for api in apis:
        if api["name"] == name:
            urls.append(f"https://{api['id']}.execute-api.{region}.amazonaws.com/{stage}")
    if merged.get("alb_enabled"):
        balancers = boto3.client("elbv2", region_name=region).describe_load_balancers(Names=[name])
        urls += [f"https://{lb['DNSName']}" for lb in balancers["LoadBalancers"]]
    return urls


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def ensure_published_doors(merged: dict, stage: str, name: str) -> None:
    """SnapStart works only through a published version or alias: repair what invokes `$LATEST`,
    then read every door back; any left wrong fails the deploy."""
    import boto3

    from catsite_tools.deploy.invoke_target import doors, problems, repair_rest_integrations, snap_start_on

    if not snap_start_on(merged):
        return
    client = boto3.Session(region_name=merged["aws_region"]).client
    repair_rest_integrations(client, name, merged, stage, log=log)
    wrong = problems(client, name, merged)
    for door, arn in doors(client, name, bool(merged.get("alb_enabled"))).items():
        log(f"{door} invokes {arn}")
    if wrong:
        raise SystemExit("deploy: SnapStart is not in use: " + "; ".join(wrong))
    log("every door invokes the newest published version through an alias (SnapStart on)")


def package(stage: str) -> Path:
    done = run([str(ROOT / "scripts" / "package"), stage], stdout=subprocess.PIPE)
    print(done.stdout, end="", flush=True)
    if done.returncode != 0:
        raise SystemExit("deploy: scripts/package failed")
    return Path(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/deploy", description=__doc__.split("\n\n")[0])
    parser.add_argument("stage", help="a stage of the settings file, e.g. dev or prod")
    parser.add_argument(
        "--origin", action="append", default=[], help="another site origin for the bucket's CORS"
    )
    parser.add_argument("--zip", type=Path, help="deploy this zip instead of running scripts/package")
    parser.add_argument(
        "--settings",
        type=Path,
        default=ROOT / "zappa_settings.json",
        help="Zappa settings (zappa_settings.json)",
    )
    args = parser.parse_args(argv)

    zip_path = (args.zip or package(args.stage)).resolve()
    if not zip_path.is_file():
        raise SystemExit(f"deploy: no zip at {zip_path}")
    with tempfile.TemporaryDirectory(prefix="catsite-deploy-") as folder:
        settings_copy, merged = deploy_settings(args.settings.resolve(), args.stage, Path(folder))
        stage = StageContext(
            args.stage, merged, settings_copy, function_name(args.stage, settings_copy), log=log
        )
        prepare_all(stage)
        ensure_role(settings_copy, args.stage)
        deployed = status(settings_copy, args.stage)
        if (
            not deployed
            and zappa("deploy", args.stage, "-s", str(settings_copy), "--zip", str(zip_path)).returncode
        ):
            raise SystemExit(f"deploy: zappa deploy {args.stage} failed")
        name = stage.function
        if not deployed:
            ensure_published_doors(merged, args.stage, name)
        urls = site_urls(merged, args.stage, name)
        bucket = merged["aws_environment_variables"]["CATSITE_BUCKET"]
        public = merged["aws_environment_variables"].get("CATSITE_PUBLIC_URL")
        # The browser's uploads come from the site's public origin (its pages' origin), when it has one.
        site = [origin(public)] if public else [origin(u) for u in urls]
        origins = list(dict.fromkeys([o.rstrip("/") for o in args.origin] + site))
        log(f"bucket s3://{bucket}")
        setup_stage_bucket(bucket, merged["aws_region"], origins, log=lambda m: log(f"  {m}"))
        publish = [
            str(ROOT / "scripts" / "publish-static"),
            "--stage",
            args.stage,
            "--settings",
            str(settings_copy),
        ]
        if run(publish).returncode:
            raise SystemExit("deploy: publish-static failed")
        if (
            deployed
            and zappa("update", args.stage, "-s", str(settings_copy), "--zip", str(zip_path)).returncode
        ):
            raise SystemExit(f"deploy: zappa update {args.stage} failed")
        if deployed:
            ensure_published_doors(merged, args.stage, name)
        stage.urls = urls
        apply_all(stage)
        urls = stage.urls
    print(f"{args.stage} is live:")
    for url in urls:
        print(f"  {url}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""scripts/rehearse: the deploy rehearsed against a local AWS, checked after every step.

For each stage, as an identity holding only the stage's deployer policy (`scripts/iam-policy`
writes it; the emulator enforces it): `scripts/deploy` (first run: `zappa deploy`), traffic
through every front door, `scripts/deploy` again (`zappa update`) and a check that every door
runs the new version, `zappa status`, `scripts/undeploy`; after each, what exists is compared
with what the stage's settings ask for (`checks`, `doors`, `operations`), and at the end nothing
may be left but what Zappa keeps by design. The local AWS (`emulators`) is ministack by default,
which runs the deployed zip and serves it through API Gateway and the ALB (`serve`); `--emulator moto`
checks the resources only. Dummy credentials, its own process on 127.0.0.1 and a free port:
nothing here can reach AWS.

The settings are a rehearsal copy of zappa_settings.json in a temporary folder: `CHANGE-ME`
replaced by the emulator's ids, each stage's role policy written for the rehearsal's bucket (as
`scripts/iam-policy` writes it), `"touch": false`, and on an emulator that serves, the stage's
S3 and Parameter Store endpoints (`AWS_ENDPOINT_URL_S3`: browsers reach the emulator's S3, not
AWS's; `AWS_ENDPOINT_URL_SSM`), where its distribution is served (`catsite_edge.served_at`: the
site's address is the emulator's, not `https://<id>.cloudfront.net`), a short life for the kept
admin token (the rehearsal rotates it), an API Gateway throttle one client can cross (the
rehearsal checks its 429s) and an alarm address, which the update changes (the topic must then
mail the new one alone). Each stage's admin token is put in the emulator's Parameter Store
(the smoke test deletes its picture with it). The operations of each stage (`operations`) are
checked after every deploy, exercised after the first, and gone after undeploy.

`--hold` (one stage, on ministack) deploys the stage and runs the smoke, then prints one JSON line
on stdout, `{"stage", "endpoint", "site", "doors": {"cdn", "rest", "alb"?}, "function", "bucket"}`
(every other line goes to stderr), and keeps the stage until SIGINT or SIGTERM; then it undeploys
and checks that nothing is left, as without it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import boto3

from catsite_tools import ROOT
from catsite_tools.deploy.deployer import deployer_policy
from catsite_tools.deploy.iam import stage_policy
from catsite_tools.deploy.zappa_stage import function_name, stage_config, stage_names
from catsite_tools.local.s3 import DUMMY_CREDENTIALS
from catsite_tools.rehearse import checks, operations, serve
from catsite_tools.rehearse.checks import ORIGIN, REGION
from catsite_tools.rehearse.doors import check_schedule_gone
from catsite_tools.rehearse.emulators import EMULATORS

DEPLOYS_BUCKET = "catsite-deploys-rehearsal"
ZAPPA = str(Path(sys.executable).parent / "zappa")


class Rehearsal:
    """What every check needs: clients of the emulator, `check`, `run`, the settings copy."""

    def __init__(self, emulator, folder: Path):
        self.emulator = emulator
        self.endpoint = emulator.url
        self.folder = folder
        self.settings = folder / "zappa_settings.json"
        self.differences: list[str] = []
        self.deployers: dict[str, dict] = {}
        credentials = {key.lower(): value for key, value in DUMMY_CREDENTIALS.items()}
        self.session = boto3.Session(region_name=REGION, **credentials)
        keep = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        self.env = {
            **keep,
            **DUMMY_CREDENTIALS,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        }

    def client(self, service: str):
        return self.session.client(service, endpoint_url=self.endpoint)

    def check(self, what: str, actual, expected) -> None:
        if actual == expected:
            print(f"  ok   {what}: {actual}", flush=True)
        else:
            print(f"  DIFF {what}: {actual!r}, expected {expected!r}", flush=True)
            self.differences.append(what)

    def run(self, command: list[str], env: dict | None = None) -> subprocess.CompletedProcess:
        print("$ " + " ".join(command), flush=True)
        done = subprocess.run(
            command, cwd=ROOT, env=env or self.env, text=True, capture_output=True, check=False
        )
        print(
            "".join(f"    {line}\n" for line in (done.stdout + done.stderr).splitlines()), end="", flush=True
        )
        return done

    def alb_prerequisites(self) -> dict:
        """What an ALB stage needs and Zappa does not create: a VPC with two subnets in two
        availability zones, a security group admitting 443, an ACM certificate."""
        ec2 = self.client("ec2")
        vpc = ec2.create_vpc(CidrBlock="10.42.0.0/16")["Vpc"]["VpcId"]
        subnets = [
            ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.42.{i}.0/24", AvailabilityZone=f"{REGION}{zone}")[
                "Subnet"
            ]["SubnetId"]
            for i, zone in enumerate("ab", start=1)
        ]
        group = ec2.create_security_group(GroupName="catsite-alb", Description="HTTPS in", VpcId=vpc)[
            "GroupId"
        ]
        ec2.authorize_security_group_ingress(
            GroupId=group,
            IpPermissions=[
                {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
            ],
        )
        certificate = self.client("acm").request_certificate(DomainName="cat.example.com")["CertificateArn"]
        print(
            f"emulator: VPC {vpc}, subnets {', '.join(subnets)}, security group {group}, certificate",
            flush=True,
        )
        return {"CertificateArn": certificate, "SubnetIds": subnets, "SecurityGroupIds": [group]}

    def write_settings(
        self, alb: dict, cors_origins: str = "", alarm_email: str = operations.ALARM_EMAIL
    ) -> Path:
        """The rehearsal's zappa_settings.json (see the module's docstring); `cors_origins` is
        every stage's `CATSITE_CORS_ORIGINS`, `alarm_email` every stage's alarm address."""
        stages = json.loads((ROOT / "zappa_settings.json").read_text())
        for name, stage in stages.items():
            stage["touch"] = False
            if "s3_bucket" in stage:
                stage["s3_bucket"] = DEPLOYS_BUCKET
            if "alb_vpc_config" in stage:
                stage["alb_vpc_config"] = alb
            env = stage.get("aws_environment_variables")
            if env is not None:
                env["CATSITE_BUCKET"] = f"catsite-{name}-rehearsal"
                env["CATSITE_CORS_ORIGINS"] = cors_origins
                if self.emulator.serves:
                    # low enough for one client to cross: the burst check sees the 429s
                    stage.setdefault("catsite_operations", {})["api_throttle"] = operations.REHEARSAL_THROTTLE
                    stage["catsite_operations"]["alarm_email"] = alarm_email
                    env["AWS_ENDPOINT_URL_S3"] = self.endpoint
                    env["AWS_ENDPOINT_URL_SSM"] = self.endpoint
                    env["CATSITE_ADMIN_TOKEN_TTL_SECONDS"] = str(operations.TOKEN_TTL_SECONDS)
        for stage in stages.values():
            if self.emulator.serves and "aws_environment_variables" in stage:
                stage["catsite_edge"] = {
                    **(stage.get("catsite_edge") or {}),
                    "served_at": self.emulator.distribution_address(),
                }
        self.settings.write_text(json.dumps(stages, indent=4))
        for name in stages:
            path = self.folder / f"policy-{name}.json"
            path.write_text(json.dumps(stage_policy(name, self.settings), indent=4))
            stages[name]["attach_policy"] = str(path)
        self.settings.write_text(json.dumps(stages, indent=4))
        return self.settings

    def deployer(self, stage: str) -> dict:
        """The environment of the identity that deploys `stage`: an IAM user holding only the
        policy `scripts/iam-policy` writes for it (`catsite_tools.deploy.deployer`), which the
        emulator enforces (ministack with IAM on); made once per stage."""
        if stage not in self.deployers:
            iam = self.client("iam")
            user = f"{function_name(stage, self.settings)}-deployer"
            iam.create_user(UserName=user)
            document = json.dumps(deployer_policy(stage, self.settings))
            iam.put_user_policy(UserName=user, PolicyName="deploy-the-stage", PolicyDocument=document)
            key = iam.create_access_key(UserName=user)["AccessKey"]
            env = {k: v for k, v in self.env.items() if k != "AWS_SESSION_TOKEN"}  # a user's own key
            self.deployers[stage] = {
                **env,
                "AWS_ACCESS_KEY_ID": key["AccessKeyId"],
                "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"],
            }
            print(
                f"emulator: {stage} is deployed by IAM user {user}, holding only its deployer policy",
                flush=True,
            )
        return self.deployers[stage]

    def put_admin_tokens(self) -> None:
        """Each stage's admin token where the stage looks for it: a SecureString in Parameter
        Store (the smoke test deletes its picture with it)."""
        ssm = self.client("ssm")
        for name, stage in json.loads(self.settings.read_text()).items():
            parameter = (stage.get("aws_environment_variables") or {}).get("CATSITE_ADMIN_TOKEN_PARAMETER")
            if parameter:
                ssm.put_parameter(
                    Name=parameter, Value=serve.ADMIN_TOKEN, Type="SecureString", Overwrite=True
                )
                print(f"emulator: {name}'s admin token in Parameter Store, {parameter}", flush=True)

    # -- one stage ------------------------------------------------------------------------------

    def deploy(self, stage: str, zip_path: Path | None, first: bool) -> tuple[dict, str]:
        config = {**stage_config(stage, self.settings), "stage": stage}
        name = function_name(stage, self.settings)
        command = [str(ROOT / "scripts" / "deploy"), stage, "--settings", str(self.settings)]
        done = self.run(
            command + ["--origin", ORIGIN] + (["--zip", str(zip_path)] if zip_path else []),
            self.deployer(stage),
        )
        self.check("scripts/deploy exit status", done.returncode, 0)
        said = f"{stage} is not deployed yet" if first else f"{stage} is deployed: updating it"
        self.check(f"chose zappa {'deploy' if first else 'update'}", said in done.stdout, True)
        checks.check_deployed(self, stage, config, name)
        operations.check_operations(self, stage, config, name)
        urls = checks.expected_printed_urls(self, name, config)
        self.check("printed the site's URLs", checks.printed_urls(done.stdout), urls)
        return config, name

    def rehearse(self, stage: str, zip_path: Path | None, short: bool, alb: dict, hold=None) -> None:
        print(f"\n== {stage}: scripts/deploy (a first deploy)", flush=True)
        config, name = self.deploy(stage, zip_path, first=True)
        versions = checks.versions(self, name)
        if self.emulator.serves:
            print(f"\n== {stage}: traffic through every front door", flush=True)
            serve.smoke_every_door(self, name, config)
            serve.check_origin(self, name, config, allowed=False)
            print(f"\n== {stage}: failed work, alarms, the throttle, a rotated secret", flush=True)
            operations.exercise(self, stage, config, name)
        if hold is not None:
            hold(self.held(stage, name, config))
            short = True

        if not short:
            print(f"\n== {stage}: scripts/deploy again (an update)", flush=True)
            self.write_settings(
                alb, cors_origins=serve.UPDATE_ORIGIN, alarm_email=operations.UPDATE_ALARM_EMAIL
            )
            config, name = self.deploy(stage, zip_path, first=False)
            # one or more: with SnapStart, Zappa publishes the code, then a version with the new
            # configuration (the doors' checks above see that they invoke the newest)
            self.check("a new version published", checks.versions(self, name) > versions, True)
            if self.emulator.serves:
                serve.check_origin(self, name, config, allowed=True)
            self.write_settings(alb)

            print(f"\n== {stage}: zappa status", flush=True)
            done = self.run([ZAPPA, "status", stage, "-s", str(self.settings)], self.deployer(stage))
            self.check("zappa status exit status", done.returncode, 0)
            self.check("status names the function", f"Lambda Name:          {name}" in done.stdout, True)
            apis = checks.rest_apis(self, name)
            self.check("status shows the API URL", bool(apis) and apis[0]["id"] in done.stdout, True)

        print(f"\n== {stage}: scripts/undeploy", flush=True)
        function_arn = (checks.function(self, name) or {}).get("FunctionArn")
        done = self.run(
            [str(ROOT / "scripts" / "undeploy"), stage, "--settings", str(self.settings)],
            self.deployer(stage),
        )
        self.check("scripts/undeploy exit status", done.returncode, 0)
        checks.check_gone(self, stage, name, config)
        operations.check_operations_gone(self, name)
        check_schedule_gone(self, function_arn, name)
        role = f"{name}-ZappaLambdaExecutionRole"
        roles = [r["RoleName"] for r in self.client("iam").list_roles()["Roles"]]
        bucket = config["aws_environment_variables"]["CATSITE_BUCKET"]
        print(f"  kept by design: IAM role {role} ({'present' if role in roles else 'absent'}), ", end="")
        print(f"bucket {bucket} (the stage's data), {DEPLOYS_BUCKET} (Zappa's)", flush=True)

    def held(self, stage: str, name: str, config: dict) -> dict:
        """What `--hold` prints: where the held stage is, on the emulator and as AWS would name it."""
        doors = serve.door_urls(self, name, config)
        return {
            "stage": stage,
            "endpoint": self.endpoint,
            "site": doors["cdn"][0] if "cdn" in doors else None,
            "doors": {kind: url for kind, (_aws, url) in doors.items()},
            "function": name,
            "bucket": config["aws_environment_variables"]["CATSITE_BUCKET"],
        }


class Hold:
    """`--hold`: print where the stage is (one JSON line on the real stdout), then wait for SIGINT
    or SIGTERM. Everything else the rehearsal prints goes to stderr meanwhile."""

    def __init__(self, out):
        self.out = out
        self.stop = threading.Event()

    def __call__(self, where: dict) -> None:
        previous = {
            sig: signal.signal(sig, lambda *_: self.stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)
        }
        try:
            self.out.write(json.dumps(where) + "\n")
            self.out.flush()
            print("holding the stage: SIGINT (Ctrl-C) or SIGTERM undeploys it", file=sys.stderr, flush=True)
            while not self.stop.wait(0.5):
                pass
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        print("\n== released: undeploying", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/rehearse", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--stage", action="append", help="rehearse only this stage (repeatable; default: every stage)"
    )
    parser.add_argument(
        "--zip",
        action="append",
        default=[],
        metavar="STAGE=ZIP",
        help="use this zip for STAGE instead of packaging",
    )
    parser.add_argument(
        "--short", action="store_true", help="deploy then undeploy only (no update, no status)"
    )
    parser.add_argument(
        "--emulator",
        choices=sorted(EMULATORS),
        default="ministack",
        help="the local AWS: ministack runs and serves the function (default); moto checks resources only",
    )
    parser.add_argument(
        "--hold",
        action="store_true",
        help="with one --stage: deploy and smoke it, print where it is (one JSON line on stdout), keep it "
        "until SIGINT or SIGTERM, then undeploy and check",
    )
    args = parser.parse_args(argv)
    stages = args.stage or stage_names(ROOT / "zappa_settings.json")
    zips = dict(item.split("=", 1) for item in args.zip)
    if args.hold and (len(stages) != 1 or not EMULATORS[args.emulator].serves):
        parser.error("--hold takes exactly one --stage, on an emulator that serves (ministack)")
    out = sys.stdout
    with contextlib.redirect_stdout(sys.stderr) if args.hold else contextlib.nullcontext():
        return rehearse_all(args, stages, zips, Hold(out) if args.hold else None)


def rehearse_all(args, stages: list[str], zips: dict, hold: Hold | None) -> int:
    started = time.monotonic()
    emulator_class = EMULATORS[args.emulator]
    with tempfile.TemporaryDirectory(prefix="catsite-rehearsal-") as folder, emulator_class() as emulator:
        print(f"emulator: {emulator.name}, {emulator.url}, pid {emulator.process.pid}", flush=True)
        rehearsal = Rehearsal(emulator, Path(folder))
        alb = rehearsal.alb_prerequisites()
        rehearsal.write_settings(alb)
        rehearsal.put_admin_tokens()
        for stage in stages:
            rehearsal.rehearse(stage, Path(zips[stage]) if stage in zips else None, args.short, alb, hold)
        print("\n== after every undeploy", flush=True)
        for kind, names in checks.leftovers(rehearsal).items():
            rehearsal.check(f"{kind} left", names, [])
        print("emulator: stopping", flush=True)
    seconds = time.monotonic() - started
    if rehearsal.differences:
        print(
            f"\nrehearsal FAILED ({seconds:.0f} s), differences: {', '.join(rehearsal.differences)}",
            file=sys.stderr,
        )
        return 1
    done = f"deployed, {'served, ' if emulator.serves else ''}checked and undeployed"
    print(f"\nrehearsal passed on {emulator.name} in {seconds:.0f} s: {', '.join(stages)} {done}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""scripts/rehearse: the deploy rehearsed against a local AWS emulator, checked after every step.

For each stage: `scripts/deploy` (first run: `zappa deploy`), `scripts/deploy` again (`zappa
update`), `zappa status`, `zappa undeploy`; after each, what exists in the emulator is compared
with what the stage's settings ask for. The emulator is moto's server with the behaviours Zappa
needs added (scripts/lib/catsite_tools/aws_emulator.py), its own process on 127.0.0.1 and a free port, with
dummy credentials: nothing here can reach AWS. The settings are a rehearsal copy of
zappa_settings.json in a temporary folder, `CHANGE-ME` replaced by the emulator's ids and
`"touch": false` (the function cannot be invoked: moto's Invoke needs Docker).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import boto3
from zappa.core import ALB_LAMBDA_ALIAS

from catsite.web.static import build_assets
from catsite.web.static import manifest as static_manifest
from catsite_tools.local_s3 import DUMMY_CREDENTIALS, LocalS3
from catsite_tools.rehearse_doors import check_doors, check_schedule, check_schedule_gone
from catsite_tools.zappa_stage import function_name, stage_config, stage_names

ROOT = Path(__file__).resolve().parents[3]
REGION = "us-east-1"
ORIGIN = "https://cat.example.com"
DEPLOYS_BUCKET = "catsite-deploys-rehearsal"
ZAPPA = str(Path(sys.executable).parent / "zappa")


class AwsEmulator(LocalS3):
    """moto's server with the extensions of `catsite_tools.aws_emulator`, every AWS service on one port."""

    def server_command(self) -> list[str]:
        return [
            sys.executable,
            str(ROOT / "scripts" / "lib" / "catsite_tools" / "aws_emulator.py"),
            "-H",
            self.host,
            "-p",
            str(self.port),
        ]


class Rehearsal:
    def __init__(self, endpoint: str, folder: Path):
        self.endpoint = endpoint
        self.folder = folder
        self.differences: list[str] = []
        credentials = {key.lower(): value for key, value in DUMMY_CREDENTIALS.items()}
        self.session = boto3.Session(region_name=REGION, **credentials)
        keep = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        self.env = {
            **keep,
            **DUMMY_CREDENTIALS,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        }

    def client(self, service: str):
        return self.session.client(service, endpoint_url=self.endpoint)

    # -- reporting ------------------------------------------------------------------------------

    def check(self, what: str, actual, expected) -> None:
        if actual == expected:
            print(f"  ok   {what}: {actual}", flush=True)
        else:
            print(f"  DIFF {what}: {actual!r}, expected {expected!r}", flush=True)
            self.differences.append(what)

    def run(self, command: list[str]) -> subprocess.CompletedProcess:
        print("$ " + " ".join(command), flush=True)
        done = subprocess.run(command, cwd=ROOT, env=self.env, text=True, capture_output=True, check=False)
        print(
            "".join(f"    {line}\n" for line in (done.stdout + done.stderr).splitlines()), end="", flush=True
        )
        return done

    # -- set-up ---------------------------------------------------------------------------------

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

    def settings_copy(self, alb: dict) -> Path:
        """zappa_settings.json with every CHANGE-ME replaced and `touch` off, in the temp folder."""
        stages = json.loads((ROOT / "zappa_settings.json").read_text())
        for name, stage in stages.items():
            stage["touch"] = False
            if "s3_bucket" in stage:
                stage["s3_bucket"] = DEPLOYS_BUCKET
            if "aws_environment_variables" in stage:
                stage["aws_environment_variables"]["CATSITE_BUCKET"] = f"catsite-{name}-rehearsal"
            if "alb_vpc_config" in stage:
                stage["alb_vpc_config"] = alb
        path = self.folder / "zappa_settings.json"
        path.write_text(json.dumps(stages, indent=4))
        return path

    # -- what exists ----------------------------------------------------------------------------

    def function(self, name: str) -> dict | None:
        try:
            return self.client("lambda").get_function_configuration(FunctionName=name)
        except self.client("lambda").exceptions.ResourceNotFoundException:
            return None

    def versions(self, name: str) -> int:
        return len(self.client("lambda").list_versions_by_function(FunctionName=name)["Versions"])

    def rest_apis(self, name: str) -> list[dict]:
        return [
            api for api in self.client("apigateway").get_rest_apis(limit=500)["items"] if api["name"] == name
        ]

    def live_stacks(self, name: str) -> list[str]:
        stacks = self.client("cloudformation").list_stacks()["StackSummaries"]
        return [
            s["StackStatus"]
            for s in stacks
            if s["StackName"] == name and s["StackStatus"] != "DELETE_COMPLETE"
        ]

    def load_balancers(self, name: str) -> list[dict]:
        return [
            lb
            for lb in self.client("elbv2").describe_load_balancers()["LoadBalancers"]
            if lb["LoadBalancerName"] == name
        ]

    def target_groups(self, name: str) -> list[dict]:
        return [
            tg
            for tg in self.client("elbv2").describe_target_groups()["TargetGroups"]
            if tg["TargetGroupName"] == name
        ]

    # -- checks ---------------------------------------------------------------------------------

    def check_deployed(self, stage: str, config: dict, name: str) -> dict:
        env = dict(config["aws_environment_variables"])
        bucket = env["CATSITE_BUCKET"]
        env["CATSITE_STATIC_URL"] = f"https://{bucket}.s3.{REGION}.amazonaws.com/static"
        fn = self.function(name) or {}
        self.check("function", fn.get("FunctionName"), name)
        self.check("runtime", fn.get("Runtime"), config["runtime"])
        self.check("handler", fn.get("Handler"), config["lambda_handler"])
        self.check("timeout (s)", fn.get("Timeout"), config["timeout_seconds"])
        self.check("memory (MB)", fn.get("MemorySize"), config["memory_size"])
        self.check("environment", fn.get("Environment", {}).get("Variables"), env)

        apis = self.rest_apis(name)
        self.check("REST APIs named " + name, len(apis), 1)
        if apis:
            apigateway = self.client("apigateway")
            stages = [s["stageName"] for s in apigateway.get_stages(restApiId=apis[0]["id"])["item"]]
            self.check("REST API stages", stages, [stage])
            paths = sorted(
                r["path"] for r in apigateway.get_resources(restApiId=apis[0]["id"], limit=500)["items"]
            )
            self.check("REST API resources", paths, ["/", "/{proxy+}"])
        self.check(
            "CloudFormation stack", [s for s in self.live_stacks(name) if not s.endswith("_COMPLETE")], []
        )

        s3 = self.client("s3")
        policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
        public = sorted(s["Resource"] for s in policy["Statement"])
        self.check(
            "bucket policy",
            public,
            [f"arn:aws:s3:::{bucket}/pics/public/*", f"arn:aws:s3:::{bucket}/static/*"],
        )
        origins = s3.get_bucket_cors(Bucket=bucket)["CORSRules"][0]["AllowedOrigins"]
        site = f"https://{apis[0]['id']}.execute-api.{REGION}.amazonaws.com" if apis else None
        self.check(
            "bucket CORS origins", sorted(origins), sorted([ORIGIN, site] + self.alb_origins(name, config))
        )
        manifest = json.loads(s3.get_object(Bucket=bucket, Key="static/manifest.json")["Body"].read())
        self.check("published static manifest", manifest, static_manifest(build_assets(ROOT / "static")))

        if config.get("alb_enabled"):
            self.check_alb(name, config, fn)
        else:
            self.check("load balancers named " + name, self.load_balancers(name), [])
        if fn:
            check_doors(self, name, config, fn)
            check_schedule(self, name, config, fn)
        return fn

    def site_urls(self, name: str, config: dict) -> list[str]:
        urls = [
            f"https://{api['id']}.execute-api.{REGION}.amazonaws.com/{config['stage']}/"
            for api in self.rest_apis(name)
        ]
        return urls + [f"{origin}/" for origin in self.alb_origins(name, config)]

    @staticmethod
    def printed_urls(output: str) -> list[str]:
        tail = output.split(" is live:\n", 1)[-1] if " is live:\n" in output else ""
        return [line.strip() for line in tail.splitlines() if line.startswith("  https://")]

    def alb_origins(self, name: str, config: dict) -> list[str]:
        if not config.get("alb_enabled"):
            return []
        return [f"https://{lb['DNSName']}" for lb in self.load_balancers(name)]

    def check_alb(self, name: str, config: dict, fn: dict) -> None:
        elbv2 = self.client("elbv2")
        balancers = self.load_balancers(name)
        self.check("load balancers named " + name, len(balancers), 1)
        if not balancers:
            return
        lb = balancers[0]
        self.check(
            "load balancer subnets",
            sorted(z["SubnetId"] for z in lb["AvailabilityZones"]),
            sorted(config["alb_vpc_config"]["SubnetIds"]),
        )
        attributes = {
            a["Key"]: a["Value"]
            for a in elbv2.describe_load_balancer_attributes(LoadBalancerArn=lb["LoadBalancerArn"])[
                "Attributes"
            ]
        }
        idle = int(attributes.get("idle_timeout.timeout_seconds", 0))
        self.check(
            f"idle timeout {idle} s >= function timeout {fn.get('Timeout')} s",
            idle >= fn.get("Timeout", 0),
            True,
        )
        listeners = elbv2.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]
        self.check("listeners", [(li["Protocol"], li["Port"]) for li in listeners], [("HTTPS", 443)])
        groups = self.target_groups(name)
        self.check("target groups named " + name, [g["TargetType"] for g in groups], ["lambda"])
        if listeners and groups:
            self.check(
                "listener certificate",
                [c["CertificateArn"] for c in listeners[0]["Certificates"]],
                [config["alb_vpc_config"]["CertificateArn"]],
            )
            self.check(
                "listener forwards to",
                [a.get("TargetGroupArn") for a in listeners[0]["DefaultActions"]],
                [groups[0]["TargetGroupArn"]],
            )
            group_attributes = {
                a["Key"]: a["Value"]
                for a in elbv2.describe_target_group_attributes(TargetGroupArn=groups[0]["TargetGroupArn"])[
                    "Attributes"
                ]
            }
            self.check(
                "multi-value headers", group_attributes.get("lambda.multi_value_headers.enabled"), "true"
            )
            targets = [
                t["Target"]["Id"]
                for t in elbv2.describe_target_health(TargetGroupArn=groups[0]["TargetGroupArn"])[
                    "TargetHealthDescriptions"
                ]
            ]
            self.check("target", targets, [f"{fn.get('FunctionArn')}:{ALB_LAMBDA_ALIAS}"])
            alias = self.client("lambda").get_alias(FunctionName=name, Name=ALB_LAMBDA_ALIAS)[
                "FunctionVersion"
            ]
            self.check("the target's alias points at the latest version", alias, str(self.versions(name) - 1))

    def check_gone(self, stage: str, name: str, config: dict) -> None:
        self.check("function", self.function(name), None)
        self.check("REST APIs named " + name, self.rest_apis(name), [])
        self.check("CloudFormation stacks", self.live_stacks(name), [])
        self.check("load balancers named " + name, self.load_balancers(name), [])
        self.check("target groups named " + name, self.target_groups(name), [])

    def leftovers(self) -> dict:
        """Everything the emulator still holds of the kinds Zappa creates."""
        return {
            "functions": [f["FunctionName"] for f in self.client("lambda").list_functions()["Functions"]],
            "rest apis": [a["name"] for a in self.client("apigateway").get_rest_apis()["items"]],
            "stacks": [
                s["StackName"]
                for s in self.client("cloudformation").list_stacks()["StackSummaries"]
                if s["StackStatus"] != "DELETE_COMPLETE"
            ],
            "load balancers": [
                lb["LoadBalancerName"]
                for lb in self.client("elbv2").describe_load_balancers()["LoadBalancers"]
            ],
            "target groups": [
                tg["TargetGroupName"] for tg in self.client("elbv2").describe_target_groups()["TargetGroups"]
            ],
            "event rules": [r["Name"] for r in self.client("events").list_rules()["Rules"]],
        }

    # -- one stage ------------------------------------------------------------------------------

    def rehearse(self, stage: str, settings: Path, zip_path: Path | None, short: bool) -> None:
        config = {**stage_config(stage, settings), "stage": stage}
        name = function_name(stage, settings)
        deploy = [str(ROOT / "scripts" / "deploy"), stage, "--settings", str(settings), "--origin", ORIGIN]
        if zip_path:
            deploy += ["--zip", str(zip_path)]

        print(f"\n== {stage}: scripts/deploy (a first deploy)", flush=True)
        done = self.run(deploy)
        self.check("scripts/deploy exit status", done.returncode, 0)
        self.check("chose zappa deploy", f"{stage} is not deployed yet" in done.stdout, True)
        self.check_deployed(stage, config, name)
        self.check("printed the site's URLs", self.printed_urls(done.stdout), self.site_urls(name, config))
        versions = self.versions(name)

        if not short:
            print(f"\n== {stage}: scripts/deploy again (an update)", flush=True)
            done = self.run(deploy)
            self.check("scripts/deploy exit status", done.returncode, 0)
            self.check("chose zappa update", f"{stage} is deployed: updating it" in done.stdout, True)
            self.check_deployed(stage, config, name)
            # one or more: with SnapStart, Zappa publishes the code, then a version with the new
            # configuration (the doors' checks above see that they invoke the newest)
            self.check("a new version published", self.versions(name) > versions, True)

            print(f"\n== {stage}: zappa status", flush=True)
            done = self.run([ZAPPA, "status", stage, "-s", str(settings)])
            self.check("zappa status exit status", done.returncode, 0)
            self.check("status names the function", f"Lambda Name:          {name}" in done.stdout, True)
            apis = self.rest_apis(name)
            self.check("status shows the API URL", bool(apis) and apis[0]["id"] in done.stdout, True)

        print(f"\n== {stage}: zappa undeploy", flush=True)
        function_arn = (self.function(name) or {}).get("FunctionArn")
        done = self.run([ZAPPA, "undeploy", stage, "--yes", "-s", str(settings)])
        self.check("zappa undeploy exit status", done.returncode, 0)
        self.check_gone(stage, name, config)
        check_schedule_gone(self, function_arn, name)
        role = f"{name}-ZappaLambdaExecutionRole"
        roles = [r["RoleName"] for r in self.client("iam").list_roles()["Roles"]]
        bucket = config["aws_environment_variables"]["CATSITE_BUCKET"]
        print(f"  kept by design: IAM role {role} ({'present' if role in roles else 'absent'}), ", end="")
        print(f"bucket {bucket} (the stage's data), {DEPLOYS_BUCKET} (Zappa's)", flush=True)


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
    args = parser.parse_args(argv)
    stages = args.stage or stage_names(ROOT / "zappa_settings.json")
    zips = dict(item.split("=", 1) for item in args.zip)

    with tempfile.TemporaryDirectory(prefix="catsite-rehearsal-") as folder, AwsEmulator() as emulator:
        print(
            f"emulator: extended moto server, {emulator.url}, pid {emulator.process.pid}",
            flush=True,
        )
        rehearsal = Rehearsal(emulator.url, Path(folder))
        settings = rehearsal.settings_copy(rehearsal.alb_prerequisites())
        for stage in stages:
            rehearsal.rehearse(stage, settings, Path(zips[stage]) if stage in zips else None, args.short)
        print("\n== after every undeploy", flush=True)
        for kind, names in rehearsal.leftovers().items():
            rehearsal.check(f"{kind} left", names, [])
        print("emulator: stopping", flush=True)
    if rehearsal.differences:
        print(
            f"\nrehearsal FAILED, differences: {', '.join(rehearsal.differences)}",
            file=sys.stderr,
        )
        return 1
    print(f"\nrehearsal passed: {', '.join(stages)} deployed, checked and undeployed")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""What a stage has beyond Zappa's own resources, applied after every deploy and removed at
undeploy: one ordered list of steps, so `scripts/deploy` and `scripts/undeploy` stay the same
whatever a stage gains.

Each entry of `STEPS` is a module-level object with `apply(stage: StageContext)` (idempotent: a
second deploy changes nothing) and `remove(stage: StageContext)` (before `zappa undeploy`, in
reverse order), and a `name` for the log. A step may also have `prepare(stage)`, run before
`zappa deploy` or `update` with the same context: what the function's environment must name
(`stage.config["aws_environment_variables"]`, written to the settings copy Zappa reads) is decided
there; and `check(config)`, the problems of the stage's settings, asked before anything is
deployed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from catsite_tools.deploy import operations
from catsite_tools.deploy.edge import EDGE


@dataclass
class StageContext:
    stage: str
    #: The stage's settings as Zappa reads them (`zappa_stage.stage_config` of the deploy's copy).
    config: dict
    #: The deploy's copy of zappa_settings.json (never the committed file).
    settings_file: Path
    #: The Lambda function's name.
    function: str
    log: Callable[[str], None] = print
    #: The stage's URLs as the deploy found them (API Gateway, the load balancer, ...); steps may add.
    urls: list[str] = field(default_factory=list)

    @property
    def region(self) -> str:
        return self.config["aws_region"]


#: Applied in order after each deploy and update; removed in reverse order at undeploy.
#: The edge first: the operations step's alarms watch its distribution.
STEPS: list = [EDGE, operations.STEP]


def check_all(config: dict) -> list[str]:
    """What each step finds wrong with the stage's settings (a step's optional `check(config)`),
    asked before the deploy creates anything."""
    return [problem for step in STEPS if hasattr(step, "check") for problem in step.check(config)]


def prepare_all(stage: StageContext) -> None:
    for step in STEPS:
        prepare = getattr(step, "prepare", None)
        if prepare is not None:
            stage.log(f"{step.name}: preparing")
            prepare(stage)


def apply_all(stage: StageContext) -> None:
    for step in STEPS:
        stage.log(f"{step.name}: applying")
        step.apply(stage)


def remove_all(stage: StageContext) -> None:
    for step in reversed(STEPS):
        stage.log(f"{step.name}: removing")
        step.remove(stage)

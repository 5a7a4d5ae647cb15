"""A deadline that runs out on cue, to stop long work at a chosen point."""

from __future__ import annotations

from catsite.deadline import Deadline, OutOfTime


class ExpiresAfter(Deadline):
    """A deadline that runs out after `checks` checks: stops the work at a chosen point."""

    def __init__(self, checks: int):
        super().__init__(3600)
        self.left = checks

    def check(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise OutOfTime("test")

"""How long long work may run before its front door or its invocation gives up.

A request through API Gateway is cut at about 29 s, one through the ALB at the Lambda timeout; a
job runs until its own invocation's timeout. Long work asks a Deadline, between steps, whether it
still has time: the Lambda context says how long the invocation has left, the door how long the
client will wait, and without a context (the local server) a configured budget stands in.
"""

from __future__ import annotations

import contextvars
import time

#: The Lambda context of the invocation being handled, for work that Zappa calls without it
#: (a `@task` runs as `func(*args)`); set by the entry point, `catsite.awslambda.handler`.
invocation_context: contextvars.ContextVar = contextvars.ContextVar("catsite_lambda_context", default=None)

#: Seconds kept in hand: enough to abort cleanly and answer (or record a job's state).
SAFETY_SECONDS = 3.0


class OutOfTime(Exception):
    """The work must stop now to finish cleanly before its deadline."""


class Deadline:
    def __init__(self, seconds: float, context=None, safety: float = SAFETY_SECONDS):
        """At most `seconds` from now, and never past what `context` (a Lambda context) has left."""
        self._ends = time.monotonic() + seconds
        self._context = context
        self.safety = safety

    def remaining(self) -> float:
        left = self._ends - time.monotonic()
        if self._context is not None:
            left = min(left, self._context.get_remaining_time_in_millis() / 1000)
        return left

    def check(self) -> None:
        """Raise OutOfTime when less than the safety margin is left."""
        if self.remaining() < self.safety:
            raise OutOfTime(f"{max(self.remaining(), 0):.1f} s left")

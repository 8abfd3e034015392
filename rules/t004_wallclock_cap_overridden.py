"""T004 wallclock-cap-overridden."""

from auditor.findings import Severity
from auditor.registry import Rule, Skip
from rules._common import claim_note, run_severity


class WallclockCapOverridden(Rule):
    """The run's configuration voids the training wall-clock cap.

    Checks:
    The configuration each log dumps (hyperparameters, or the launch command's environment):
    ``MAX_WALLCLOCK_SECONDS`` set to 0 (no cap) or above the ruleset's cap, and ``FORCE_STOP_STEP``
    (a fixed step count that ignores the wall clock). Either makes the run's time a matter of luck
    rather than of the cap.

    Why:
    README: training must run in under 10 minutes. #1908 used ``FORCE_STOP_STEP=4945``, which
    ignores the cap, and its seed 42 took 601,153 ms; it was re-run organically in #1956.

    Fails:
    A hyperparameter dump with ``max_wallclock_seconds: 0.0``, or ``FORCE_STOP_STEP=4945`` in the
    logged command.

    Passes:
    ``max_wallclock_seconds: 600.0`` and no forced stop step.
    """

    id = "T004"
    name = "wallclock-cap-overridden"
    severity = Severity.ERROR
    ruling = "WALLCLOCK-OVERRIDE"
    tracks = ("record",)

    def check(self, ctx):
        cap = ctx.ruleset.caps["train_seconds"]
        runs = [r for r in ctx.evidence.runs if r.run.max_wallclock_seconds or r.run.force_stop_step]
        if not runs:
            raise Skip("no log dumps MAX_WALLCLOCK_SECONDS or FORCE_STOP_STEP")
        for run in runs:
            wall, force = run.run.max_wallclock_seconds, run.run.force_stop_step
            value = _float(wall.value) if wall else None
            if value is not None and (value <= 0 or value > cap):
                what = "disables the cap" if value <= 0 else f"is above the {cap:.0f} s cap"
                yield self.finding(f"MAX_WALLCLOCK_SECONDS = {wall.value} {what}{claim_note(ctx, run)}",
                                   path=run.rel, line=wall.line, value=value, limit=cap, unit="s",
                                   severity=run_severity(ctx, run))
            if force is not None and _float(force.value) not in (None, 0.0):
                yield self.finding(f"FORCE_STOP_STEP = {force.value} stops at a fixed step regardless of the wall "
                                   f"clock{claim_note(ctx, run)}", path=run.rel, line=force.line,
                                   severity=run_severity(ctx, run))
            elif value is not None and 0 < value <= cap:
                yield self.evidence(f"{run.rel}: MAX_WALLCLOCK_SECONDS {wall.value}")


def _float(text: str):
    try:
        return float(text)
    except (TypeError, ValueError):
        return None

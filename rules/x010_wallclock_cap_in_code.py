"""X010 wallclock-cap-in-code."""

from auditor.findings import Severity
from auditor.registry import Rule, Skip
from rules._code import need_code

KEYS = ("MAX_WALLCLOCK_SECONDS", "FORCE_STOP_STEP")


class WallclockCapInCode(Rule):
    """The script's own defaults void the training wall-clock cap, and no log shows otherwise.

    Checks:
    The effective value of ``MAX_WALLCLOCK_SECONDS`` (0 or above the ruleset's cap) and of
    ``FORCE_STOP_STEP`` (non-zero) as the code reads them, when no log prints the value (T004 judges
    logged values): the code default, or the README's run command.

    Why:
    README: training in under 10 minutes. A forced stop step ignores the wall clock (#1908, 601 s;
    re-run in #1956).

    Fails:
    ``max_wallclock_seconds = float(os.environ.get("MAX_WALLCLOCK_SECONDS", 0))`` with no log dump.

    Passes:
    ``float(os.environ.get("MAX_WALLCLOCK_SECONDS", 600.0))``.
    """

    id = "X010"
    name = "wallclock-cap-in-code"
    severity = Severity.ERROR
    ruling = "WALLCLOCK-OVERRIDE"
    tracks = ("record",)

    def check(self, ctx):
        config = need_code(ctx).config
        cap = ctx.ruleset.caps["train_seconds"]
        found = [(k, config.by_env[k], config.value(k)) for k in KEYS if k in config.by_env]
        found = [(k, s, v) for k, s, v in found if v is not None and not v.source.startswith("log")]
        if not found:
            raise Skip("the code reads no wall-clock setting, or the logs show its value (T004)")
        for key, setting, value in found:
            number = _number(value.value)
            bad = (number is not None and (number <= 0 or number > cap)) if key == KEYS[0] else bool(number)
            if bad:
                yield self.finding(f"{key} = {value.value} ({value.source}) "
                                   + ("voids the cap" if key == KEYS[0] else "stops at a fixed step, not on the clock"),
                                   path=setting.path, line=setting.line, value=number,
                                   limit=cap if key == KEYS[0] else None, unit="s" if key == KEYS[0] else "")
            else:
                yield self.evidence(f"{key} = {value.value} ({value.source})", path=setting.path, line=setting.line)


def _number(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None

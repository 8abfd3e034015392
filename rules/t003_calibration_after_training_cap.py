"""T003 calibration-after-training-cap."""

import re

from auditor.findings import Severity
from auditor.registry import Rule, Skip

RESERVE_KEYS = ("gptq_reserve_seconds", "gptq_reserve_s")
CALIBRATION_STEP = re.compile(r"hessian|calibrat|collect", re.IGNORECASE)


class CalibrationAfterTrainingCap(Rule):
    """Calibration on training data (GPTQ Hessians) runs after the training loop stopped at the
    cap, without a time reserve that covers it.

    Checks:
    Runs whose log shows a calibration / Hessian-collection step on training data after the
    training stop line. The reserve set aside inside the cap (``gptq_reserve_seconds``, or the cap
    minus the logged ``effective=`` budget) must cover the calibration time the log prints (or, with
    no printed time, be at least the ruleset's ``min_calibration_reserve_seconds``). Calibration on
    self-generated (autoregressive) data is not training-data access and passes.

    Why:
    Training-data access after the 600 s window counts as training (ruled illegal for #535, #569,
    #593, #609; the fix is a reserve such as ``GPTQ_RESERVE_SECONDS``). Maintainers still accepted
    small reserves (#1855: 0.5 s reserve, 4.7 s of Hessians), hence a warning; #1868 re-ran #1851
    with an 8 s reserve to settle it.

    Fails:
    ``gptq:reserving 0s, effective=600000ms`` … ``stopping_early: wallclock_cap`` …
    ``GPTQ:collected 67 Hessians in 4.7s``.

    Passes:
    ``gptq:reserving 12s, effective=588000ms`` with Hessians collected in 3.4 s.
    """

    id = "T003"
    name = "calibration-after-training-cap"
    severity = Severity.WARNING
    ruling = "POST-CAP-CALIBRATION"
    tracks = ("record",)

    def check(self, ctx):
        cap_s = ctx.ruleset.caps["train_seconds"]
        floor = ctx.ruleset.caps.get("min_calibration_reserve_seconds", 0.0)
        calibrated = [r for r in ctx.evidence.runs if r.run.gptq.calibration_source == "train"
                      and r.run.training.stop_line and r.run.gptq.calibration.line > r.run.training.stop_line]
        if not calibrated:
            raise Skip("no calibration on training data after the training loop")
        for run in calibrated:
            g = run.run.gptq
            reserve = _reserve_s(run.run, cap_s)
            took = max((t.duration.to_seconds() or 0.0 for t in g.timings if CALIBRATION_STEP.search(t.label)),
                       default=None)
            need = took if took is not None else floor
            if reserve is None or reserve < need:
                yield self.finding(
                    f"calibration on training data after the training cap ({_fmt(took)}) with a reserve of "
                    f"{_fmt(reserve)}: about {_fmt((need or 0) - (reserve or 0))} of training-data work outside the budget",
                    path=run.rel, line=g.calibration.line, value=reserve, limit=need, unit="s",
                    evidence=[f"line {run.run.training.stop_line}: {run.run.training.stop_text[:100]}",
                              f"line {g.calibration.line}: {g.calibration.value[:100]}"])
            else:
                yield self.evidence(f"{run.rel}: reserve {_fmt(reserve)} covers calibration {_fmt(took)}")


def _reserve_s(run, cap_s):
    """Seconds reserved inside the cap: the dumped hyperparameter, else cap - effective budget."""
    for key in RESERVE_KEYS:
        value = _float(run.hyperparameter(key))
        if value is not None:
            return value
    budget = run.gptq.effective_budget
    if budget is not None and budget.to_seconds() is not None:
        return max(cap_s - budget.to_seconds(), 0.0)
    return run.gptq.reserve.to_seconds() if run.gptq.reserve is not None else None


def _float(text):
    try:
        return float(text.value) if text is not None else None
    except ValueError:
        return None


def _fmt(seconds) -> str:
    return "unknown time" if seconds is None else f"{seconds:.1f} s"

"""R006 rerun-over-time-cap."""

import re

from auditor.findings import Confidence, Severity
from auditor.registry import Rule
from rules._common import wallclock_grace_ms
from rules._rerun import need_rerun, scored


class RerunOverTimeCap(Rule):
    """A re-run's training or evaluation took longer than its cap.

    Checks:
    For each finished re-run: the training time its log prints (with the overshoot of the step in
    flight allowed to a wall-clock stop, as in T001) against the training cap, and the longest
    evaluation time it prints against the evaluation cap. The GPUs the re-run had are recorded;
    only on the ruleset's hardware (8 processes on H100s) is a time over the cap an error; on other
    hardware it is information, since times there say nothing about the cap. The wall time of the
    whole run, measured outside the process, is given as evidence.

    Why:
    README: training must "reproducibly run in under 10 minutes on 8xH100s", and evaluation may
    take at most 10 more minutes. A re-run measures both on hardware the reviewer controls.

    Fails:
    On 8×H100, the re-run's log prints ``stopping_early: wallclock_cap train_time:640000ms
    step:4200/20000`` (the cap check came too late), or a final ``eval_time:688000ms``.

    Passes:
    On 8×H100, ``stopping_early: wallclock_cap train_time:599952ms step:10424/20000`` and a final
    evaluation of ``eval_time:289945ms``.
    """

    id = "R006"
    name = "rerun-over-time-cap"
    severity = Severity.ERROR
    ruling = "README-CAP-TRAIN"
    scope = "rerun"

    def check(self, ctx):
        outcome = need_rerun(ctx)
        hardware, on_ref = _hardware(ctx, outcome)
        caps = ctx.ruleset.caps
        for run, log, ev in scored(ctx):
            t = log.training
            evals = [x.duration.to_ms() for x in log.eval_times() if x.duration.to_ms() is not None]
            checks = [("training", t.train_time_ms, caps["train_seconds"] * 1000 + wallclock_grace_ms(t),
                       caps["train_seconds"], t.stop_line or (t.train_time.line if t.train_time else None),
                       "README-CAP-TRAIN"),
                      ("evaluation", max(evals, default=None), caps["eval_seconds"] * 1000, caps["eval_seconds"],
                       ev.line, "README-CAP-EVAL")]
            for what, ms, limit_ms, cap_s, line, ruling in checks:
                if ms is None:
                    continue
                text = f"seed {run.seed}: {what} took {ms / 1000:,.1f} s on {hardware} (run wall time {run.wall_s:,.1f} s)"
                if ms <= limit_ms:
                    yield self.evidence(f"{text}, within {cap_s} s", path=run.log, line=line)
                elif on_ref:
                    yield self.finding(f"{text}, over the {cap_s} s cap", path=run.log, line=line,
                                       value=round(ms / 1000, 3), limit=cap_s, unit="s", ruling=ruling)
                else:
                    yield self.finding(f"{text}, over the {cap_s} s cap, but not on the reference hardware: "
                                       "not judged", path=run.log, line=line, value=round(ms / 1000, 3),
                                       limit=cap_s, unit="s", ruling=ruling, severity=Severity.INFO,
                                       confidence=Confidence.LOW)


def _hardware(ctx, outcome) -> tuple[str, bool]:
    """How the re-run's hardware reads ("8 × NVIDIA H100 80GB HBM3"), and whether it is the ruleset's."""
    hw = ctx.ruleset["hardware"]
    gpus = list(outcome.environment.get("gpus") or [])
    used = gpus[:outcome.nproc]
    if not used:
        return f"{outcome.nproc} process(es), no GPU", False
    names = ", ".join(dict.fromkeys(used))
    ok = len(used) == outcome.nproc == hw["gpu_count"] and all(re.search(hw["gpu_pattern"], n, re.I) for n in used)
    return f"{outcome.nproc} × {names}", ok

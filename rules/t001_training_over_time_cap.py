"""T001 training-over-time-cap."""

from auditor.findings import Severity
from auditor.registry import Rule, Skip
from rules._common import claim_note, run_severity, wallclock_grace_ms


class TrainingOverTimeCap(Rule):
    """A run's training took longer than the 600-second cap.

    Checks:
    The training time each log prints (``stopping_early: wallclock_cap train_time:…ms``, the last
    step's ``train_time``) against the ruleset's training cap. A run stopped by the wall-clock check
    finishes the step in flight, so it may pass the cap by up to two average steps (at least 0.5 s),
    as the baseline and every accepted record do; a run stopped any other way (a fixed number of
    steps) gets no grace. Runs the claim does not rest on are warnings.

    Why:
    README: a record must "reproducibly run in under 10 minutes on 8xH100s"; #1908's seed 42 ran
    601,153 ms and had to be re-run (#1956).

    Fails:
    ``stopping_early: wallclock_cap train_time:2400107ms step:14171/20000``.

    Passes:
    ``stopping_early: wallclock_cap train_time:599952ms step:10424/20000``.
    """

    id = "T001"
    name = "training-over-time-cap"
    severity = Severity.ERROR
    ruling = "README-CAP-TRAIN"
    tracks = ("record",)

    def check(self, ctx):
        cap_ms = ctx.ruleset.caps["train_seconds"] * 1000
        timed = [(r, r.run.training) for r in ctx.evidence.runs if r.run.training.train_time_ms is not None]
        if not timed:
            raise Skip("no log prints a training time")
        for run, t in timed:
            if t.train_time_ms > cap_ms + wallclock_grace_ms(t):
                yield self.finding(f"training took {t.train_time_ms / 1000:,.1f} s, over the {cap_ms / 1000:.0f} s cap"
                                   + claim_note(ctx, run), path=run.rel, line=t.stop_line or t.train_time.line,
                                   value=round(t.train_time_ms / 1000, 3), limit=cap_ms / 1000, unit="s",
                                   severity=run_severity(ctx, run))
            else:
                yield self.evidence(f"{run.rel}: training {t.train_time_ms / 1000:.1f} s")


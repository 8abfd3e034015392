"""T002 eval-over-time-cap."""

from auditor.findings import Severity
from auditor.registry import Rule, Skip
from rules._common import claim_note, run_severity


class EvalOverTimeCap(Rule):
    """The evaluation that produced a run's reported score took longer than the 600-second cap.

    Checks:
    The eval time printed on (or for) each run's reported final evaluation against the ruleset's
    evaluation cap. Every evaluation phase with a printed time is listed as evidence, so that work
    outside the reported timer is visible; compile warm-up and decompression may sit outside it
    (RULES.md §8).

    Why:
    README: "We won't accept submissions that take more than 10 minutes on 8xH100 to evaluate";
    #1972's evaluation ran about 688 s.

    Fails:
    ``legal_ttt_exact val_loss:2.79 val_bpb:1.0831 eval_time:688000ms``.

    Passes:
    ``legal_ttt_exact val_loss:2.79788378 val_bpb:1.08314800 eval_time:289945ms``.
    """

    id = "T002"
    name = "eval-over-time-cap"
    severity = Severity.ERROR
    ruling = "README-CAP-EVAL"
    tracks = ("record",)

    def check(self, ctx):
        cap_ms = ctx.ruleset.caps["eval_seconds"] * 1000
        timed = [(r, r.score()) for r in ctx.evidence.scored_runs if r.score().eval_time is not None]
        if not timed:
            raise Skip("no reported evaluation prints its time")
        for run, ev in timed:
            ms = ev.eval_time.to_ms()
            phases = [f"{t.label or 'eval'}: {t.duration.raw} {t.duration.unit}" for t in run.run.eval_times()]
            if ms is not None and ms > cap_ms:
                yield self.finding(f"the reported evaluation ({ev.tag}) took {ms / 1000:,.1f} s, over the "
                                   f"{cap_ms / 1000:.0f} s cap" + claim_note(ctx, run), path=run.rel, line=ev.line,
                                   value=round(ms / 1000, 3), limit=cap_ms / 1000, unit="s",
                                   severity=run_severity(ctx, run), evidence=phases)
            elif ms is not None:
                yield self.evidence(f"{run.rel}: {ev.tag} {ms / 1000:.1f} s")

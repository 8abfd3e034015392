"""L003 single-run-claimed-as-mean."""

from auditor.evidence import Outcome, mean
from auditor.findings import Severity
from auditor.registry import Rule, Skip
from rules._common import fmt_bpb


class SingleRunClaimedAsMean(Rule):
    """The headline score is one run's score although the folder holds several runs.

    Checks:
    When the JSON's val_bpb matches no mean over a set of runs but equals the final score of one
    run while two or more runs exist, the finding names that run, says whether it is the best one,
    and gives the mean the runs actually support.

    Why:
    README: significance is shown over several runs; reporting the best seed (or one designated
    run) as if it were the result overstates the record. Flagged on #640 (best seed 1.1565 against a
    3-seed mean of 1.1570) and #2058 (one seed's non-sliding score).

    Fails:
    ``"val_bpb": 1.1565`` with seed logs ending 1.1568, 1.1565 and 1.1578 (mean 1.15703).

    Passes:
    ``"val_bpb": 1.15703`` for the same three logs.
    """

    id = "L003"
    name = "single-run-claimed-as-mean"
    severity = Severity.ERROR
    ruling = "README-SIGNIFICANCE"

    def check(self, ctx):
        ev = ctx.evidence
        m = ev.match
        if m.outcome is not Outcome.SINGLE:
            raise Skip("the claim is not a single run's score")
        runs = ev.scored_runs
        if len(runs) < 2:
            yield self.evidence("the only scored run is the claim")
            return
        best = min(runs, key=lambda r: float(r.score().val_bpb.value))
        which = "the best run" if best.rel == m.runs[0].rel else "one run"
        reported = [r.score().val_bpb for r in runs]
        yield self.finding(
            f"claimed val_bpb {fmt_bpb(m.claim.value)} is {which}'s {m.kind.value} score "
            f"({m.label}:{m.line}), not a mean: the {len(runs)} runs' reported scores average "
            f"{fmt_bpb(mean(reported), 8)}", path=ctx.submission.rel, line=m.claim.line,
            value=m.claim.value, evidence=[f"{r.rel}:{r.score().line}: {r.score().kind.value} "
                                           f"{r.score().val_bpb.raw}" for r in runs])

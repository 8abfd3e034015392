"""L004 claim-not-end-to-end."""

from auditor.evidence import Outcome, mean
from auditor.findings import Severity
from auditor.registry import Rule, Skip
from rules._common import fmt_bpb


class ClaimNotEndToEnd(Rule):
    """The headline score is backed, but not by the runs' own final scores of end-to-end runs.

    Checks:
    When the claim is the mean of a set of runs, two things are checked. (1) The set is made of
    evaluation-only re-runs (no training in the log) while end-to-end logs exist whose mean
    differs. (2) The matched score kind is not the runs' last final score (e.g. the claim is the
    sliding-window mean while every run goes on to a test-time-training score). Either is a warning
    with both means, so reviewers see which evidence the number rests on.

    Why:
    README: the numbers come from the automatically produced logs of the submitted code; #1787's
    claim came from eval-only re-runs in a sub-folder (accepted, but worth a note), and choosing the
    better of several final evaluations is a pass selection (C4, #1017).

    Fails:
    ``"val_bpb": 1.06335`` = the mean of ``ttt_pr1767/seed_*.log`` (evaluation only), while the
    end-to-end ``train_seed*.log`` average 1.06378.

    Passes:
    A claim equal to the mean of the end-to-end logs' reported scores.
    """

    id = "L004"
    name = "claim-not-end-to-end"
    severity = Severity.WARNING
    ruling = "README-CLAIMS"

    def check(self, ctx):
        ev = ctx.evidence
        m = ev.match
        if m.outcome is not Outcome.MEAN:
            raise Skip("the claim is not a mean over runs (L002/L003 report it)")
        where, line = ctx.submission.rel, m.claim.line
        trained = [r for r in ev.scored_runs if r.trained]
        if not any(r.trained for r in m.runs) and trained:
            yield self.finding(
                f"the claim is the mean of {len(m.runs)} evaluation-only run(s) ({m.label}); the "
                f"{len(trained)} end-to-end log(s) give {fmt_bpb(mean([r.score().val_bpb for r in trained]), 8)}",
                path=where, line=line, evidence=[r.rel for r in m.runs])
        later = [r for r in m.runs if r.score().kind is not m.kind]
        if later:
            yield self.finding(
                f"the claim is the mean {m.kind.value} score, but the runs' last final scores are "
                f"{later[0].score().kind.value} (mean {fmt_bpb(mean([r.score().val_bpb for r in m.runs]), 8)})",
                path=where, line=line, evidence=[f"{r.rel}:{r.score().line}: {r.score().tag}" for r in later])
        if not later and (any(r.trained for r in m.runs) or not trained):
            yield self.evidence(f"the claim is the mean of the runs' reported {m.kind.value} scores")

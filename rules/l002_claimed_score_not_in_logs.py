"""L002 claimed-score-not-in-logs."""

from auditor.evidence import Outcome, mean
from auditor.findings import Severity
from auditor.registry import Rule, Skip
from rules._common import fmt_bpb


class ClaimedScoreNotInLogs(Rule):
    """The submission's headline val_bpb cannot be derived from its logs.

    Checks:
    The JSON's ``val_bpb`` (or the spelling used instead, e.g. ``mean_val_bpb``) against the mean of
    the final scores of every natural set of runs (all logs, each sub-folder, each naming family
    such as ``*_original`` / ``*_rerun``, the seeds the JSON lists) and every final-score kind,
    within printed precision. It fails when no set's mean, and no single run's final score, gives
    the claim; or when the claim is a periodic or pre-quantization value rather than a final score.

    Why:
    README: every number in the README and submission.json must be re-derivable from the
    automatically produced logs (#86's claim matched no log; #542 claimed a pre-quantization value).

    Fails:
    ``"val_bpb": 1.15015359`` while the only log ends with ``val_bpb:1.16660881``.

    Passes:
    ``"val_bpb": 1.08279384`` with three logs whose final TTT scores average 1.08279384.
    """

    id = "L002"
    name = "claimed-score-not-in-logs"
    severity = Severity.ERROR
    ruling = "README-CLAIMS"

    def check(self, ctx):
        ev = ctx.evidence
        m = ev.match
        if m.outcome in (Outcome.NO_CLAIM, Outcome.NO_RUNS):
            raise Skip("no score claim or no run logs (J002, F001, L001 report those)")
        where = ctx.submission.rel
        if m.outcome is Outcome.UNSUPPORTED:
            yield self.finding(
                f"claimed val_bpb {fmt_bpb(m.claim.value)} ({m.claim.key}) is not the mean of any set of "
                "runs, nor any run's final score", path=where, line=m.claim.line,
                value=m.claim.value, evidence=_candidates(ev))
        elif m.outcome is Outcome.NON_FINAL:
            yield self.finding(
                f"claimed val_bpb {fmt_bpb(m.claim.value)} is a {m.kind.value} score ({m.label}:{m.line}), "
                "not a final post-quantization score", path=where, line=m.claim.line, value=m.claim.value,
                evidence=[f"{m.label}:{m.line}: val_bpb {fmt_bpb(m.value)}"])
        elif m.outcome is Outcome.MEAN:
            yield self.evidence(f"claimed {fmt_bpb(m.claim.value)} = mean {m.kind.value} score of "
                                f"{len(m.runs)} run(s) ({m.label}): {fmt_bpb(m.value, 8)}", path=where,
                                line=m.claim.line)


def _candidates(ev) -> list[str]:
    lines = []
    for s in ev.run_sets[:6]:
        scores = [r.score().val_bpb for r in s.runs]
        lines.append(f"{s.label}: {len(s.runs)} run(s), mean reported val_bpb {fmt_bpb(mean(scores), 8)}")
    return lines

"""L005 per-seed-claim-mismatch."""

from auditor.findings import Severity
from auditor.registry import Rule, Skip
from rules._common import fmt_bpb, logs_of_seed, score_found


class PerSeedClaimMismatch(Rule):
    """A per-seed result in the submission JSON does not match that seed's log.

    Checks:
    Every per-seed block of the JSON (``seeds`` as an object, ``seed_results``,
    ``compliance_rerun.seed_results``): its ``val_bpb`` and ``val_loss`` must equal, within printed
    precision, a final score of a log of the same seed (the seed the log prints, or its file name's).
    A claimed seed with no log at all is also a finding.

    Why:
    README: every number in submission.json must be re-derivable from the logs. Per-seed numbers
    feed the significance test; a value that no log shows cannot be trusted.

    Fails:
    ``"seeds": {"42": {"val_bpb": 1.0820}}`` when ``train_seed42.log`` ends with ``val_bpb:1.08314800``.

    Passes:
    ``"seeds": {"42": {"val_bpb": 1.08314800}}`` for the same log.
    """

    id = "L005"
    name = "per-seed-claim-mismatch"
    severity = Severity.ERROR
    ruling = "README-CLAIMS"

    def check(self, ctx):
        doc = ctx.submission
        claims = doc.seed_claims() if doc is not None and doc.data is not None else []
        claims = [c for c in claims if c.seed is not None and (c.val_bpb or c.val_loss)]
        if not claims:
            raise Skip("no per-seed results in the submission JSON")
        for c in claims:
            logs = logs_of_seed(ctx, c.seed)
            if not logs:
                yield self.finding(f"seed {c.seed} ({c.group}) has no log in the folder", path=doc.rel, line=c.line)
                continue
            for field, claim in (("val_bpb", c.val_bpb), ("val_loss", c.val_loss)):
                if claim is not None and not score_found(logs, field, claim.value, claim.decimals):
                    seen = ", ".join(f"{r.rel}: {_value(r, field)}" for r in logs)
                    yield self.finding(f"seed {c.seed}: {field} {fmt_bpb(claim.value)} ({claim.key}) matches no "
                                       f"final score of its log ({seen})", path=doc.rel, line=claim.line,
                                       value=claim.value)
        yield self.evidence(f"{len(claims)} per-seed result(s) checked against the logs")


def _value(run, field) -> str:
    ev = run.score()
    num = getattr(ev, field) if ev is not None else None
    return num.raw if num is not None else "none"

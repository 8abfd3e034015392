"""R002 rerun-bpb-mismatch."""

from auditor.findings import Confidence, Severity
from auditor.registry import Rule, Skip
from rules._common import fmt_bpb
from rules._rerun import BPB_CAP, BPB_FLOOR, claimed_bpb, per_seed_values, scored, not_comparable, tolerance


class RerunBpbMismatch(Rule):
    """A re-run's val_bpb is outside the tolerance of the val_bpb claimed for that seed.

    Checks:
    Each re-run seed's reported val_bpb (read by the same log parser as the static audit) against
    the value claimed for that seed: the JSON's per-seed result, else the folder's log of that
    seed. Then the mean of the re-run seeds against the headline val_bpb, when every claimed seed
    was re-run (or no per-seed values are claimed). Tolerance: max(0.002 bpb, min(3 sample sd of
    the values claimed for the other seeds, 0.01 bpb)); for the mean, 3 sd of all claimed seeds
    divided by sqrt(n) (``rules/_rerun.py`` explains the floor and the cap). When the re-run trained
    a different number of steps, or evaluated a different number of validation tokens, than the
    claimed run, a mismatch is a low-confidence warning: the numbers are not comparable.

    Why:
    README: records must be reproducible and their numbers must come from real runs; a re-run of
    the same seed with the same code and data should land within run-to-run noise.

    Fails:
    Seed 42 claimed ``"val_bpb": 1.2000`` while its re-run ends with ``val_bpb:1.22436570``.

    Passes:
    Seed 42 claimed ``"val_bpb": 1.2244`` and its re-run ends with ``val_bpb:1.22436570``.
    """

    id = "R002"
    name = "rerun-bpb-mismatch"
    severity = Severity.ERROR
    ruling = "POLICY-RERUN-TOLERANCE"
    scope = "rerun"

    def check(self, ctx):
        runs = scored(ctx)
        compared = 0
        for run, log, ev in runs:
            claim = claimed_bpb(ctx, run.seed)
            if claim is None:
                continue
            compared += 1
            tol, how = tolerance(per_seed_values(ctx, claimed_bpb, exclude=run.seed), BPB_FLOOR, BPB_CAP)
            got = float(ev.val_bpb.value)
            if abs(got - claim.value) > tol:
                yield self._mismatch(f"seed {run.seed}", got, claim.value, claim.where, tol, how, run.log, ev.line,
                                     not_comparable(ctx, run, log))
            else:
                yield self.evidence(f"seed {run.seed}: re-run {fmt_bpb(got)} vs claimed {fmt_bpb(claim.value)} "
                                    f"({claim.where}), within {tol:.4g}", path=run.log, line=ev.line)
        yield from self._mean(ctx, runs, compared)

    def _mean(self, ctx, runs, compared):
        head = ctx.evidence.claim
        seeds = {run.seed for run, _, _ in runs}
        claimed = {c.seed for c in (ctx.submission.seed_claims() if ctx.submission and ctx.submission.data else [])}
        if head is None or not claimed <= seeds:
            if not compared:
                raise Skip("no claimed val_bpb for the re-run seeds")
            return
        got = sum(float(ev.val_bpb.value) for _, _, ev in runs) / len(runs)
        tol, how = tolerance(per_seed_values(ctx, claimed_bpb), BPB_FLOOR, BPB_CAP, n_mean=len(runs))
        where = f"{ctx.submission.rel}:{head.line}"
        if abs(got - head.value) > tol:
            differ = next((d for d in (not_comparable(ctx, r, lg) for r, lg, _ in runs) if d), None)
            yield self._mismatch(f"mean of {len(runs)} re-run seed(s)", got, head.value, where, tol, how,
                                 ctx.submission.rel, head.line, differ)
        else:
            yield self.evidence(f"mean of {len(runs)} re-run seed(s) {fmt_bpb(got)} vs claimed {fmt_bpb(head.value)} "
                                f"({where}), within {tol:.4g}")

    def _mismatch(self, what, got, claimed, where, tol, how, path, line, differ):
        text = (f"{what}: re-run val_bpb {fmt_bpb(got)} vs claimed {fmt_bpb(claimed)} ({where}): "
                f"off by {abs(got - claimed):.4g}, tolerance {tol:.4g} [{how}]")
        if differ:
            return self.finding(f"{text}; {differ}", path=path, line=line, value=round(got, 8), limit=claimed,
                                severity=Severity.WARNING, confidence=Confidence.LOW)
        return self.finding(text, path=path, line=line, value=round(got, 8), limit=claimed)

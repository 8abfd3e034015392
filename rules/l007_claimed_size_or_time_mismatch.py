"""L007 claimed-size-or-time-mismatch."""

from auditor.findings import Severity
from auditor.registry import Rule, Skip
from rules._common import logs_of_seed

TIME_TOLERANCE = (1000.0, 0.05)  # a time claim may differ from its log by 1 s or 5 %, whichever is larger


class ClaimedSizeOrTimeMismatch(Rule):
    """Artifact bytes or times claimed in the submission JSON differ from what the logs print.

    Checks:
    The JSON's ``bytes_total`` must equal the logged total of one of the runs the claim rests on;
    per-seed ``bytes_total`` / ``artifact_bytes`` must equal that seed's logged total; per-seed
    training and evaluation times must agree with the logs (within 1 s or 5 %). A mismatch is a
    warning, and an error when the claimed figure is under the cap while the logged one is over it.

    Why:
    README: numbers must come from the logs; the leaderboard shows the JSON's bytes. Seen: #1184
    wrote a rounded ``bytes_total``; #1412's JSON gave model-only bytes while its logs' totals were
    over 16,000,000.

    Fails:
    ``"bytes_total": 15900000`` when the logs print totals of 15,830,186, 15,684,876 and 15,965,978.

    Passes:
    ``"bytes_total": 15992546``, the logged total of the seed-42 run.
    """

    id = "L007"
    name = "claimed-size-or-time-mismatch"
    severity = Severity.WARNING
    ruling = "README-CLAIMS"

    def check(self, ctx):
        doc = ctx.submission
        if doc is None or doc.data is None or not ctx.evidence.runs:
            raise Skip("no readable submission JSON or no run logs")
        cap = ctx.ruleset.caps["artifact_bytes"]
        totals = [(r, r.run.artifact.total) for r in ctx.evidence.claimed_runs if r.run.artifact.total]
        claim = doc.claim("bytes_total")
        if claim is not None and totals and all(int(claim.value) != int(t.bytes) for _, t in totals):
            yield self._bytes(claim, [t for _, t in totals], cap, doc.rel, "the runs' logged totals")
        for c in doc.seed_claims():
            logs = logs_of_seed(ctx, c.seed) if c.seed is not None else []
            logged = [r.run.artifact.total for r in logs if r.run.artifact.total]
            if c.bytes_total is not None and logged and all(int(c.bytes_total.value) != int(t.bytes) for t in logged):
                yield self._bytes(c.bytes_total, logged, cap, doc.rel, f"seed {c.seed}'s logged total")
            yield from self._times(c, logs, doc.rel, ctx)

    def _bytes(self, claim, logged, cap, rel, what):
        worst = max(int(t.bytes) for t in logged)
        hides = claim.value <= cap < worst
        rounded = " (a rounded figure)" if int(claim.value) % 10000 == 0 else ""
        return self.finding(
            f"{claim.key} = {int(claim.value):,}{rounded} differs from {what}: "
            + ", ".join(f"{int(t.bytes):,}" for t in logged), path=rel, line=claim.line,
            value=int(claim.value), limit=cap, unit="bytes",
            severity=Severity.ERROR if hides else Severity.WARNING,
            evidence=[f"line {t.size.line}: {int(t.bytes):,} bytes" for t in logged])

    def _times(self, c, logs, rel, ctx):
        for claim, logged, cap_s in ((c.train_ms, [r.run.training.train_time_ms for r in logs], "train_seconds"),
                                     (c.eval_ms, [_eval_ms(r) for r in logs], "eval_seconds")):
            logged = [v for v in logged if v is not None]
            if claim is None or not logged or any(_close(claim.value, v) for v in logged):
                continue
            cap = ctx.ruleset.caps[cap_s] * 1000
            hides = claim.value <= cap < max(logged)
            yield self.finding(f"seed {c.seed}: {claim.key} = {claim.value:,.0f} ms differs from the log's "
                               + ", ".join(f"{v:,.0f} ms" for v in logged), path=rel, line=claim.line,
                               value=claim.value, unit="ms", severity=Severity.ERROR if hides else Severity.WARNING)


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= max(TIME_TOLERANCE[0], TIME_TOLERANCE[1] * max(a, b))


def _eval_ms(run):
    ev = run.score()
    return ev.eval_time.to_ms() if ev is not None and ev.eval_time is not None else None

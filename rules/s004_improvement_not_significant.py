"""S004 improvement-not-significant."""

from auditor import stats
from auditor.findings import Severity
from auditor.registry import Rule, Skip
from rules._common import tokenizer_candidates


class ImprovementNotSignificant(Rule):
    """The record does not beat the record before it by a statistically significant margin.

    Checks:
    The claimed runs' per-seed scores against the baseline's: ``--against`` (values or a record
    folder) or the leaderboard frontier before this PR (``--leaderboard``). Both policies are always
    computed and shown: the README's (improvement of at least 0.005 nats at p < 0.01, one-sided, H0:
    improvement <= 0.005 nats) and the maintainers' final one (one-sided Welch at p < 0.25); the
    ruleset's ``statistics.method`` decides the verdict. Nats and BPB convert through the run's own
    ratio ``r = val_bpb / val_loss`` (or the tokenizer's canonical ratio): Δnats = Δbpb / r.

    Why:
    README: a new record must beat the SOTA by at least 0.005 nats with enough logs to show
    p < 0.01 (waived for pure systems speed-ups, which this rule cannot tell: waive it explicitly).
    Final practice (#1902, #2146): a chronological progression, each row at p < 0.25 against the
    previous frontier; #1148 (about 0.0025 nats better) was merged, then removed as not a record.

    Fails:
    Seeds 1.1179, 1.1181, 1.1183 against a frontier of 1.1192, 1.1194, 1.1196 (README policy).

    Passes:
    Seeds 1.0599, 1.0612, 1.0621 against 1.0810, 1.0815, 1.0820.
    """

    id = "S004"
    name = "improvement-not-significant"
    severity = Severity.ERROR
    ruling = "README-SIGNIFICANCE"
    tracks = ("record",)

    def check(self, ctx):
        base = ctx.baseline
        if base is None:
            raise Skip("no baseline: pass --against VALUES|FOLDER or --leaderboard FILE")
        ev = ctx.evidence
        runs = [r for r in ev.claimed_runs if r.score(ev.match.kind) is not None]
        if not runs:
            raise Skip("no scored runs")
        scores = [r.score(ev.match.kind) for r in runs]
        bpb = [float(s.val_bpb.value) for s in scores]
        ratio = _ratio(ctx, runs, scores)
        policy = ctx.ruleset["statistics"]
        if len(bpb) < 2:
            raise Skip("fewer than two runs: no test possible (S001 reports the seed count)")
        welch = _test(bpb, base.bpb, 0.0)
        readme = _test(bpb, base.bpb, 0.005 * ratio)
        chosen = welch if policy["method"] == "welch-one-sided" else readme
        margin_nats = policy["min_delta_nats"]
        text = (f"Δ = {welch.delta:+.5f} BPB = {welch.delta / ratio:+.5f} nats vs {base.label}; "
                f"README bar (≥0.005 nats, p<0.01): p = {readme.p_value:.4g}; "
                f"Welch one-sided: p = {welch.p_value:.4g} (ruleset {ctx.ruleset.id}: {policy['method']}, "
                f"p < {policy['alpha']}, margin {margin_nats} nats)")
        where = ctx.submission.rel if ctx.submission is not None else runs[0].rel
        line = ev.claim.line if ev.claim is not None else None
        if chosen.p_value >= policy["alpha"]:
            ruling = "MAINTAINER-WELCH-P025" if policy["method"] == "welch-one-sided" else self.ruling
            yield self.finding(f"improvement not significant: {text}", path=where, line=line,
                               value=round(chosen.p_value, 6), limit=policy["alpha"], unit="p", ruling=ruling,
                               evidence=[f"candidate: {', '.join(map(str, bpb))}",
                                         f"baseline: {', '.join(map(str, base.bpb))} ({base.source})",
                                         f"nats per BPB: 1/{ratio:.6f}"])
        else:
            yield self.evidence(f"significant: {text}")


def _test(candidate, baseline, margin_bpb):
    if len(baseline) >= 2:
        return stats.welch_one_sided(candidate, list(baseline), margin_bpb)
    return stats.one_sample_one_sided(candidate, baseline[0], margin_bpb)


def _ratio(ctx, runs, scores) -> float:
    """val_bpb per nat: from the runs' own losses, else the tokenizer variant's canonical value."""
    pairs = [(float(s.val_bpb.value), float(s.val_loss.value)) for s in scores if s.val_loss is not None]
    if pairs:
        return sum(b for b, _ in pairs) / sum(n for _, n in pairs)
    return tokenizer_candidates(ctx, runs[0])[0][1]["bpb_per_nat"][0]

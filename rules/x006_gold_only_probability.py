"""X006 gold-only-probability."""

from auditor.code import patterns
from auditor.findings import Confidence, Severity
from auditor.registry import Rule
from rules._code import at, caller_evidence, inactive_evidence, need_code  # noqa: F401


class GoldOnlyProbability(Rule):
    """The scored probability is formed for the gold token only (target in the key, count blends).

    Checks:
    A lookup key that XORs the target into a context hash (``ctx ^ (y * prime)``) before the score
    is accumulated in the same loop (error, medium confidence: the same key after scoring is an
    update and passes); and a ``log`` of a blend whose count term is divided by a context count
    instead of a sum over the vocabulary (warning, medium).

    Why:
    #779 (valerio-oai, 2026-03-27): a target-in-key n-gram score depends on the token it scores (C1).
    #886/#972/#978: gold-only blends are not distributions (sum ≈ 277); with real normalisation
    #978's score went from 0.39 to 1.51 BPB (C2). The renormalised tilt of #1514 is legal.

    Fails:
    ``full = table[(h ^ (y * 1000003)) % size]`` then ``loss_sum += -log((1-a)*p + a*full/ctx_count)``.

    Passes:
    ``q = counts / counts.sum(-1, keepdim=True)`` over the vocabulary, mixed and then gathered.
    """

    id = "X006"
    name = "gold-only-probability"
    severity = Severity.ERROR
    confidence = Confidence.MEDIUM
    ruling = "CODE-TARGET-IN-KEY"

    def check(self, ctx):
        code = need_code(ctx)
        found = [(s, d, None) for s, d in patterns.target_in_key(code)]
        found += [(s, d, Severity.WARNING) for s, d in patterns.gold_only_blend(code)]
        for site, detail, severity in found:
            active, why = code.flow.active(site)
            if not active:
                yield inactive_evidence(self, site, why)
                continue
            yield at(self, ctx, site, detail, severity=severity,
                     ruling="CODE-GOLD-ONLY" if severity else None)

"""X006 gold-only-probability."""

from auditor.code import patterns
from auditor.findings import Confidence, Severity
from rules._code import PatternRule


class GoldOnlyProbability(PatternRule):
    """The scored probability is formed for the gold token only (target in the key, count blends).

    Checks:
    A lookup key that mixes the target into a context hash (``ctx ^ (y * prime)``; or a hash built
    with ``h ^= …`` extended by one more validation token) with a score after it in the function, or
    in the caller of a helper that returns the key (error, medium confidence: the same key used only
    after the last score is an update and passes); and a ``log`` of a blend whose count term is
    divided by a context count instead of a sum over the vocabulary, followed back through
    assignments (warning, medium).

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

    def find(self, code):
        for site, detail in patterns.target_in_key(code):
            yield site, detail, {}
        for site, detail in patterns.gold_only_blend(code):
            yield site, detail, {"severity": Severity.WARNING, "ruling": "CODE-GOLD-ONLY"}

"""C003 scored-after-adapting."""

from auditor.registry import Rule
from rules._prove import need_proof, pass_summary, violation_finding


class ScoredAfterAdapting(Rule):
    """A counted score comes from a model state that already adapted on its token (dynamic).

    Checks:
    In the ledger, every adapt (optimizer step, in-place write to a parameter or buffer, weights
    averaged across ranks) records the validation positions that fed it. No counted score of the
    reported pass at position t may come from a state version that adapted on t; the first such
    score is reported with the adapt that saw it.

    Why:
    C3 (README, #402, #1017): test-time training may only use tokens already scored. Pre-quant TTT
    (#1376, #1958), warm-ups with backward on validation tokens (#1530), calibration on validation
    tokens (#1919) and TTT that trains on a chunk before scoring it all break it.

    Fails:
    Epochs of AdamW on the validation tokens after training, then the reported evaluation.

    Passes:
    Score-first chunked TTT: each chunk scored under inference mode, then trained on.
    """

    id = "C003"
    name = "scored-after-adapting"
    scope = "dynamic"
    ruling = "C3-SCORE-BEFORE-ADAPT"

    def check(self, ctx):
        from auditor.dynamic.ledger import check_c3  # numpy: only when proving

        proof = need_proof(ctx)
        run = proof.main
        v = check_c3(run.ledger, run.reported)
        if v is not None:
            yield violation_finding(self, proof, v)
        else:
            yield self.evidence("no counted score comes from a state adapted on its position; " + pass_summary(run))

"""C002 score-not-normalized."""

from auditor.registry import Rule
from rules._prove import need_proof, pass_summary, violation_finding


class ScoreNotNormalized(Rule):
    """A counted score is not -log of a normalized distribution over the vocabulary (dynamic).

    Checks:
    Every counted score of the reported pass comes from a cross-entropy or a gold-token pick of a
    softmax/log-softmax over the whole vocabulary (a mixture of such distributions is checked to
    sum to 1 row by row), and the value that reaches the reported total is that score itself, not
    combined with another tensor after the pick.

    Why:
    C2 (#1017): each score must come from a full probability distribution that sums to one. #972
    divided by the context count instead of the row sum; gold-only n-gram blends (#886) sum to ~277.

    Fails:
    ``p = 0.7 * softmax(logits).gather(-1, y) + 0.3 * ngram_prob_of_gold``, then ``-log(p).sum()``.

    Passes:
    ``p = 0.7 * softmax(logits) + 0.3 * ngram_dist`` over the whole vocabulary, then the gold pick.
    """

    id = "C002"
    name = "score-not-normalized"
    scope = "dynamic"
    ruling = "C2-NORMALIZED"

    def check(self, ctx):
        from auditor.dynamic.ledger import check_c2  # numpy: only when proving

        proof = need_proof(ctx)
        run = proof.main
        v = check_c2(run.ledger, run.reported)
        if v is not None:
            yield violation_finding(self, proof, v)
        else:
            yield self.evidence("every counted score is -log of a normalized distribution; " + pass_summary(run))

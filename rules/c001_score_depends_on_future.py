"""C001 score-depends-on-future."""

from auditor.registry import Rule, Skip
from rules._prove import need_proof, violation_finding


class ScoreDependsOnFuture(Rule):
    """A counted score changes when only later validation tokens change (dynamic, from the ledger).

    Checks:
    The script runs twice on probe streams that agree up to a flip point and differ after it. Every
    counted score of the reported pass at a position before the flip must be the same in both runs
    (within 1e-5 nats, or ten times the noise floor measured by a third run on the same stream, which
    is made on a GPU); the first position that differs is reported, at the call that scored it.

    Why:
    C1 (#1017): the distribution at position t may depend only on the artifact and the strict prefix.
    Look-ahead attention, SLOT, caches or statistics built from the whole validation set all make
    early scores depend on later tokens.

    Fails:
    Attention without the causal mask, or a unigram cache counted over the whole validation split
    before the first score: scores before the flip point move when the tail of the stream changes.

    Passes:
    A causal model whose counted scores before the flip are bitwise equal in both runs.
    """

    id = "C001"
    name = "score-depends-on-future"
    scope = "dynamic"
    ruling = "C1-CAUSAL"

    def check(self, ctx):
        from auditor.dynamic.ledger import check_c1  # numpy: only when proving

        proof = need_proof(ctx)
        if len(proof.runs) < 2 or proof.flip is None:
            raise Skip("C1 needs the second (flipped-future) run; it was not made")
        a, b = proof.runs[:2]
        atol, floor = proof.c1_tolerance()
        v = check_c1(a.ledger, a.reported, b.ledger, b.reported, proof.flip, atol=atol)
        noise = "" if floor is None else f" (noise floor {floor:.2e} nats from a repeated run)"
        if v is not None:
            yield violation_finding(self, proof, v)
        else:
            yield self.evidence(f"counted scores before position {proof.flip} agree within {atol:.0e} nats{noise}")

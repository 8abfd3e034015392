"""C004 not-single-pass."""

from auditor.registry import Rule
from rules._prove import need_proof, violation_finding


class NotSinglePass(Rule):
    """Positions scored twice or never, or a reported score the ledger does not reproduce (dynamic).

    Checks:
    In the reported pass every validation position from 1 to the last one scored has exactly one
    counted score; the mean of the counted NLLs equals the logged val_loss and the BPB recomputed
    with the tokenizer's byte accounting (``reference_model.bpb``) equals the logged val_bpb
    (relative tolerance 1e-5).

    Why:
    C4 (#1017): one left-to-right pass, one score per position, no best-of-passes (#573, #888).
    A byte count that differs from the challenge's (#1804: leading space counted twice) changes
    val_bpb without changing the model.

    Fails:
    ``torch.minimum(nll_pass1, nll_pass2).sum()``; or a byte table that adds the leading space twice.

    Passes:
    A sliding-window eval that counts only the last ``stride`` targets of each window.
    """

    id = "C004"
    name = "not-single-pass"
    scope = "dynamic"
    ruling = "C4-SINGLE-PASS"

    def check(self, ctx):
        from auditor.dynamic.ledger import check_c4, recomputed  # numpy: only when proving

        proof = need_proof(ctx)
        run = proof.main
        v = check_c4(run.ledger, run.reported, proof.table, run.stream)
        if v is not None:
            yield violation_finding(self, proof, v)
            return
        res = recomputed(run.reported, proof.table, run.stream)
        tail = len(run.stream) - 1 - res.tokens
        yield self.evidence(f"positions 1..{res.tokens} scored once each"
                            + (f" (the last {tail} of the probe stream not scored)" if tail else "")
                            + f"; recomputed val_loss {res.val_loss:.8f}, val_bpb {res.val_bpb:.8f} "
                            f"({res.bytes} bytes) match the log")

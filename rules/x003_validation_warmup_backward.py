"""X003 validation-warmup-backward."""

from auditor.findings import Confidence, Severity
from rules._code import AdaptationRule


class ValidationWarmupBackward(AdaptationRule):
    """A warm-up or compile pass runs backward on validation tokens.

    Checks:
    Updates on validation data (see X002) inside a warm-up: ``warm`` in the function name, in an
    enclosing loop's header, or in a message printed just before. Such passes usually throw their
    state away, which the static audit cannot prove; the dynamic ledger (C3) can.

    Why:
    #1530's TTT compile warm-up did ``backward()``/``step()`` on the first validation tokens with a
    throw-away LoRA; flagged by reviewers and merged because no state survives (CODE-VAL-WARMUP,
    conditional). Later records warm up on random tokens.

    Fails:
    ``log("warming up compile")`` then ``ptl = fwd(val_x, val_y, lora=wl); ptl.sum().backward()``.

    Passes:
    The same warm-up on ``torch.randint(0, vocab, …)`` tokens.
    """

    id = "X003"
    name = "validation-warmup-backward"
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM
    ruling = "CODE-VAL-WARMUP"
    kind = "warmup"

    def message(self, a):
        return (f"warm-up pass in {a.site.func.name}() runs backward on validation tokens; legal only if no "
                "state it changes survives into scoring")

"""X003 throwaway-validation-backward."""

from auditor.findings import Confidence, Severity
from rules._code import AdaptationRule


class ThrowawayValidationBackward(AdaptationRule):
    """A warm-up or diagnostic pass runs backward on validation tokens, on state it throws away.

    Checks:
    Updates on validation data (see X002) that are not score-first and sit in a warm-up (``warm`` in
    the function name, an enclosing loop's header, or a message printed just before), or whose
    optimizers train only objects built in the same function (a probe, a throw-away adapter). That
    no state survives into scoring is not provable statically; the dynamic ledger (C3) can prove it.

    Why:
    #1530's TTT compile warm-up did ``backward()``/``step()`` on the first validation tokens with a
    throw-away LoRA (``del wl, wo``); flagged by reviewers and merged because no state survives
    (CODE-VAL-WARMUP, conditional). Later records warm up on random tokens.

    Fails:
    ``log("warming up compile")`` then ``ptl = fwd(val_x, val_y, lora=wl); ptl.sum().backward()``.

    Passes:
    The same warm-up on ``torch.randint(0, vocab, …)`` tokens.
    """

    id = "X003"
    name = "throwaway-validation-backward"
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM
    ruling = "CODE-VAL-WARMUP"
    kinds = ("warmup", "throwaway")

    def message(self, a):
        what = "warm-up pass" if a.kind == "warmup" else "pass that trains only objects it builds itself"
        return (f"{what} in {a.site.func.name}() runs backward on validation tokens; legal only if no state it "
                "changes survives into scoring")

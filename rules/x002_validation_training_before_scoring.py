"""X002 validation-training-before-scoring."""

from auditor.findings import Confidence, Severity
from rules._code import AdaptationRule


class ValidationTrainingBeforeScoring(AdaptationRule):
    """Optimizer steps on validation tokens before those tokens are scored (pre-quant TTT).

    Checks:
    Every ``backward()`` (or ``autograd.grad``) of a loss derived from validation data. It is the legal
    score-first shape when, in an enclosing loop (in its function, or around every call of it), a
    score of validation data with gradients off comes first in the loop body; warm-ups and eval-time
    tensors are X003 and X005. Anything else trains on validation tokens that are scored later: an
    error, with high confidence when a scoring call follows the training call.

    Why:
    README: test-time training only on validation tokens already evaluated (#402); pre-quant TTT
    (``ttt_adapt_adamw`` over ``val_tokens`` then GPTQ then scoring, #1006 lineage) ruled out by
    valerio-oai on #1376 and in cocohearts' audits (#1972).

    Fails:
    ``for epoch in range(ttt_epochs): for batch in val_tokens: loss.backward(); opt.step()`` and then
    ``eval_val_sliding(model, val_tokens)``.

    Passes:
    For each chunk: score it under ``torch.no_grad()`` into ``loss_sum``, then train on it
    (score-first TTT, CODE-SCORE-FIRST-TTT).
    """

    id = "X002"
    name = "validation-training-before-scoring"
    severity = Severity.ERROR
    ruling = "CODE-PREQUANT-TTT"
    kinds = ("ttt",)

    def message(self, a):
        return (f"{a.site.func.name}() trains on validation data (backward at line {a.site.line}) that is "
                "not scored before it: the reported score is taken after adapting on the same tokens")

    def grade(self, a):
        return {"confidence": Confidence.HIGH if a.scored_after is not None else Confidence.MEDIUM}

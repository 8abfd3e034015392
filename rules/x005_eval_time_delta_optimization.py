"""X005 eval-time-delta-optimization."""

from auditor.findings import Confidence, Severity
from rules._code import AdaptationRule


class EvalTimeDeltaOptimization(AdaptationRule):
    """Eval-time logit-bias or hidden-state delta optimisation on the tokens being scored (SLOT, ETLB).

    Checks:
    Updates on validation data (see X002) in a function that creates its own trainable tensors
    (``torch.zeros(…, requires_grad=True)``, ``.requires_grad_()``) and is not score-first: the
    per-window ``delta`` / ``logit_bias`` signature. Whether only already-scored context positions
    feed the loss (causal SLOT) is not visible statically, hence medium confidence.

    Why:
    Standard SLOT optimises on the same targets it then scores; #1240 proved the C1 violation
    (CODE-SLOT). Context-only SLOT was asked about in #1336 with no ruling (CODE-CAUSAL-SLOT).

    Fails:
    ``delta = torch.zeros(…, requires_grad=True)``; AdamW steps on ``cross_entropy(h + delta, y)``;
    then ``loss_sum += nll`` of the same window.

    Passes:
    Score-first TTT with adapters created at eval (scored under ``no_grad`` before each update).
    """

    id = "X005"
    name = "eval-time-delta-optimization"
    severity = Severity.ERROR
    confidence = Confidence.MEDIUM
    ruling = "CODE-SLOT"
    kinds = ("slot",)

    def message(self, a):
        made = ", ".join(a.params[:4])
        return (f"{a.site.func.name}() optimises eval-time tensors ({made}) on validation targets before "
                "scoring them (SLOT/ETLB shape)")

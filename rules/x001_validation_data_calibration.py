"""X001 validation-data-calibration."""

from auditor.code import patterns
from auditor.findings import Severity
from rules._code import PatternRule


class ValidationDataCalibration(PatternRule):
    """Quantization calibration (GPTQ Hessians, AWQ or activation statistics) runs on validation data.

    Checks:
    Calls of calibration functions (names with ``hessian``, ``calibrat``, ``awq``, ``collect_*stat``)
    that receive validation data through the data flow (``val_tokens``, ``fineweb_val_*`` loaders and
    what is derived from them), and calibration functions that read validation data themselves. Code
    behind a flag that the effective configuration turns off is not reported.

    Why:
    README: no validation data during training; calibration statistics fold validation information
    into the artifact (dexhunter on #1919, the #1350/#1351 pre-quant calibration class). Calibration
    on training batches inside the cap or on self-generated text (#1019) is legal.

    Fails:
    ``hessians = collect_hessians(base_model, val_tokens, args)`` before ``gptq_quantize``.

    Passes:
    ``hessians = collect_hessians(base_model, train_loader, args)`` inside the training budget.
    """

    id = "X001"
    name = "validation-data-calibration"
    severity = Severity.ERROR
    ruling = "CODE-VAL-CALIBRATION"

    def find(self, code):
        for site, detail in patterns.val_calibration(code):
            yield site, f"{detail}: calibration statistics from validation tokens go into the quantized artifact", {
                "evidence": ["legal instead: CODE-TRAIN-GPTQ"]}

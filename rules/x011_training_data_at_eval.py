"""X011 training-data-at-eval."""

from auditor.code import patterns
from auditor.findings import Confidence, Severity
from rules._code import PatternRule


class TrainingDataAtEval(PatternRule):
    """A function that scores the validation set also reads training data.

    Checks:
    Functions that accumulate validation scores with gradients off (the eval, sliding-window and TTT
    evaluations) that name training data (``train_files``, ``train_loader``, ``fineweb_train_*``…).
    Names are indirect evidence, hence medium confidence.

    Why:
    README: no training-data access during evaluation unless those bits are paid for in the 16 MB.

    Fails:
    ``eval_val_ttt`` mixing batches from ``DistributedTokenLoader(args.train_files, …)`` into its updates.

    Passes:
    Evaluation functions that read only ``val_tokens`` and the model.
    """

    id = "X011"
    name = "training-data-at-eval"
    severity = Severity.ERROR
    confidence = Confidence.MEDIUM
    ruling = "CODE-TRAIN-DATA-AT-EVAL"

    def find(self, code):
        for site, detail in patterns.train_data_at_eval(code):
            yield site, detail, {}

"""X004 validation-statistics-ahead."""

from auditor.code import patterns
from auditor.findings import Confidence, Severity
from rules._code import PatternRule


class ValidationStatisticsAhead(PatternRule):
    """Caches, tables or n-gram statistics are built from the validation set ahead of scoring it.

    Checks:
    ``bincount``, ``Counter``, ``histc``, ``unique(return_counts=True)`` and calls of the folder's
    ``*ngram*``/``*cache*``/``*table*``/``*hint*``/``*count*`` functions over validation data, when no
    score precedes them in an enclosing loop. An online cache updated after each scored chunk is
    score-first and passes. Statistics can be harmless (document lengths), so this is a warning.

    Why:
    #1017 (C1/C3): a state built from future validation tokens leaks them into earlier scores; the
    #1967 lineage precomputed n-gram hints over the whole validation stream before the timer.

    Fails:
    ``table = build_ngram_table(val_tokens)`` before the sliding-window eval that reads ``table``.

    Passes:
    ``loss_sum += nll`` for a chunk under ``no_grad``, then ``update_ngram_counts(chunk)``.
    """

    id = "X004"
    name = "validation-statistics-ahead"
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM
    ruling = "CODE-VAL-PRECOMPUTE"

    def find(self, code):
        for site, detail in patterns.val_statistics(code):
            yield site, f"{detail}: statistics of tokens not yet scored can leak into their scores", {}

"""D001 val-token-count-mismatch."""

from auditor.findings import Severity
from auditor.registry import Rule, Skip
from rules._common import run_severity, tokenizer_candidates


class ValTokenCountMismatch(Rule):
    """A run evaluated on a validation set of the wrong size.

    Checks:
    The ``val_tokens`` count each log prints against the canonical counts of its tokenizer variant
    (ruleset ``tokenizers``: sp1024 62,021,632 or the launch loader's 63,779,840; sp8192
    40,540,160; sp8192 CaseOps 47,851,520). The variant comes from the logged data or tokenizer
    paths, else the vocabulary size.

    Why:
    README: "Validation always runs on the full fineweb_val_* split, which is the fixed
    first-50k-document set." #1854 inherited ``--val-docs 10000`` and scored 9,662,464 tokens;
    #1835 and #1785 scored subsets and reported them as full validation.

    Fails:
    ``val_tokens: 9662464`` with an sp8192 CaseOps dataset path.

    Passes:
    ``val_tokens: 40540160`` with ``datasets_dir: .../fineweb10B_sp8192``.
    """

    id = "D001"
    name = "val-token-count-mismatch"
    severity = Severity.ERROR
    ruling = "README-FULL-VAL"

    def check(self, ctx):
        runs = [r for r in ctx.evidence.runs if r.run.val_tokens is not None]
        if not runs:
            raise Skip("no log prints its validation token count")
        for run in runs:
            cands = tokenizer_candidates(ctx, run)
            allowed = sorted({v for _, spec in cands for v in spec["val_tokens"]})
            count = int(run.run.val_tokens.value)
            names = "/".join(n for n, _ in cands)
            if count not in allowed:
                yield self.finding(f"{count:,} validation tokens; the canonical {names} set has "
                                   f"{' or '.join(f'{v:,}' for v in allowed)}", path=run.rel,
                                   line=run.run.val_tokens.line, value=count, limit=allowed[0], unit="tokens",
                                   severity=run_severity(ctx, run))
            else:
                yield self.evidence(f"{run.rel}: {count:,} validation tokens ({names})")

"""D003 train-shards-noncanonical."""

from auditor.findings import Severity
from auditor.registry import Rule, Skip
from rules._common import run_severity, tokenizer_candidates


class TrainShardsNoncanonical(Rule):
    """A run trained on more shards than the canonical dataset of its tokenizer variant has.

    Checks:
    The ``train_shards`` count each log prints against the variant's ``train_shards_max`` in the
    ruleset (CaseOps: 80 shards in the canonical dataset). More shards mean locally regenerated
    training data, which for CaseOps started at document 10,000 and so contains 80 % of the scored
    validation documents.

    Why:
    Issue #2127 (accepted in #2146): ``prepare_caseops_data.py --val-docs 10000`` regenerates train
    shards that overlap the validation set; the fingerprint is ``train_shards: 1499`` instead of 80.
    #2018 and #2130 were excluded on these grounds.

    Fails:
    ``train_shards: 1499`` with a ``..._lossless_caps_...`` (CaseOps) dataset path.

    Passes:
    ``train_shards: 80`` with the same path.
    """

    id = "D003"
    name = "train-shards-noncanonical"
    severity = Severity.ERROR
    ruling = "CASEOPS-OVERLAP"

    def check(self, ctx):
        checked = 0
        for run in (r for r in ctx.evidence.runs if r.run.train_shards is not None):
            cands = tokenizer_candidates(ctx, run)
            limits = [s["train_shards_max"] for _, s in cands if "train_shards_max" in s]
            if len(cands) != 1 or not limits:
                continue
            checked += 1
            shards = int(run.run.train_shards.value)
            if shards > limits[0]:
                yield self.finding(f"{shards:,} train shards; the canonical {cands[0][0]} dataset has {limits[0]} "
                                   "(locally regenerated shards overlap the validation documents)", path=run.rel,
                                   line=run.run.train_shards.line, value=shards, limit=limits[0], unit="shards",
                                   severity=run_severity(ctx, run))
            else:
                yield self.evidence(f"{run.rel}: {shards} train shards ({cands[0][0]})")
        if not checked:
            raise Skip("no run of a variant with a canonical shard count prints train_shards")

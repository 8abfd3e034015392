"""D002 bpb-loss-ratio-mismatch."""

from auditor.findings import Confidence, Severity
from auditor.registry import Rule, Skip
from rules._common import run_severity, tokenizer_candidates


class BpbLossRatioMismatch(Rule):
    """A run's val_bpb / val_loss ratio is not the one its validation set implies.

    Checks:
    For one validation set, ``val_bpb = val_loss / ln 2 × tokens / bytes`` so the ratio
    ``val_bpb / val_loss`` is fixed by the tokenizer and data (sp1024 0.59226 or 0.59071 at launch,
    sp8192 0.38713, CaseOps 0.45696). Each run's reported score must give its variant's ratio within
    0.1 % (plus the printed precision). Another ratio means other bytes per token: a changed byte
    accounting, another validation set, or a partial one.

    Why:
    README: if the tokenizer or dataset changes, "prove with certainty that the val_bpb is correctly
    calculated". #1184's byte-fallback tokens counted 3 bytes (+4.1 % bytes, removed in #1806);
    the #1698 lineage counted the leading space twice (+17 %, #1804).

    Fails:
    ``val_loss:2.79517119 val_bpb:0.92900000`` on sp8192 (ratio 0.3324, not 0.3871).

    Passes:
    ``val_loss:2.79517119 val_bpb:1.08209788`` on sp8192 (ratio 0.387131).
    """

    id = "D002"
    name = "bpb-loss-ratio-mismatch"
    severity = Severity.ERROR
    confidence = Confidence.MEDIUM
    ruling = "BPB-BYTES"

    def check(self, ctx):
        scored = [(r, r.score()) for r in ctx.evidence.scored_runs
                  if r.score().val_loss is not None and float(r.score().val_loss.value) > 0]
        if not scored:
            raise Skip("no reported score prints both val_loss and val_bpb")
        for run, ev in scored:
            ratio = float(ev.val_bpb.value) / float(ev.val_loss.value)
            cands = _by_val_tokens(tokenizer_candidates(ctx, run), run)
            slack = _precision(ev)
            near = [(n, c) for n, s in cands for c in s["bpb_per_nat"]
                    if abs(ratio - c) <= c * s.get("ratio_rel_tolerance", 0.001) + slack]
            if not near:
                expect = ", ".join(f"{n} {c:.5f}" for n, s in cands for c in s["bpb_per_nat"])
                yield self.finding(f"val_bpb/val_loss = {ratio:.5f}, not the canonical ratio ({expect}): the bytes "
                                   "per token differ from the validation set's", path=run.rel, line=ev.line,
                                   value=round(ratio, 6), unit="BPB per nat", severity=run_severity(ctx, run))
            else:
                yield self.evidence(f"{run.rel}: ratio {ratio:.5f} ({near[0][0]})")


def _by_val_tokens(cands, run):
    """Keep the variants whose canonical token count is the run's, when it prints one."""
    if run.run.val_tokens is None:
        return cands
    count = int(run.run.val_tokens.value)
    kept = [(n, s) for n, s in cands if count in s["val_tokens"]]
    if not kept:
        return cands
    if len(kept[0][1]["val_tokens"]) == len(kept[0][1]["bpb_per_nat"]):  # the ratio that goes with the count
        n, s = kept[0]
        i = s["val_tokens"].index(count)
        return [(n, {**s, "bpb_per_nat": [s["bpb_per_nat"][i]]})]
    return kept


def _precision(ev) -> float:
    """How far printed rounding alone can move the ratio."""
    b, l = float(ev.val_bpb.value), float(ev.val_loss.value)
    return (b / l) * (ev.val_bpb.half_unit / b + ev.val_loss.half_unit / l)

"""``golf-audit prove``: a proof (live or saved) -> the dynamic rules' verdicts as an AuditResult.

A proof that could not support a verdict (the script crashed, printed no score, nothing traced)
makes every dynamic rule UNVERIFIED with the reason: exit code 3, never a pass.
"""

from __future__ import annotations

import time
from pathlib import Path

from auditor.context import AuditOptions, Context
from auditor.engine import AuditResult, RuleVerdict, Status, audit
from auditor.registry import rules_for


def prove_result(folder: Path, proof, options: AuditOptions | None = None) -> AuditResult:
    start = time.perf_counter()
    ctx = Context.load(folder, options or AuditOptions())
    ctx.proof = proof
    if proof.error:
        verdicts = [RuleVerdict(r.id, r.name, Status.UNVERIFIED, reason=f"could not verify: {proof.error}")
                    for r in rules_for("dynamic")]
        result = AuditResult(str(ctx.root), ctx.ruleset.summary(), ctx.track, verdicts, list(ctx.notes))
    else:
        result = audit(ctx, scope="dynamic")
    result.notes.extend(proof.notes)
    for run in proof.runs:
        if run.native and "error" not in run.native:
            agree = run.native["same_positions"] and (run.native["max_abs_nll_diff"] or 0.0) <= 1e-4
            result.notes.append(f"run {run.label}: the script's own ledger {'agrees' if agree else 'DISAGREES'} "
                                f"with the traced one ({run.native['native']} vs {run.native['traced']} counted "
                                f"positions, max |dNLL| {run.native['max_abs_nll_diff']})")
    result.extra["prove"] = summary(proof)
    result.seconds = time.perf_counter() - start + proof.seconds
    return result


def summary(proof) -> dict:
    """What the proof ran and measured (JSON-ready, for the report's ``extra``)."""
    out = {"seconds": round(proof.seconds, 3), "flip": proof.flip, "error": proof.error,
           "runs": [{"label": r.label, "wall_s": round(r.wall_s, 3), "reported_line": r.reported_line,
                     "error": r.error, **({"native_ledger": r.native} if r.native else {})} for r in proof.runs]}
    run = proof.runs[0] if proof.runs else None
    if run is not None and run.reported is not None and not proof.error:
        from auditor.dynamic.ledger import recomputed

        try:
            res = recomputed(run.reported, proof.table, run.stream)
            out["recomputed"] = {"tokens": res.tokens, "bytes": res.bytes, "val_loss": round(res.val_loss, 8),
                                 "val_bpb": round(res.val_bpb, 8)}
        except ValueError:
            pass
        out["events"] = len(run.ledger.events)
        out["reported"] = {"val_loss": run.reported.val_loss, "val_bpb": run.reported.val_bpb}
    return out

"""Helpers of the dynamic rules C001-C004 (not a rule module)."""

from __future__ import annotations

from auditor.registry import Skip


class ProofUnavailable(RuntimeError):
    """The proof could not support a verdict (the engine reports the rule as unverified)."""


def need_proof(ctx):
    """The context's proof (a live one, or the saved one ``options.proof`` names); Skip without one."""
    proof = ctx.proof
    if proof is None and ctx.options.proof is not None:
        from auditor.dynamic.harness import Proof

        proof = ctx.proof = Proof.load(ctx.options.proof)
    if proof is None:
        raise Skip("dynamic rule: run 'golf-audit prove' to trace the script")
    if proof.error:
        raise ProofUnavailable(f"could not verify: {proof.error}")
    return proof


def violation_finding(rule, proof, v):
    """The finding for a ledger violation: located at the call that scored or adapted."""
    path, line = proof.rel_site(v.site)
    return rule.finding(v.message, path=path or "train_gpt.py", line=line, value=v.value, limit=v.limit,
                        evidence=tuple(v.context))


def pass_summary(run) -> str:
    pos, _ = run.reported.counted()
    return (f"reported pass: {len(run.reported.scores)} score events, {pos.size} counted positions, "
            f"ending at '{run.reported_line.strip()[:80]}'")

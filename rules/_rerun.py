"""Helpers shared by the re-run rules (R001...): claims per seed, tolerances, measured sizes.

Tolerance policy (documented in every R002/R004 message):
- val_bpb: a re-run of seed s confirms the claim for s when ``|rerun - claim| <= max(BPB_FLOOR,
  min(SPREAD_K * sd, BPB_CAP))``, where ``sd`` is the sample standard deviation of the values
  claimed for the *other* seeds (the JSON's per-seed results, else the folder's logs of those
  seeds): a doctored value cannot widen its own tolerance. The floor, 0.002 bpb, covers what a
  re-run of the *same* seed may differ by: non-deterministic GPU kernels, all-reduce order, another
  driver or library build (records' seed-to-seed spreads are typically 0.0003-0.001). The cap,
  0.01 bpb, keeps an unusual claimed spread from hiding a mismatch. The headline mean is checked
  against the mean of the re-run seeds with ``max(BPB_FLOOR, min(SPREAD_K * sd / sqrt(n), BPB_CAP))``
  over all claimed seeds.
- bytes: the same with a floor of 0.2% and a cap of 1% of the claim: a compressed artifact's size
  moves with the weights, a little.
- comparability: when the re-run trained a different number of steps than the claimed run of
  the same seed (a wall-clock cap on other hardware), or evaluated another number of validation
  tokens (other data), the numbers cannot confirm or refute each other; mismatches are then
  warnings of low confidence, saying so.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from auditor.registry import Skip
from rules._common import logs_of_seed

BPB_FLOOR = 0.002
BPB_CAP = 0.01
BYTES_REL_FLOOR = 0.002
BYTES_REL_CAP = 0.01
SPREAD_K = 3.0
NOT_ARTIFACT = re.compile(r"\.(pt|pth|py|json|md|npz?|safetensors)$", re.IGNORECASE)


@dataclass(frozen=True)
class Claimed:
    """A claimed number and where it is written (``where`` reads like ``submission.json:12``)."""

    value: float
    where: str
    decimals: int | None = None


def need_rerun(ctx):
    """The re-run outcome, or Skip when this audit is not a re-run."""
    outcome = getattr(ctx, "rerun", None)
    if outcome is None or not outcome.seeds:
        raise Skip("not a re-run (golf-audit rerun)")
    return outcome


def scored(ctx):
    """(SeedRun, RunLog, reported Evaluation) for every run that finished with a final score."""
    outcome = need_rerun(ctx)
    out = []
    for run in outcome.seeds:
        log = outcome.log_of(run)
        if run.finished and log is not None and log.reported is not None:
            out.append((run, log, log.reported))
    if not out:
        raise Skip("no re-run finished with a final score (R001 reports why)")
    return out


def claimed_bpb(ctx, seed: int) -> Claimed | None:
    """The val_bpb claimed for ``seed``: the JSON's per-seed result, else the seed's log."""
    for c in _seed_claims(ctx):
        if c.seed == seed and c.val_bpb is not None:
            return Claimed(c.val_bpb.value, f"{ctx.submission.rel}:{c.val_bpb.line}", c.val_bpb.decimals)
    for r in logs_of_seed(ctx, seed):
        ev = r.score()
        if ev is not None and ev.val_bpb is not None:
            return Claimed(float(ev.val_bpb.value), f"{r.rel}:{ev.line}", ev.val_bpb.decimals)
    return None


def claimed_bytes(ctx, seed: int) -> Claimed | None:
    """The artifact bytes claimed for ``seed``: per-seed JSON, else the seed's log, else the headline."""
    for c in _seed_claims(ctx):
        if c.seed == seed and c.bytes_total is not None:
            return Claimed(c.bytes_total.value, f"{ctx.submission.rel}:{c.bytes_total.line}")
    for r in logs_of_seed(ctx, seed):
        total = r.run.artifact.total
        if total is not None:
            return Claimed(total.bytes, f"{r.rel}:{total.size.line}")
    head = ctx.submission.claim("bytes_total") if ctx.submission is not None and ctx.submission.data else None
    return None if head is None else Claimed(head.value, f"{ctx.submission.rel}:{head.line}")


def per_seed_values(ctx, getter, exclude: int | None = None) -> list[float]:
    """Claimed values of every claimed seed but ``exclude`` (for the spread), by ``getter(ctx, seed)``."""
    seeds = {c.seed for c in _seed_claims(ctx) if c.seed is not None}
    seeds |= {r.seed for r in ctx.evidence.claimed_runs if r.seed is not None}
    values = [getter(ctx, s) for s in sorted(seeds - {exclude})]
    return [v.value for v in values if v is not None]


def tolerance(values: list[float], floor: float, cap: float, n_mean: int = 1) -> tuple[float, str]:
    """max(floor, min(SPREAD_K × sample sd / sqrt(n_mean), cap)), and how it was derived."""
    if len(values) < 2:
        return floor, f"floor {floor:.4g}: fewer than 2 other claimed seeds"
    mean = sum(values) / len(values)
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))
    spread = SPREAD_K * sd / math.sqrt(n_mean)
    if spread <= floor:
        return floor, f"floor {floor:.4g} > {SPREAD_K:g} sd of {len(values)} claimed seeds ({spread:.2g})"
    if spread >= cap:
        return cap, f"cap {cap:.4g} < {SPREAD_K:g} sd of {len(values)} claimed seeds ({spread:.2g})"
    return spread, f"{SPREAD_K:g} sd of {len(values)} claimed seeds"


def not_comparable(ctx, run, log) -> str | None:
    """Why the re-run cannot confirm or refute the claimed run of its seed (another number of
    training steps, or another validation set), or None."""
    for r in logs_of_seed(ctx, run.seed):
        for what, mine, theirs in (("trained", log.training.steps, r.run.training.steps),
                                   ("evaluated", log.val_tokens, r.run.val_tokens)):
            if mine is not None and theirs is not None and int(mine.value) != int(theirs.value):
                unit = "steps" if what == "trained" else "validation tokens"
                return (f"the re-run {what} {int(mine.value):,} {unit}, the claimed run {int(theirs.value):,} "
                        f"({r.rel}): not comparable")
    return None


def artifact_of(run, log):
    """The produced file that is the artifact: the one of the logged model size, else the largest
    produced file that is not a log, raw checkpoint or source; None if nothing was produced."""
    files = run.artifacts()
    model = log.artifact.model
    if model is not None:
        same = [f for f in files if f.bytes == int(model.bytes)]
        if same:
            return same[0]
    packed = [f for f in files if not NOT_ARTIFACT.search(f.path)] or files
    return max(packed, key=lambda f: f.bytes, default=None)


def code_bytes(ctx, log) -> tuple[int, str]:
    """Counted code bytes and how: the shipped counted files, or the log's compressed-wrapper figure
    when the log counts that way and the ruleset accepts it."""
    compressed = log.artifact.code_compressed
    if compressed is not None and ctx.ruleset["code_bytes"].get("compressed_wrapper") == "accept":
        return int(compressed.bytes), "compressed code as logged"
    files = [e for name in ctx.ruleset["code_bytes"]["counted_files"] for e in ctx.tree.glob(name)]
    return sum(e.size for e in files), " + ".join(e.rel for e in files) or "no counted code file"


def measured_total(ctx, run, log):
    """(artifact FileRecord or None, code bytes, how code was counted, total bytes or None)."""
    artifact = artifact_of(run, log)
    code, how = code_bytes(ctx, log)
    return artifact, code, how, (None if artifact is None else artifact.bytes + code)


def _seed_claims(ctx):
    doc = ctx.submission
    return doc.seed_claims() if doc is not None and doc.data is not None else []

"""Helpers shared by rules (not a rule module: names starting with "_" are not discovered)."""

from __future__ import annotations

import re

from auditor.findings import Severity
from auditor.registry import Skip


def fmt_bpb(value: float | None, decimals: int = 8) -> str:
    return "?" if value is None else f"{value:.{decimals}f}".rstrip("0").rstrip(".")


def need_runs(ctx):
    """The folder's runs, or Skip when there are none (F001/L001 report that)."""
    runs = ctx.evidence.runs
    if not runs:
        raise Skip("no run logs in the folder")
    return runs


def run_severity(ctx, run, severity: Severity = Severity.ERROR) -> Severity:
    """Full severity for a run the claim rests on; a warning for other logs in the folder."""
    return severity if ctx.evidence.in_claim(run) else min(severity, Severity.WARNING)


def claim_note(ctx, run) -> str:
    return "" if ctx.evidence.in_claim(run) else " (this log is not among the runs the claim rests on)"


def score_found(logs, field: str, value: float, decimals: int | None) -> bool:
    """Does any final evaluation of ``logs`` print ``field`` equal to ``value`` within precision?"""
    from auditor.evidence import agrees

    return any(getattr(ev, field) is not None and agrees(value, decimals, [getattr(ev, field)])
               for r in logs for ev in r.run.final_scores().values())


def logs_of_seed(ctx, seed: int):
    """Runs whose printed seed, or file-name seed, is ``seed``."""
    return [r for r in ctx.evidence.runs if seed in (r.seed, r.named_seed)]


PATH_KEYS = re.compile(r"path|dir|file|tokenizer|dataset", re.IGNORECASE)


def tokenizer_candidates(ctx, run) -> list[tuple[str, dict]]:
    """The ruleset's tokenizer variants this run may use: the first whose path hint matches a logged
    data/tokenizer path; else those with the logged (or claimed) vocab size; else all of them."""
    specs = ctx.ruleset["tokenizers"]
    texts = [v.value for k, v in run.run.hyperparameters.items() if PATH_KEYS.search(k)]
    texts += [v.value for v in run.run.env.values()]
    for name, spec in specs.items():
        hint = spec.get("path_hint")
        if hint and any(re.search(hint, t) for t in texts):
            return [(name, spec)]
    vocab = _int(run.run.hyperparameter("vocab_size")) or _int(ctx.claims.get("vocab_size"))
    matching = [(n, s) for n, s in specs.items() if s["vocab_size"] == vocab]
    return matching or list(specs.items())


def _int(value) -> int | None:
    text = getattr(value, "value", value)
    try:
        return int(str(text))
    except (TypeError, ValueError):
        return None


def wallclock_grace_ms(training) -> float:
    """The overshoot allowed to a run stopped by the wall-clock check (``Training``): the step in
    flight, two average steps and at least 0.5 s; none for a run stopped any other way."""
    from auditor.parsers.runlog import StopReason

    t = training
    if t.stop_reason is not StopReason.WALLCLOCK_CAP or not t.steps or not t.steps.value:
        return 0.0
    return max(2 * t.train_time_ms / float(t.steps.value), 500.0)

"""``golf-audit rerun``: check the inputs, plan, probe, run every seed, audit the outcome, write
the receipt. The click command (``auditor.cli``) only parses options and renders.

Input problems are ``RerunUsageError`` (exit 2) and raised before anything runs; a folder that
cannot be re-run at all (no script, no sandbox) is ``RerunUnavailable`` (exit 3).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from auditor.rerun.plan import PlanError, make_plan, vocab_from_tokenizer
from auditor.rerun.runner import Hooks, RerunOptions, rerun


class RerunUsageError(ValueError):
    """Bad input: one line naming the option and what is wrong."""


class RerunUnavailable(RuntimeError):
    """The re-run cannot happen here (no script to run, no network isolation, ...)."""


@dataclass
class RerunRequest:
    folder: Path
    seeds: list[int] | None  # None: the seeds the submission claims
    nproc: int
    data_path: Path
    tokenizer_path: Path
    vocab_size: int | None = None
    env: dict[str, str] = field(default_factory=dict)
    work_dir: Path | None = None
    timeout_s: float = 1800.0
    python: str | None = None
    ruleset: str | None = None
    track: str | None = None
    allow_no_isolation: bool = False
    instrument: bool = False  # run under the token-ledger instrumentation (auditor.rerun.instrument)
    hooks: Hooks | None = None  # or any other hooks (tests plug fakes in here)


def parse_seeds(text: str) -> list[int] | None:
    """``42,314,999`` -> [42, 314, 999]; ``claimed`` -> None (the submission's own seeds)."""
    if text.strip().lower() == "claimed":
        return None
    try:
        seeds = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        raise RerunUsageError(f"--seeds {text!r}: expected integers separated by commas, e.g. 42,314,999") from None
    if not seeds or len(set(seeds)) != len(seeds) or any(s < 0 for s in seeds):
        raise RerunUsageError(f"--seeds {text!r}: expected distinct non-negative integers, e.g. 42,314,999")
    return seeds


def check_inputs(req: RerunRequest) -> None:
    """Every input problem, before anything runs."""
    data = req.data_path
    if not data.is_dir():
        raise RerunUsageError(f"--data-path {data}: not a folder")
    for split in ("train", "val"):
        if not any(data.glob(f"fineweb_{split}_*.bin")):
            raise RerunUsageError(f"--data-path {data}: no fineweb_{split}_*.bin shards")
    if not req.tokenizer_path.is_file():
        raise RerunUsageError(f"--tokenizer-path {req.tokenizer_path}: not a file")
    if req.work_dir is not None and req.work_dir.exists() and (not req.work_dir.is_dir() or any(req.work_dir.iterdir())):
        raise RerunUsageError(f"--work-dir {req.work_dir}: exists and is not an empty folder")
    if req.work_dir is not None and req.folder.resolve() in (req.work_dir.resolve(), *req.work_dir.resolve().parents):
        raise RerunUsageError(f"--work-dir {req.work_dir}: inside the submission folder")
    if req.nproc < 1:
        raise RerunUsageError("--nproc must be at least 1")


def run(req: RerunRequest, reporter):
    """(ctx, outcome, result) of a re-run; raises the two errors above, nothing for a run's failure."""
    from auditor.context import AuditOptions, Context
    from auditor.dynamic.sandbox import isolation_waived, network_isolation_available
    from auditor.engine import audit
    from auditor.rerun.probe import merged, probe_environment

    check_inputs(req)
    ctx = Context.load(req.folder, AuditOptions(ruleset=req.ruleset, track=req.track))
    seeds = req.seeds if req.seeds is not None else claimed_seeds(ctx)
    try:
        plan = make_plan(ctx, req.nproc, req.python)
    except PlanError as exc:
        raise RerunUnavailable(str(exc)) from None
    allow = isolation_waived(req.allow_no_isolation)
    if not allow and not network_isolation_available():
        raise RerunUnavailable("cannot turn the network off here (unshare -rn failed); "
                               "use --allow-no-isolation to re-run with the network on")
    vocab = req.vocab_size or (None if "VOCAB_SIZE" in plan.readme_env else vocab_from_tokenizer(req.tokenizer_path))
    work = req.work_dir or Path(tempfile.mkdtemp(prefix="golf-rerun-"))
    hooks = req.hooks or (_instrument(plan, req, vocab, work) if req.instrument else None)
    environment = probe_environment(plan.python, allow_no_isolation=allow)
    opts = RerunOptions(seeds, req.data_path.resolve(), req.tokenizer_path.resolve(), work.resolve(), vocab,
                        dict(req.env), req.timeout_s, max_wallclock_s=_wallclock(plan, req.env), hooks=hooks,
                        allow_no_isolation=allow)
    outcome = rerun(ctx, plan, opts, reporter, environment)
    first = next((outcome.log_of(s) for s in outcome.seeds if outcome.log_of(s) is not None), None)
    outcome.environment = merged(environment, first)
    outcome.save()
    ctx.rerun = outcome
    result = audit(ctx, scope="rerun")
    result.notes += list(plan.notes) + [f"re-run work directory: {outcome.root} (finding paths under seed_* are "
                                        "relative to it)"]
    result.extra["rerun"] = summary(ctx, outcome)
    return ctx, outcome, result


def claimed_seeds(ctx) -> list[int]:
    """The seeds the submission JSON claims results for, else the seeds of the runs its claim rests on."""
    doc = ctx.submission
    seeds = {c.seed for c in doc.seed_claims() if c.seed is not None} if doc is not None and doc.data else set()
    seeds = seeds or {r.seed for r in ctx.evidence.claimed_runs if r.seed is not None}
    if not seeds:
        raise RerunUsageError(f"--seeds claimed: {ctx.root} claims no seeds (no per-seed results, no seeded logs)")
    return sorted(seeds)


def summary(ctx, outcome) -> dict:
    """What the reports show beside the findings: the command, environment and per-seed numbers."""
    from auditor.rerun.receipt import seed_numbers
    from rules._rerun import claimed_bpb, measured_total

    seeds = []
    for run in outcome.seeds:
        log = outcome.log_of(run)
        total = measured_total(ctx, run, log)[3] if log is not None else None
        claim = claimed_bpb(ctx, run.seed)
        seeds.append({"seed": run.seed, "status": _status(run), "wall_s": run.wall_s, **seed_numbers(log),
                      "claimed_val_bpb": None if claim is None else claim.value, "total_bytes": total})
    env = outcome.environment
    return {"work_dir": str(outcome.root), "command": outcome.command.get("text", ""),
            "command_source": outcome.command.get("source", ""), "nproc": outcome.nproc,
            "environment": {k: env.get(k) for k in ("python", "torch", "cuda", "gpus", "driver", "source")},
            "seeds": seeds, "instrument": outcome.instrument}


def _instrument(plan, req: RerunRequest, vocab: int | None, work: Path) -> Hooks:
    from auditor.rerun.instrument import InstrumentUnavailable, make_hooks

    effective = req.env.get("VOCAB_SIZE") or vocab or plan.readme_env.get("VOCAB_SIZE")
    try:
        return make_hooks(plan.script, req.data_path.resolve(), req.tokenizer_path.resolve(),
                          int(effective) if effective else None, work.resolve())
    except InstrumentUnavailable as exc:
        raise RerunUnavailable(str(exc)) from None


def _status(run) -> str:
    if run.timed_out:
        return "timed out"
    return "finished" if run.returncode == 0 else f"exit {run.returncode}"


def _wallclock(plan, env: dict[str, str]) -> float | None:
    text = env.get("MAX_WALLCLOCK_SECONDS") or plan.readme_env.get("MAX_WALLCLOCK_SECONDS")
    try:
        return float(text) if text else 600.0
    except ValueError:
        return None

"""The gate's flow: change set -> gate rules -> the one new record folder, audited -> one result.

Paths in the gate's result are relative to the repository root (the folder's findings are moved
under ``records/<track>/<folder>/``), so SARIF annotates the right file of the PR. The folder is
read from the PR head commit into a temporary folder; nothing from the PR is executed, and the
files that steer the audit (waivers, leaderboard) are read from the base, never from the PR.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from auditor.context import AuditOptions, Context
from auditor.engine import AuditResult, RuleVerdict, Status, audit
from auditor.findings import Location
from auditor.gate.changes import ChangeSet
from auditor.gate.extract import materialize
from auditor.gate.git import Git
from auditor.registry import all_rules
from auditor import waivers as waiver_file

AUTO = "auto"


@dataclass
class GateOptions:
    repo: Path = Path(".")
    base: str = "origin/main"
    head: str = "HEAD"
    pr: int | None = None
    leaderboard: str | None = None  # a leaderboard file, "auto" (built from the base), or None
    waivers: Path | None = None  # default: golf-audit-waivers.toml/.json of the base revision
    dynamic: bool = False
    ruleset: str | None = None
    date: dt.date | None = None
    only: list[str] | None = None  # static/dynamic rule ids; the gate rules always run


def run_gate(opts: GateOptions) -> AuditResult:
    git = Git(opts.repo)
    git.check_repository()
    base, head = git.resolve(opts.base), git.resolve(opts.head)
    merge_base = git.merge_base(base, head)
    changes = ChangeSet.from_git(git, merge_base, head)
    waivers, waiver_source = _waivers(git, base, opts.waivers)
    folder = changes.candidate
    with tempfile.TemporaryDirectory(prefix="golf-audit-gate-") as tmp:
        root = materialize(git, head, folder, Path(tmp) / "head") if folder else _empty(Path(tmp))
        leaderboard, lb_source = _leaderboard(opts, git, base, folder, Path(tmp))
        options = AuditOptions(ruleset=opts.ruleset, track=None if folder else "record",
                               leaderboard=leaderboard, date=opts.date, pr=opts.pr)
        ctx = Context.load(root, options)
        ctx.changes = changes
        result = audit(ctx, scope="gate")
        dynamic = "not requested"
        if folder:
            _merge(result, audit(ctx, scope="static", only=opts.only), folder)
            if opts.dynamic:
                part, dynamic = _dynamic(ctx, opts.only)
                _merge(result, part, folder)
        elif changes.new_folders:
            result.notes.append(f"not audited: the PR adds {len(changes.new_folders)} record folders (G002)")
        frontier = _frontier(leaderboard, opts.pr, ctx.date if folder else None, folder)
    result.target = folder or "(no record folder)"
    result.extra["gate"] = {
        "base": base, "head": head, "merge_base": merge_base, "folder": folder, "pr": opts.pr,
        "changes": changes.summary(), "dynamic": dynamic, "leaderboard": lb_source,
        "frontier": frontier, "waivers": waiver_source,
    }
    if waivers:
        waiver_file.apply(result, waivers, folder or "")
    return result


def _empty(tmp: Path) -> Path:
    root = tmp / "no-record-folder"
    root.mkdir()
    return root


# -- moving the folder's results under its repository path ------------------------------------------------
def _merge(result: AuditResult, part: AuditResult, folder: str) -> None:
    result.verdicts += [_relocate(v, folder) for v in part.verdicts]
    result.notes += [n for n in part.notes if n not in result.notes]
    result.seconds += part.seconds


def _relocate(v: RuleVerdict, folder: str) -> RuleVerdict:
    findings = tuple(replace(f, location=_under(f.location, folder)) for f in v.findings)
    evidence = tuple(replace(e, location=_under(e.location, folder)) for e in v.evidence)
    return replace(v, findings=tuple(sorted(findings)), evidence=evidence)


def _under(loc: Location | None, folder: str) -> Location | None:
    if loc is None:
        return None
    path = folder if loc.path in (".", "") else f"{folder}/{loc.path}"
    return replace(loc, path=path)


# -- dynamic rules ------------------------------------------------------------------------------------------
def gpu_status() -> tuple[bool, str]:
    """(True, device name) when torch sees a CUDA GPU, else (False, why not)."""
    if importlib.util.find_spec("torch") is None:
        return False, "torch is not installed"
    try:
        import torch

        if not torch.cuda.is_available():
            return False, "no CUDA GPU (torch.cuda.is_available() is False)"
        return True, torch.cuda.get_device_name(0)
    except Exception as exc:  # a broken torch install is a reason to skip, never a crash
        return False, f"torch cannot use a GPU ({type(exc).__name__}: {exc})"


def _dynamic(ctx: Context, only: list[str] | None) -> tuple[AuditResult, str]:
    wanted = {i.upper() for i in only} if only else None
    rules = [r for r in all_rules() if r.scope == "dynamic" and (wanted is None or r.id in wanted)]
    if not rules:
        part = AuditResult(str(ctx.root), ctx.ruleset.summary(), ctx.track)
        part.notes.append("--dynamic: no dynamic rules are registered (or selected by --only); nothing was proven")
        return part, "no dynamic rules registered or selected"
    ok, device = gpu_status()
    if ok:
        return audit(ctx, scope="dynamic", only=only), f"ran on {device}"
    reason = f"dynamic rules skipped: {device}"
    part = AuditResult(str(ctx.root), ctx.ruleset.summary(), ctx.track,
                       [RuleVerdict(r.id, r.name, Status.SKIPPED, reason=reason) for r in rules])
    part.notes.append(f"--dynamic was asked for but {reason}: these rules were not proven")
    return part, reason


# -- inputs read from the base revision ---------------------------------------------------------------------
def _waivers(git: Git, base: str, path: Path | None) -> tuple[list, str | None]:
    if path is not None:
        return waiver_file.load(path), str(path)
    for name in waiver_file.DEFAULT_NAMES:
        raw = git.show_file(base, name)
        if raw is not None:
            label = f"{base[:12]}:{name}"
            return waiver_file.load(label, raw.decode("utf-8", "replace")), label
    return [], None


def _leaderboard(opts: GateOptions, git: Git, base: str, folder: str | None, tmp: Path) -> tuple[Path | None, str | None]:
    if opts.leaderboard is None:
        return None, None
    if opts.leaderboard != AUTO:
        return Path(opts.leaderboard), opts.leaderboard
    if folder is None:
        return None, None
    from auditor.leaderboard_build import build, folders_in_git, pr_numbers_from_git

    track_path = "/".join(folder.split("/")[:2])
    status = "non_record" if "non_record" in track_path else "accepted"
    data, _ = build(track_path.split("/")[1], folders_in_git(git, base, track_path),
                    pr_numbers_from_git(git, base, track_path), status=status, source=f"{base[:12]}:{track_path}")
    out = tmp / "leaderboard.json"
    out.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return out, f"built from {base[:12]}:{track_path} ({len(data['rows'])} rows)"


def _frontier(leaderboard: Path | None, pr: int | None, date, folder: str | None) -> dict | None:
    """The row the candidate must beat, for the report (the statistics rule computes its own)."""
    if leaderboard is None or folder is None:
        return None
    from auditor.leaderboard import BaselineError, frontier, load_rows

    try:
        _, rows = load_rows(leaderboard)
    except BaselineError as exc:
        return {"error": str(exc)}
    row = frontier(rows, pr=pr, date=date, exclude=folder.rsplit("/", 1)[-1])
    if row is None:
        return {"folder": None, "why": "no accepted row before this PR" if pr or date else "PR number and date unknown"}
    return {"folder": row.folder, "pr": row.pr, "val_bpb": row.val_bpb,
            "date": row.date.isoformat() if row.date else None, "seeds": len(row.seeds_bpb)}


def pr_from_event(environ=os.environ) -> int | None:
    """The PR number of a GitHub Actions ``pull_request`` event (``GITHUB_EVENT_PATH``), if any."""
    path = environ.get("GITHUB_EVENT_PATH")
    if not path:
        return None
    try:
        event = json.loads(Path(path).read_text(encoding="utf-8"))
        number = event.get("pull_request", {}).get("number") or event.get("number")
    except (OSError, ValueError, AttributeError):
        return None
    return number if isinstance(number, int) and not isinstance(number, bool) and number > 0 else None

"""The re-run receipt: a JSON file that binds what ran to what it produced and to the verdict.

It holds the SHA-256 of every file of the submission folder (and which of them are counted code),
the command and variables of the runs, the environment (Python, torch, CUDA, GPUs, driver), per
seed the hashes of the log, standard output and error and every file the run wrote, the numbers
read from the log, and the findings of the re-run rules. ``digest`` is the SHA-256 of the
receipt's canonical JSON without it, so an edit anywhere shows.

``verify_receipt`` re-checks a receipt: schema, digest, the submission folder's files (none
changed, none added or removed), and, where the work directory is at hand, every log and artifact
hash and the numbers re-read from each log. Schema: ``auditor/schemas/receipt.schema.json``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from auditor import __version__
from auditor.engine import Status
from auditor.findings import Severity
from auditor.safefs import FileTree, sha256_file

VERSION = 1
VERDICTS = ("confirmed", "refuted", "unverified")
UNSETTLED_WARNINGS = ("R002", "R004", "R007")  # warnings that mean "not comparable" / "not verified"


# -- building ---------------------------------------------------------------------------------------

def build_receipt(ctx, outcome, result) -> dict:
    """The receipt of a re-run (``RerunOutcome``) and the audit of it (``AuditResult``)."""
    counted = {e.rel for name in ctx.ruleset["code_bytes"]["counted_files"] for e in ctx.tree.glob(name)}
    files = [_file(e.rel, ctx.tree.path_of(e.rel)) for e in ctx.tree.entries]
    receipt = {
        "receipt_version": VERSION,
        "tool": {"name": "golf-audit", "version": __version__},
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "submission": {"folder": str(ctx.root), "files": files, "code": [f for f in files if f["path"] in counted]},
        "command": {"source": outcome.command.get("source", ""), "text": outcome.command.get("text", ""),
                    "argv": [str(a) for a in outcome.command.get("argv", [])], "nproc": outcome.nproc,
                    "env": _run_env(outcome)},
        "environment": outcome.environment or {"source": "none"},
        "work_dir": str(outcome.root),
        "seeds": [_seed(ctx, outcome, run) for run in outcome.seeds],
        "verdict": verdict_of(result),
        "findings": [{"rule_id": f.rule_id, "severity": str(f.severity), "message": f.message,
                      "location": str(f.location) if f.location else None} for f in result.active()],
        "ruleset": dict(result.ruleset),
        "instrument": outcome.instrument,
    }
    receipt["digest"] = {"algorithm": "sha256", "value": digest(receipt)}
    return receipt


def verdict_of(result) -> str:
    """confirmed: no error and every claim compared; refuted: an error finding; unverified: a run did
    not finish, a rule could not run, the numbers were not comparable or the ledger unreadable."""
    active = result.active()
    if any(v.status is Status.UNVERIFIED for v in result.verdicts) or any(f.rule_id == "R001" for f in active):
        return "unverified"
    if any(f.severity >= Severity.ERROR for f in active):
        return "refuted"
    if any(f.rule_id in UNSETTLED_WARNINGS and f.severity is Severity.WARNING for f in active):
        return "unverified"
    compared = [v for v in result.verdicts if v.rule_id == "R002" and v.status.value != "skipped"]
    return "confirmed" if compared else "unverified"


def digest(receipt: dict) -> str:
    body = {k: v for k, v in receipt.items() if k != "digest"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def write_receipt(path: Path, receipt: dict) -> None:
    Path(path).write_text(json.dumps(receipt, indent=2) + "\n", encoding="utf-8")


def seed_numbers(log) -> dict:
    """The numbers a receipt states for a seed, as read from its log (``RunLog`` or None)."""
    ev = log.reported if log is not None else None
    t = log.training if log is not None else None
    evals = [x.duration.to_ms() for x in log.eval_times()] if log is not None else []
    evals = [x for x in evals if x is not None]
    return {
        "val_bpb": float(ev.val_bpb.value) if ev is not None else None,
        "val_loss": float(ev.val_loss.value) if ev is not None and ev.val_loss is not None else None,
        "steps": int(t.steps.value) if t is not None and t.steps is not None else None,
        "train_time_ms": t.train_time_ms if t is not None else None,
        "eval_time_ms": max(evals) if evals else None,
    }


def _seed(ctx, outcome, run) -> dict:
    from rules._rerun import measured_total

    log = outcome.log_of(run)
    artifact, total = None, None
    if log is not None:
        artifact, _, _, total = measured_total(ctx, run, log)
    return {
        "seed": run.seed, "returncode": run.returncode, "timed_out": run.timed_out, "wall_s": run.wall_s,
        "network_isolated": run.network_isolated,
        "log": _work_file(outcome.root, run.log), "stdout": _work_file(outcome.root, run.stdout),
        "stderr": _work_file(outcome.root, run.stderr),
        "artifact": None if artifact is None else _record(artifact),
        "produced": [_record(f) for f in run.produced],
        **seed_numbers(log), "total_bytes": total,
    }


def _run_env(outcome) -> dict:
    """Variables common to every seed's run (the seed-specific ones show in each run's log)."""
    envs = [run.env for run in outcome.seeds]
    return {k: v for k, v in envs[0].items() if all(e.get(k) == v for e in envs)} if envs else {}


def _file(rel: str, path: Path) -> dict:
    return {"path": rel, "bytes": path.stat().st_size, "sha256": sha256_file(path)}


def _work_file(root: Path, rel: str | None) -> dict | None:
    if rel is None or not (root / rel).is_file():
        return None
    return _file(rel, root / rel)


def _record(f) -> dict:
    return {"path": f.path, "bytes": f.bytes, "sha256": f.sha256}


# -- verifying --------------------------------------------------------------------------------------

@dataclass
class Check:
    what: str
    status: str  # "ok" | "mismatch" | "missing"
    detail: str = ""


@dataclass
class Verification:
    receipt: Path
    checks: list[Check] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, what: str, status: str, detail: str = "") -> None:
        self.checks.append(Check(what, status, detail))

    @property
    def exit_code(self) -> int:
        """0 every check passed; 1 a mismatch; 3 something could not be checked."""
        if any(c.status == "mismatch" for c in self.checks):
            return 1
        return 3 if any(c.status == "missing" for c in self.checks) else 0


class ReceiptError(ValueError):
    """A receipt that cannot be read or is not a receipt (schema errors listed)."""


def load_receipt(path: Path) -> dict:
    from auditor.schemas import validate

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ReceiptError(f"{path}: cannot read the receipt ({exc})") from None
    errors = validate(data, "receipt")
    if errors:
        raise ReceiptError(f"{path}: not a valid receipt: {errors[0]}" + (f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""))
    return data


def verify_receipt(path: Path, folder: Path | None = None, work_dir: Path | None = None) -> Verification:
    """Re-check ``path``: digest, the folder's files, and the work directory's logs and artifacts."""
    receipt = load_receipt(path)
    out = Verification(Path(path))
    ok = digest(receipt) == receipt["digest"]["value"]
    out.add("receipt digest", "ok" if ok else "mismatch", "" if ok else "the receipt was edited after it was written")
    _verify_folder(out, receipt, Path(folder or receipt["submission"]["folder"]))
    _verify_work(out, receipt, Path(work_dir or receipt["work_dir"]))
    return out


def _verify_folder(out: Verification, receipt: dict, folder: Path) -> None:
    if not folder.is_dir():
        out.add("submission folder", "missing", f"{folder}: not found; code hashes not checked")
        return
    listed = {e.rel for e in FileTree.walk(folder).entries}
    for f in receipt["submission"]["files"]:
        _compare(out, f"submission {f['path']}", _inside(folder, f["path"]), f)
    for rel in sorted(listed - {f["path"] for f in receipt["submission"]["files"]}):
        out.add(f"submission {rel}", "mismatch", "file not in the receipt (added after the re-run)")


def _verify_work(out: Verification, receipt: dict, work: Path) -> None:
    from auditor.parsers.runlog import parse_log

    if not work.is_dir():
        out.add("work directory", "missing", f"{work}: not found; log and artifact hashes not checked")
        return
    for seed in receipt["seeds"]:
        for key in ("log", "stdout", "stderr", "artifact"):
            if seed[key] is not None:
                _compare(out, f"seed {seed['seed']} {key} {seed[key]['path']}", _inside(work, seed[key]["path"]),
                         seed[key])
        log = _inside(work, seed["log"]["path"]) if seed["log"] is not None else None
        if log is not None and log.is_file():
            again = seed_numbers(parse_log(log, name=seed["log"]["path"]))
            bad = [f"{k}: receipt {seed[k]} vs log {v}" for k, v in again.items() if seed[k] != v]
            out.add(f"seed {seed['seed']} numbers", "mismatch" if bad else "ok", "; ".join(bad))


def _inside(base: Path, rel: str) -> Path | None:
    """``base / rel`` when it stays inside ``base`` (a receipt is untrusted input), else None."""
    path = (base / rel).resolve()
    return path if path == base.resolve() or base.resolve() in path.parents else None


def _compare(out: Verification, what: str, path: Path | None, record: dict) -> None:
    if path is None:
        out.add(what, "mismatch", "the path leaves its folder")
        return
    if not path.is_file():
        out.add(what, "missing" if what.startswith("seed") else "mismatch", f"{path}: not found")
        return
    got = sha256_file(path)
    if got != record["sha256"]:
        out.add(what, "mismatch", f"sha256 {got[:16]}… vs receipt {record['sha256'][:16]}…")
    else:
        out.add(what, "ok")

"""The baseline a record must beat: from ``--against`` (values or a record folder) or from a
leaderboard data file, by the chronological rule (README; #2146): records are judged in order of
PR creation against the frontier at that time, so the baseline is the best accepted row with a
smaller PR number (or, when PR numbers are unknown, an earlier date).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path

from auditor.rulesets import parse_date
from auditor.schemas import schema_errors


class BaselineError(Exception):
    """A baseline that cannot be used (bad values, unreadable file); the message says why."""


@dataclass(frozen=True)
class Baseline:
    """Per-seed scores of the record to beat. ``nats`` is per-seed val_loss when known."""

    label: str
    bpb: tuple[float, ...]
    nats: tuple[float, ...] | None = None
    source: str = ""

    @property
    def mean_bpb(self) -> float:
        return sum(self.bpb) / len(self.bpb)


@dataclass(frozen=True)
class Row:
    folder: str
    val_bpb: float
    pr: int | None = None
    date: dt.date | None = None
    status: str = "accepted"
    seeds_bpb: tuple[float, ...] = ()
    seeds_nats: tuple[float, ...] | None = None

    def baseline(self, source: str) -> Baseline:
        label = f"{self.folder}" + (f" (PR #{self.pr})" if self.pr else "")
        return Baseline(label, self.seeds_bpb or (self.val_bpb,), self.seeds_nats, source)


VALUES_RE = re.compile(r"^\s*\d+(\.\d+)?(\s*,\s*\d+(\.\d+)?)*\s*$")


def parse_values(text: str) -> Baseline:
    """``--against 1.0810,1.0815,1.0820``: per-seed BPB values of the record to beat."""
    if not VALUES_RE.match(text):
        raise BaselineError(f"--against {text!r}: expected comma-separated BPB values or a record folder")
    values = tuple(float(v) for v in text.split(","))
    if not all(0 < v < 20 for v in values):
        raise BaselineError(f"--against {text!r}: BPB values must lie between 0 and 20")
    return Baseline(f"values {text.strip()}", values, None, "--against")


def load_rows(path: Path) -> tuple[str, list[Row]]:
    """Read and validate a leaderboard data file; returns (track, rows)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise BaselineError(f"{path}: cannot read leaderboard file ({exc})") from None
    errors = schema_errors(data, "leaderboard") if isinstance(data, dict) else [("$", "not a JSON object")]
    if errors:
        raise BaselineError(f"{path}: invalid leaderboard file: {errors[0][0]}: {errors[0][1]}")
    return data["track"], [_row(r) for r in data["rows"]]


def _row(r: dict) -> Row:
    seeds = r.get("seeds") or []
    nats = tuple(s["val_loss"] for s in seeds if s.get("val_loss") is not None)
    return Row(r["folder"], r["val_bpb"], r.get("pr"), parse_date(r.get("date")), r.get("status", "accepted"),
               tuple(s["val_bpb"] for s in seeds), nats if seeds and len(nats) == len(seeds) else None)


def frontier(rows: list[Row], *, pr: int | None, date: dt.date | None, exclude: str | None) -> Row | None:
    """The best accepted row before the candidate: smaller PR number, else an earlier date."""
    def earlier(row: Row) -> bool:
        if pr is not None and row.pr is not None:
            return row.pr < pr
        return date is not None and row.date is not None and row.date < date

    eligible = [r for r in rows if r.status == "accepted" and r.folder != exclude and earlier(r)]
    return min(eligible, key=lambda r: r.val_bpb, default=None)


def baseline_for(ctx) -> Baseline | None:
    """The baseline for ``ctx``: ``--against`` values or folder, else the leaderboard frontier."""
    opts = ctx.options
    if opts.against:
        folder = Path(opts.against)
        return folder_baseline(folder) if folder.is_dir() else parse_values(opts.against)
    if opts.leaderboard:
        _, rows = load_rows(opts.leaderboard)
        row = frontier(rows, pr=opts.pr, date=ctx.date, exclude=ctx.root.resolve().name)
        return None if row is None else row.baseline(str(opts.leaderboard))
    return None


def folder_baseline(folder: Path) -> Baseline:
    """Per-seed scores of another record folder, read from its logs like the claim rules do."""
    from auditor.context import Context

    ev = Context.load(folder).evidence
    runs = [r for r in ev.claimed_runs if r.score(ev.match.kind) is not None]
    if not runs:
        raise BaselineError(f"--against {folder}: no scored run logs in that folder")
    scores = [r.score(ev.match.kind) for r in runs]
    nats = tuple(float(s.val_loss.value) for s in scores if s.val_loss is not None)
    return Baseline(folder.name, tuple(float(s.val_bpb.value) for s in scores),
                    nats if len(nats) == len(scores) else None, str(folder))

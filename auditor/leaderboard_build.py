"""Build a leaderboard data file (``auditor/schemas/leaderboard.schema.json``) from a records tree.

One row per record folder of a track: the submission JSON's val_bpb and val_loss (per seed where
it has them), its date, and the number of the PR that merged it. PR numbers come from a
``--pr-map`` JSON (``{"folder": 1234}``) or from git: the first-parent commit that first touched
the folder is the merge ("Merge pull request #N from …") or squash commit ("Title (#N)") of its PR.
The chronological rule (README; #2146) then orders rows by PR number.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Iterable

from auditor import __version__
from auditor.parsers.submission import SubmissionDoc
from auditor.rulesets import parse_date
from auditor.schemas import schema_errors

PR_RES = (re.compile(r"^Merge pull request #(\d+)\b"), re.compile(r"\(#(\d+)\)\s*$"))
MAX_JSON = 4 * 1024 * 1024
SEED_GROUPS = ("seeds", "seed_results")

Folder = tuple[str, SubmissionDoc | None]  # (folder name, its submission JSON)


class BuildError(Exception):
    """The records tree or the PR map cannot be read; the message says which and why."""


# -- sources of record folders ------------------------------------------------------------------------
def folders_in_dir(track_dir: Path) -> list[Folder]:
    if not track_dir.is_dir():
        raise BuildError(f"{track_dir}: not a folder")
    return [(d.name, _doc_in_dir(d)) for d in sorted(track_dir.iterdir()) if d.is_dir() and not d.is_symlink()]


def _doc_in_dir(folder: Path) -> SubmissionDoc | None:
    files = sorted(p for p in folder.glob("submission*.json") if p.is_file() and not p.is_symlink())
    entry = next((p for p in files if p.name.lower() == "submission.json"), files[0] if files else None)
    if entry is None or entry.stat().st_size > MAX_JSON:
        return None
    return SubmissionDoc.parse(entry.name, entry.read_bytes())


def folders_in_git(git, rev: str, track_path: str) -> list[Folder]:
    """Record folders of ``track_path`` as commit ``rev`` has them (read from objects, no checkout)."""
    picks: dict[str, tuple[str, str]] = {}
    names: set[str] = set()
    for mode, kind, blob, size, path in git.ls_tree(rev, track_path):
        parts = path[len(track_path) + 1:].split("/")
        if len(parts) < 2:
            continue
        names.add(parts[0])
        if (len(parts) == 2 and kind == "blob" and mode != "120000" and size <= MAX_JSON
                and re.fullmatch(r"submission.*\.json", parts[1])):
            current = picks.get(parts[0])
            if current is None or parts[1] == "submission.json" or (current[0] != "submission.json" and parts[1] < current[0]):
                picks[parts[0]] = (parts[1], blob)
    items = sorted(picks.items())
    docs = {name: SubmissionDoc.parse(rel, b"".join(chunks))
            for (name, (rel, _)), (_b, chunks) in zip(items, git.cat_blobs([b for _, (_, b) in items]))}
    return [(name, docs.get(name)) for name in sorted(names)]


def pr_numbers_from_git(git, rev: str, track_path: str) -> dict[str, int]:
    """Folder -> PR number, from the first-parent commit that first touched each folder."""
    out = git.log("--first-parent", "--reverse", "--diff-merges=first-parent", "--name-only",
                  "--format=%x01%s", rev, "--", track_path + "/").decode("utf-8", "replace")
    prs: dict[str, int] = {}
    seen: set[str] = set()
    for block in out.split("\x01")[1:]:
        subject, *paths = block.split("\n")
        pr = next((int(m[1]) for rx in PR_RES if (m := rx.search(subject.strip()))), None)
        for path in paths:
            rest = path.strip().strip('"')[len(track_path) + 1:].split("/")
            if len(rest) >= 2 and rest[0] not in seen:
                seen.add(rest[0])
                if pr is not None:
                    prs[rest[0]] = pr
    return prs


def load_pr_map(path: Path) -> dict[str, int]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise BuildError(f"{path}: cannot read the PR map ({exc})") from None
    if not isinstance(data, dict) or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0
                                             for v in data.values()):
        raise BuildError(f"{path}: expected a JSON object {{\"folder\": PR number}}")
    return data


# -- rows ---------------------------------------------------------------------------------------------------
def build(track: str, folders: Iterable[Folder], prs: dict[str, int], *, status: str = "accepted",
          source: str = "") -> tuple[dict[str, Any], list[str]]:
    """The leaderboard data (schema-valid) and one line per folder left out, with the reason."""
    rows, skipped = [], []
    for name, doc in folders:
        row, why = _row(name, doc, prs.get(name), status)
        errors = schema_errors({"track": track, "rows": [row]}, "leaderboard") if row else []
        if row is None or errors:  # a value the schema refuses drops that row, never the file
            skipped.append(f"{name}: {why or errors[0][1]}")
        else:
            rows.append(row)
    rows.sort(key=lambda r: (r.get("pr") is None, r.get("pr") or 0, r.get("date", ""), r["folder"]))
    return {"$comment": "Built by golf-audit leaderboard build; rows in PR order (the chronological rule, #2146).",
            "track": track, "generated": f"golf-audit {__version__}" + (f" from {source}" if source else ""),
            "rows": rows}, skipped


def _row(name: str, doc: SubmissionDoc | None, pr: int | None, status: str) -> tuple[dict | None, str]:
    if doc is None:
        return None, "no submission JSON"
    if doc.data is None:
        return None, f"unreadable submission JSON ({doc.error})"
    seeds = _seeds(doc)
    score = doc.score_claim()
    bpb = score.value if score else (sum(s["val_bpb"] for s in seeds) / len(seeds) if seeds else None)
    if bpb is None or bpb <= 0:
        return None, "no val_bpb in the submission JSON"
    row: dict[str, Any] = {"folder": name, "val_bpb": bpb, "status": status}
    loss = doc.claim("val_loss")
    date = parse_date(doc.data.get("date")) or parse_date(name)
    for key, value in (("pr", pr), ("val_loss", loss.value if loss else None),
                       ("date", date.isoformat() if date else None), ("seeds", seeds or None)):
        if value is not None:
            row[key] = value
    return row, ""


def _seeds(doc: SubmissionDoc) -> list[dict[str, Any]]:
    claims = doc.seed_claims()
    for group in SEED_GROUPS:
        seeds = [{"seed": s.seed, "val_bpb": s.val_bpb.value,
                  "val_loss": s.val_loss.value if s.val_loss else None}
                 for s in claims if s.group == group and s.val_bpb is not None]
        if seeds:
            return seeds
    return []

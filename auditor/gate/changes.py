"""What a pull request changed, and how the gate reads it.

A record PR adds exactly one new folder ``records/<track>/<folder>/`` and nothing else (README,
submission process). The change set is the net diff from the merge base to the PR head, renames
split into a deletion and an addition. It is plain data (``changes.json`` in gate fixtures), and
the gate rules ask it questions through the helpers below, so that each rule stays small.
"""

from __future__ import annotations

import json
import posixpath
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from auditor.context import TRACK_DIRS
from auditor.safefs import printable

RECORDS = "records"
STATUS_WORDS = {"A": "adds", "M": "modifies", "D": "deletes", "T": "changes the type of",
                "C": "copies", "R": "renames", "U": "leaves unmerged", "X": "changes"}
MODE_LINK, MODE_SUBMODULE = "120000", "160000"
MAX_PATH_BYTES, MAX_NAME_BYTES = 1024, 255


@dataclass(frozen=True)
class Change:
    """One changed path. ``link`` is a symbolic link's target (mode 120000)."""

    status: str  # A M D T (git diff --raw letters)
    path: str
    mode: str = "100644"  # new mode ("000000" when deleted)
    old_mode: str = "000000"
    binary: bool = False
    link: str | None = None

    @property
    def parts(self) -> list[str]:
        return self.path.split("/")

    @property
    def shown(self) -> str:
        return printable(self.path)

    @property
    def verb(self) -> str:
        if self.status == "M" and self.mode != self.old_mode and self.old_mode != "000000":
            return "changes the mode of"
        return STATUS_WORDS.get(self.status, "changes")

    @cached_property
    def unsafe(self) -> str | None:
        """Why this path must not be trusted as a file name, or None."""
        return unsafe_reason(self.path)

    @property
    def record_folder(self) -> str | None:
        """``records/<track>/<folder>`` for a path inside a record folder, else None."""
        parts = self.parts
        return "/".join(parts[:3]) if parts[0] == RECORDS and len(parts) >= 4 else None


def unsafe_reason(path: str) -> str | None:
    raw = path.encode("utf-8", "surrogateescape")
    parts = path.split("/")
    checks = (
        (path.startswith("/"), "an absolute path"),
        (any(p in ("", ".", "..") for p in parts), "a '.', '..' or empty path component"),
        (any(p.lower() == ".git" for p in parts), "a '.git' path component"),
        (any("\udc80" <= c <= "\udcff" for c in path), "bytes that are not UTF-8"),
        (any(not c.isprintable() for c in path), "control or invisible characters"),
        ("\\" in path, "a backslash"),
        (len(raw) > MAX_PATH_BYTES or any(len(p.encode("utf-8", "surrogateescape")) > MAX_NAME_BYTES
                                          for p in parts), "an over-long name"),
    )
    return next((why for bad, why in checks if bad), None)


def bad_link(path: str, target: str) -> str | None:
    """Why a symbolic link at ``path`` to ``target`` is refused, or None."""
    if any(not c.isprintable() or "\udc80" <= c <= "\udcff" for c in target) or not target:
        return "a link whose target has control characters or bytes that are not UTF-8"
    if link_escapes(path, target):
        return f"a link pointing outside its folder (-> {printable(target)})"
    return None


def link_escapes(path: str, target: str) -> bool:
    """A symbolic link at ``path`` whose ``target`` leaves its record folder (or the repository)."""
    if target.startswith("/"):
        return True
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
    if resolved == ".." or resolved.startswith("../"):
        return True
    parts = path.split("/")
    home = "/".join(parts[:3]) if parts[0] == RECORDS and len(parts) >= 4 else None
    return home is not None and not resolved.startswith(home + "/")


@dataclass
class ChangeSet:
    """The PR's net changes, and which of the record folders it touches already exist on base."""

    changes: list[Change]
    existing: set[str] = field(default_factory=set)  # record folders present in the merge base
    base: str = ""
    head: str = ""

    # -- loading ------------------------------------------------------------------------------------
    @classmethod
    def from_git(cls, git, base: str, head: str) -> "ChangeSet":
        binary = git.binary_paths(base, head)
        links = {}
        rows = git.diff_raw(base, head)
        link_rows = [(blob, path) for st, _o, mode, blob, path in rows if mode == MODE_LINK and st != "D"]
        for (_blob, chunks), (_b, path) in zip(git.cat_blobs([b for b, _ in link_rows]), link_rows):
            links[path] = _head(chunks).decode("utf-8", "surrogateescape")
        changes = [Change(st, path, mode, old, path in binary, links.get(path))
                   for st, old, mode, _blob, path in rows]
        touched = sorted({c.record_folder for c in changes if c.record_folder and not c.unsafe})
        return cls(changes, git.existing_dirs(base, touched), base, head)

    @classmethod
    def load(cls, path: str | Path) -> "ChangeSet":
        """A change set from JSON: ``{"changes": [{"status", "path", ...}], "existing": [...]}``."""
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls([Change(**c) for c in data["changes"]], set(data.get("existing", [])),
                   data.get("base", ""), data.get("head", ""))

    def to_dict(self) -> dict[str, Any]:
        return {"base": self.base, "head": self.head, "existing": sorted(self.existing),
                "changes": [asdict(c) for c in self.changes]}

    # -- questions the rules ask ----------------------------------------------------------------------
    @property
    def safe(self) -> list[Change]:
        return [c for c in self.changes if not c.unsafe]

    @property
    def unsafe(self) -> list[Change]:
        return [c for c in self.changes if c.unsafe]

    @cached_property
    def new_folders(self) -> list[str]:
        """Record folders the PR creates (absent from the merge base)."""
        return sorted({c.record_folder for c in self.safe if c.record_folder} - self.existing)

    @property
    def candidate(self) -> str | None:
        """The one new record folder to audit, when there is exactly one."""
        return self.new_folders[0] if len(self.new_folders) == 1 else None

    def outside_records(self) -> list[Change]:
        return [c for c in self.safe if c.parts[0] != RECORDS]

    def misplaced(self) -> list[Change]:
        """Paths under records/ that are not inside a records/<track>/<folder>/ folder."""
        return [c for c in self.safe if c.parts[0] == RECORDS and len(c.parts) < 4]

    def in_existing_records(self) -> list[Change]:
        return [c for c in self.safe if c.record_folder in self.existing]

    def unknown_tracks(self) -> dict[str, str]:
        """Track folders named by new record folders that are not tracks: {track path: folder}."""
        out: dict[str, str] = {}
        for folder in self.new_folders:
            track = folder.split("/")[1]
            if track not in TRACK_DIRS:
                out.setdefault(f"{RECORDS}/{track}", folder)
        return out

    @staticmethod
    def hazard(change: Change) -> str | None:
        """Why a changed path cannot be trusted (G006), or None."""
        if change.unsafe or change.status == "D":
            return change.unsafe
        if change.mode == MODE_SUBMODULE:
            return "a submodule (mode 160000)"
        return None if change.link is None else bad_link(change.path, change.link)

    def summary(self) -> dict[str, Any]:
        """Counts and the first paths, for reports (``AuditResult.extra['gate']``)."""
        counts: dict[str, int] = {}
        for c in self.changes:
            counts[c.status] = counts.get(c.status, 0) + 1
        return {"base": self.base, "head": self.head, "counts": counts, "new_folders": self.new_folders,
                "files": [{"status": c.status, "path": c.shown, "binary": c.binary,
                           **({"link": printable(c.link)} if c.link is not None else {})}
                          for c in self.changes[:200]],
                "files_total": len(self.changes)}


def _head(chunks, limit: int = 4096) -> bytes:
    """The first ``limit`` bytes of a blob stream (the rest is read and dropped)."""
    out = b""
    for chunk in chunks:
        out += chunk[: max(limit - len(out), 0)]
    return out


def changes_of(ctx) -> ChangeSet:
    """The change set of a gate run; gate rules are skipped anywhere else."""
    from auditor.registry import Skip

    if getattr(ctx, "changes", None) is None:
        raise Skip("no change set: gate rules run under 'golf-audit gate'")
    return ctx.changes

"""Context: everything the static rules read about one submission folder, loaded lazily.

The folder is untrusted. The context lists it safely (``safefs``), never imports or executes
anything in it, and parses each kind of file once, on first use, so a rule pays only for what it
reads. Parse problems become data on the context (and findings of the rules that own them),
never exceptions.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from auditor.parsers.submission import MAX_JSON_BYTES, SubmissionDoc
from auditor.rulesets import Ruleset, get_ruleset, parse_date, ruleset_for_date
from auditor.safefs import MAX_SMALL_READ, Entry, FileTree, TreeProblem, UnsafePath, sha256_file

LOG_SUFFIXES = (".log", ".txt")
NOT_LOGS = re.compile(r"^(requirements|readme|license|notice|cmakelists|third_party_notices)[^/]*\.txt$", re.I)
MAX_LOGS = 32  # logs parsed per folder (merged records have at most 10); each keeps up to ~2 MB of facts
MAX_README_BYTES = 1024 * 1024  # real READMEs are tens of kilobytes; parsing holds every line
INVALID_UTF8 = "not valid UTF-8 (undecodable bytes replaced)"
TRACK_DIRS = {"track_10min_16mb": "record", "track_non_record_16mb": "non_record"}


@dataclass
class AuditOptions:
    """What the user asked for, beyond the folder. Everything optional has a documented default."""

    ruleset: str | None = None  # id; default: the ruleset in force on the submission's date
    track: str | None = None  # "record" | "non_record"; default: from the path or the JSON
    against: str | None = None  # baseline: comma-separated BPB values, or a record folder
    leaderboard: Path | None = None  # leaderboard data file for the frontier to beat
    date: dt.date | None = None  # overrides the submission's date
    corpus: Path | None = None  # a records tree to find logs copied from other records
    pr: int | None = None  # the submission's PR number (orders it against the leaderboard)
    proof: Path | None = None  # a saved proof (``prove --keep-work``) for the dynamic rules to check


@dataclass
class LogFile:
    """One log file of the folder, parsed; ``duplicate_of`` names an earlier byte-identical log."""

    entry: Entry
    run: Any  # auditor.parsers.runlog.RunLog
    sha256: str
    duplicate_of: str | None = None

    @property
    def rel(self) -> str:
        return self.entry.rel


@dataclass
class Context:
    root: Path
    tree: FileTree
    options: AuditOptions = field(default_factory=AuditOptions)
    notes: list[str] = field(default_factory=list)
    changes: Any = None  # gate runs: the PR's change set (auditor.gate.changes.ChangeSet)
    proof: Any = None  # prove runs: the traced runs and their ledgers (auditor.dynamic.harness.Proof)
    rerun: Any = None  # re-runs: what the runs produced (auditor.rerun.outcome.RerunOutcome)
    read_problems: list[TreeProblem] = field(default_factory=list)  # listed files that could not be read
    text_problems: list[TreeProblem] = field(default_factory=list)  # text read with undecodable bytes replaced

    def _read_failed(self, entry: Entry, exc: Exception) -> None:
        """Record a listed file that could not be read (reported by F002), instead of skipping it."""
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc).removeprefix(f"{entry.rel}: ")
        self.read_problems.append(TreeProblem(entry.rel, f"could not be read: {reason}"))

    @classmethod
    def load(cls, root: str | Path, options: AuditOptions | None = None) -> "Context":
        """List the folder (raises ``InputError`` if it cannot be audited at all)."""
        return cls(Path(root), FileTree.walk(root), options or AuditOptions())

    # -- the submission JSON ------------------------------------------------------------------------
    @cached_property
    def submission_files(self) -> list[Entry]:
        return self.tree.glob("submission*.json")

    @cached_property
    def submission(self) -> SubmissionDoc | None:
        """``submission.json`` if present, else the only ``submission*.json``, else None."""
        files = self.submission_files
        entry = next((e for e in files if e.name.lower() == "submission.json"), files[0] if files else None)
        if entry is None:
            return None
        try:
            raw = self.tree.read_bytes(entry.rel, limit=MAX_JSON_BYTES)
        except (UnsafePath, OSError) as exc:
            return SubmissionDoc(entry.rel, "", error=str(exc))
        return SubmissionDoc.parse(entry.rel, raw)

    @property
    def claims(self) -> dict[str, Any]:
        """The submission JSON's object, or {} when there is none or it is unreadable."""
        doc = self.submission
        return doc.data if doc is not None and doc.data is not None else {}

    # -- date, ruleset, track -------------------------------------------------------------------------
    @cached_property
    def date(self) -> dt.date | None:
        return self.options.date or parse_date(self.claims.get("date")) or parse_date(self.root.name)

    @cached_property
    def ruleset(self) -> Ruleset:
        if self.options.ruleset:
            return get_ruleset(self.options.ruleset)
        return ruleset_for_date(self.date)

    @cached_property
    def track(self) -> str:
        """``record`` or ``non_record``: the option, else the records/<track>/ path, else the JSON."""
        if self.options.track:
            return self.options.track
        for part in reversed(self.root.resolve().parts):
            if part in TRACK_DIRS:
                return TRACK_DIRS[part]
        declared = str(self.claims.get("track", "")).lower().replace("-", "_")
        if declared:
            return "non_record" if "non" in declared else "record"
        self.notes.append("track unknown (no records/<track>/ path or JSON 'track'): audited as a record")
        return "record"

    # -- other files ------------------------------------------------------------------------------------
    @cached_property
    def readme(self) -> tuple[Entry, str] | None:
        entry = next((e for e in self.tree.entries if e.rel.lower() == "readme.md"), None)
        if entry is None:
            return None
        try:
            text, invalid = self.tree.read_text(entry.rel, limit=MAX_README_BYTES)
        except (UnsafePath, OSError) as exc:
            self._read_failed(entry, exc)
            return None
        if invalid:
            self.text_problems.append(TreeProblem(entry.rel, INVALID_UTF8))
        return entry, text

    @cached_property
    def code_files(self) -> list[Entry]:
        return [e for e in self.tree.entries if e.rel.endswith(".py")]

    @cached_property
    def log_entries(self) -> list[Entry]:
        return [e for e in self.tree.entries
                if e.rel.lower().endswith(LOG_SUFFIXES) and not NOT_LOGS.match(e.name)]

    @cached_property
    def logs(self) -> list[LogFile]:
        """The first ``MAX_LOGS`` log files parsed (streamed; any size), byte-identical copies marked;
        logs past the cap are one read problem (F002), never silently dropped."""
        from auditor.parsers.runlog import parse_log

        seen: dict[str, str] = {}
        out = []
        extra = self.log_entries[MAX_LOGS:]
        if extra:
            self.read_problems.append(TreeProblem(extra[0].rel, f"not parsed, nor the {len(extra) - 1} logs after it: "
                                                                f"more than {MAX_LOGS} logs in the folder"))
        for entry in self.log_entries[:MAX_LOGS]:
            try:
                path = self.tree.path_of(entry.rel)
                digest = sha256_file(path)
            except (UnsafePath, OSError) as exc:
                self._read_failed(entry, exc)
                continue
            run = parse_log(path, name=entry.rel)
            bad = next((w.line for w in run.warnings if w.message.startswith("invalid UTF-8")), None)
            if bad is not None:
                self.text_problems.append(TreeProblem(entry.rel, f"line {bad}: {INVALID_UTF8}"))
            out.append(LogFile(entry, run, digest, seen.get(digest)))
            seen.setdefault(digest, entry.rel)
        return out

    @cached_property
    def evidence(self):
        """Runs, the headline claim and the runs it rests on (``auditor.evidence``)."""
        from auditor.evidence import Evidence

        return Evidence(self)

    @cached_property
    def baseline(self):
        """The record to beat (``--against`` or the leaderboard frontier), or None."""
        from auditor.leaderboard import baseline_for

        return baseline_for(self)

    @cached_property
    def readme_doc(self):
        """The README parsed for per-seed tables and run commands, or None."""
        from auditor.parsers.readme import parse_readme

        return None if self.readme is None else parse_readme(self.readme[1], name=self.readme[0].rel)

    @cached_property
    def code(self):
        """The folder's code, unwrapped and parsed once, with its configuration and validation-data
        flow (``auditor.code.CodeBase``); never imported or executed."""
        from auditor.code import CodeBase

        return CodeBase(self)

    def read_text(self, rel: str, limit: int = MAX_SMALL_READ) -> str:
        return self.tree.read_text(rel, limit)[0]


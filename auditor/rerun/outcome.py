"""What a re-run produced, as data: one ``SeedRun`` per seed, kept in ``<work dir>/rerun.json``.

Paths are POSIX paths relative to the work directory (findings of the rerun rules cite them that
way; reports name the work directory). Layout of a work directory:

    rerun.json                 this manifest
    seed_42/stdout.txt         the run's standard output and error, as captured
    seed_42/stderr.txt
    seed_42/run/               the copy of the submission folder the run ran in (its cwd):
    seed_42/run/logs/<RUN_ID>.txt, final_model.int8.ptz, ...   what the script wrote
    seed_42/home/, seed_42/tmp/    HOME and TMPDIR of the run (compiler caches), not inspected

The outcome is what the rules read; it holds no verdicts. ``log_of`` parses a seed's log with the
same parser as the static audit (``auditor.parsers.runlog``).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

MANIFEST = "rerun.json"
FORMAT = 1
LOG_SUFFIXES = (".txt", ".log")


class OutcomeError(ValueError):
    """A manifest that is missing or not in the format above."""


@dataclass(frozen=True)
class FileRecord:
    """A file of the run: where (relative to the work dir), how big, and its SHA-256."""

    path: str
    bytes: int
    sha256: str


@dataclass(frozen=True)
class SeedRun:
    seed: int
    dir: str  # e.g. "seed_42"
    argv: tuple[str, ...]
    env: dict[str, str]  # the variables set for the run (beyond the scrubbed base environment)
    returncode: int | None
    timed_out: bool
    wall_s: float
    stdout: str
    stderr: str
    log: str | None  # the log the rules parse: the script's own log, else stdout
    produced: tuple[FileRecord, ...] = ()  # files the run created or changed in its folder copy
    signal: int | None = None
    network_isolated: bool = True
    stderr_tail: str = ""

    @property
    def finished(self) -> bool:
        return self.returncode == 0 and not self.timed_out

    def artifacts(self) -> list[FileRecord]:
        """Produced files that may be the artifact: not logs, not under ``logs/``."""
        return [f for f in self.produced if "/logs/" not in f.path and not f.path.endswith(LOG_SUFFIXES)]

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["argv"] = list(self.argv)
        d["produced"] = [asdict(f) for f in self.produced]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "SeedRun":
        d = dict(d)
        d["argv"] = tuple(d.get("argv", ()))
        d["produced"] = tuple(FileRecord(**f) for f in d.get("produced", ()))
        return cls(**d)


@dataclass
class RerunOutcome:
    root: Path  # the work directory
    folder: str  # the submission folder as given
    nproc: int
    command: dict[str, Any]  # {"source": "README.md:12" | "default", "text": ..., "argv": [...]}
    seeds: list[SeedRun] = field(default_factory=list)
    environment: dict[str, Any] = field(default_factory=dict)
    instrument: dict[str, Any] | None = None  # what --instrument found, when it ran
    started: str = ""
    finished: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"format": FORMAT, "folder": self.folder, "nproc": self.nproc, "command": self.command,
                "seeds": [s.to_dict() for s in self.seeds], "environment": self.environment,
                "instrument": self.instrument, "started": self.started, "finished": self.finished}

    @classmethod
    def from_dict(cls, root: Path, d: dict[str, Any]) -> "RerunOutcome":
        if not isinstance(d, dict) or d.get("format") != FORMAT:
            raise OutcomeError(f"{root / MANIFEST}: not a rerun manifest of format {FORMAT}")
        try:
            seeds = [SeedRun.from_dict(s) for s in d["seeds"]]
            return cls(Path(root), d["folder"], int(d["nproc"]), dict(d["command"]), seeds,
                       dict(d.get("environment") or {}), d.get("instrument"), d.get("started", ""),
                       d.get("finished", ""))
        except (KeyError, TypeError, ValueError) as exc:
            raise OutcomeError(f"{root / MANIFEST}: malformed manifest ({type(exc).__name__}: {exc})") from None

    def save(self) -> Path:
        path = self.root / MANIFEST
        path.write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")
        return path

    @classmethod
    def load(cls, root: str | Path) -> "RerunOutcome":
        root = Path(root)
        try:
            data = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise OutcomeError(f"{root / MANIFEST}: cannot read ({exc})") from None
        return cls.from_dict(root, data)

    # -- parsed logs ------------------------------------------------------------------------------
    @cached_property
    def _logs(self) -> dict[int, Any]:
        from auditor.parsers.runlog import parse_log

        return {s.seed: parse_log(self.root / s.log, name=s.log) for s in self.seeds if s.log}

    def log_of(self, run: SeedRun):
        """The run's log parsed (``RunLog``), or None when the run left no log."""
        return self._logs.get(run.seed)

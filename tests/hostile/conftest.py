"""Helpers for the hostile-input tests: run the real command line in a child process."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NAIVE = REPO / "fixtures" / "real-records" / "track_10min_16mb" / "2026-03-17_NaiveBaseline"


@dataclass
class Run:
    rc: int
    out: str
    err: str


def golf_audit(*args, cwd: Path | None = None, timeout: float = 120, safe_path: bool = True) -> Run:
    """``python -P -m auditor ARGS`` from this checkout, as a user would run ``golf-audit``
    (``safe_path=False``: plain ``python -m auditor``, which puts the current folder on sys.path).

    Fails the test on a traceback or a hang (``timeout`` seconds)."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    env.pop("GOLF_AUDIT_DEBUG", None)
    proc = subprocess.run([sys.executable, *(["-P"] if safe_path else []), "-m", "auditor", *map(str, args)], cwd=cwd or REPO, env=env,
                          capture_output=True, timeout=timeout)
    run = Run(proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"))
    assert "Traceback" not in run.err, run.err
    return run


@pytest.fixture
def record(tmp_path) -> Path:
    """A copy of a small real record folder (submission.json and train.log) to make hostile."""
    folder = tmp_path / "records" / "track_10min_16mb" / "2026-03-17_Hostile"
    folder.mkdir(parents=True)
    for f in NAIVE.iterdir():
        (folder / f.name).write_bytes(f.read_bytes())
    return folder

"""Auditing any folder stays under 200 MB of memory, whatever the input size.

A folder of about 170 MB (a real log grown to 100 MB, five logs built to make the parsers keep
what they read, a README and a submission JSON just under their caps) is audited by the real
command line in a child process; its peak RSS is measured around it. The benchmark
(``bench/hostile.py``) runs the same with a 2 GB log.
"""

from __future__ import annotations

import json
import os
import sys

import pytest

from tests.hostile import inputs
from tests.hostile.conftest import REPO

LIMIT_MB = 200


@pytest.mark.slow
def test_a_200_mb_folder_is_audited_in_bounded_memory(tmp_path):
    folder = tmp_path / "records" / "track_10min_16mb" / "2026-03-20_Big"
    folder.mkdir(parents=True)
    inputs.write_big_log(folder / "train_seed42.log", 100 << 20)
    attacks = inputs.write_attack_logs(folder, 14 << 20)
    inputs.write_big_neighbours(folder)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    argv = [sys.executable, "-P", "-m", "auditor", "audit", str(folder), "--format", "json"]
    peak, rc, wall = inputs.peak_rss_mb(argv, REPO, env, stdout=tmp_path / "report.json")
    print(f"\npeak RSS {peak:.0f} MB, {wall:.1f} s, exit {rc}")
    assert rc in (0, 1)
    assert peak < LIMIT_MB
    report = json.loads((tmp_path / "report.json").read_text())
    t001 = next(r for r in report["rules"] if r["rule_id"] == "T001")
    assert "train_seed42.log: training 600.0 s" in [e["text"] for e in t001["evidence"]]  # its tail was read
    assert report["summary"]["unverified"] == 0
    assert not [f for f in report["findings"] if f["rule_id"] == "F002" and f["location"]["path"] in attacks]


@pytest.mark.slow
def test_code_and_artifact_bombs_are_findings_in_bounded_memory(record, tmp_path):
    inputs.write_code_bombs(record)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    argv = [sys.executable, "-P", "-m", "auditor", "audit", str(record), "--format", "json"]
    peak, rc, wall = inputs.peak_rss_mb(argv, REPO, env, stdout=tmp_path / "report.json")
    print(f"\npeak RSS {peak:.0f} MB, {wall:.1f} s, exit {rc}")
    assert rc == 1 and peak < LIMIT_MB
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["summary"]["unverified"] == 0
    x012 = sorted((f["location"]["line"] or 0, f["message"]) for f in report["findings"] if f["rule_id"] == "X012"
                  and f["severity"] == "error")
    messages = " | ".join(m for _, m in x012)
    assert "expands beyond 8,388,608 bytes (decompression bomb?)" in messages
    assert "more than 80,000 tokens: too large to parse" in messages
    assert "more than 5 nested wrappers" in messages

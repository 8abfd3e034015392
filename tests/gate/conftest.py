"""Fixtures of the gate tests: a temporary repository shaped like the challenge's (gitrepo.py)."""

from __future__ import annotations

import pytest

from gitrepo import TRACK, Repo, legal_files


@pytest.fixture
def repo(tmp_path) -> Repo:
    """main: a root README and two merged records (PRs #101 and #120); HEAD on main."""
    r = Repo(tmp_path / "repo")
    r.write("README.md", "# Parameter Golf\n")
    r.write("train_gpt.py", "print('baseline')\n")
    r.commit("Initial commit")
    base_files = legal_files("2026-03-17", "Baseline")
    r.merge_pr(101, f"{TRACK}/2026-03-17_NaiveBaseline", base_files)
    better = {**base_files, "submission.json": base_files["submission.json"].replace('"val_bpb": 1.219,', '"val_bpb": 1.2,')}
    r.merge_pr(120, f"{TRACK}/2026-03-20_Better", better)
    return r

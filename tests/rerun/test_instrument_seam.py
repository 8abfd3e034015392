"""The --instrument seam: hooks wrap the command and add variables before each run, and their
summary after it becomes R007 findings. A fake instrumentation stands in for the tracer here."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from auditor.rerun.command import RerunRequest, run
from auditor.rerun.instrument import BOOT, wrap_script
from auditor.rerun.progress import Reporter
from auditor.rerun.runner import Hooks

SHIM = ("import os, sys; open(os.environ['FAKE_MARK_FILE'], 'w').write(os.environ['FAKE_MARK'] + ' ' + "
        "' '.join(sys.argv[1:])); os.execvp(sys.argv[1], sys.argv[1:])")


def fake_hooks() -> Hooks:
    def collect(seed_dir: Path) -> dict:
        marker = (seed_dir / "wrapped.txt").read_text()
        return {"checked": ["C3"], "error": None, "marker": marker, "locating": {"unambiguous": True},
                "violations": [{"condition": "C3", "position": 5, "message": "fake violation", "site": "x.py:1"}]}

    return Hooks("fake", wrap_argv=lambda argv, seed_dir: [sys.executable, "-c", SHIM, *argv],
                 extra_env=lambda seed_dir: {"FAKE_MARK": "traced", "FAKE_MARK_FILE": str(seed_dir / "wrapped.txt")},
                 collect=collect)


@pytest.mark.slow
def test_hooks_wrap_the_run_and_their_findings_are_folded(tiny_submission, tiny_dataset, tmp_path):
    req = RerunRequest(tiny_submission, [1], 1, tiny_dataset.data_path, tiny_dataset.tokenizer_path,
                       work_dir=tmp_path / "work", hooks=fake_hooks())
    ctx, outcome, result = run(req, Reporter())
    marker = outcome.instrument["seeds"]["1"]["marker"]
    assert marker.startswith("traced ") and "torch.distributed.run" in marker and marker.endswith("train_gpt.py")
    assert outcome.seeds[0].env["FAKE_MARK"] == "traced" and outcome.seeds[0].finished
    r007 = [f for f in result.findings if f.rule_id == "R007"]
    assert [f.message for f in r007] == ["seed 1: C3: fake violation (at x.py:1)"]
    assert r007[0].ruling == "C3-SCORE-BEFORE-ADAPT"
    manifest = json.loads((tmp_path / "work" / "rerun.json").read_text())
    assert manifest["instrument"]["name"] == "fake"


def test_wrap_script_runs_the_boot_module_under_torchrun():
    argv = ["py", "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2", "train_gpt.py", "--x", "1"]
    assert wrap_script(argv, "train_gpt.py") == [*argv[:5], "-m", BOOT, "train_gpt.py", "--x", "1"]
    with pytest.raises(ValueError):
        wrap_script(argv, "other.py")


def test_locating_counts_repeated_and_train_shared_windows(tmp_path, monkeypatch):
    import numpy as np

    from auditor.rerun import instrument
    from reference_model.data import write_shard

    rng = np.random.default_rng(0)
    val = rng.integers(0, 1000, 400).astype(np.uint16)
    val[300:308] = val[100:108]  # one 8-token window twice in the validation stream
    train = rng.integers(1000, 2000, 100).astype(np.uint16)
    train = np.concatenate([train[:45], val[200:208], train[45:]])  # shared, across a chunk boundary
    (tmp_path / "d").mkdir()
    write_shard(tmp_path / "d" / "fineweb_train_000000.bin", train)
    np.save(tmp_path / "val.npy", val)
    monkeypatch.setattr(instrument, "CHUNK_TOKENS", 48)
    q = instrument.locating(tmp_path / "val.npy", tmp_path / "d")
    assert q == {"val_windows": 393, "repeated_in_val": 2, "shared_with_train": 1, "unambiguous": False}
    assert instrument.locating(tmp_path / "val.npy", tmp_path / "d", budget=10)["shared_with_train"] is None
    np.save(tmp_path / "val.npy", val[:250])
    assert instrument.locating(tmp_path / "val.npy", tmp_path / "d")["unambiguous"] is False  # still shares one
    np.save(tmp_path / "val.npy", val[:190])
    assert instrument.locating(tmp_path / "val.npy", tmp_path / "d")["unambiguous"] is True

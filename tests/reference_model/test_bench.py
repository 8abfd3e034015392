"""The GPU throughput script's CPU path (MICRO=1), with the reference submission's own script
standing in for the challenge baseline (which needs CUDA), so both branches of the script run."""

import os
import re
import subprocess

import numpy as np
import pytest

from reference_model.data import read_header
from tests.conftest import FIXTURES, REPO

pytest.importorskip("torch")


def test_random_shards_are_valid(tmp_path):
    import sys

    sys.path.insert(0, str(REPO / "bench"))
    try:
        from make_random_shards import make_random_shards
    finally:
        sys.path.pop(0)
    paths = make_random_shards(tmp_path, vocab_size=512, train_tokens=10001, train_shards=3, val_tokens=777)
    assert [p.name for p in paths] == ["fineweb_val_000000.bin"] + [f"fineweb_train_00000{i}.bin" for i in range(3)]
    assert [read_header(p).num_tokens for p in paths] == [777, 3333, 3334, 3334]
    from reference_model.data import load_tokens

    assert load_tokens(tmp_path, "train").max() < 512 and np.unique(load_tokens(tmp_path, "val")).size > 300


@pytest.mark.slow
def test_throughput_script_micro_cpu(tmp_path):
    env = {**os.environ, "MICRO": "1", "DEVICE": "cpu", "OMP_NUM_THREADS": "1", "PY": os.sys.executable,
           "WORK": str(tmp_path / "work")}
    res = subprocess.run(["bash", str(REPO / "bench" / "refmodel_throughput.sh"),
                          str(FIXTURES / "reference_submission" / "train_gpt.py")],
                         env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    rows = [line for line in res.stdout.splitlines() if re.match(r"\| (ours|baseline) \|", line)]
    assert len(rows) == 2
    for line in rows:
        cells = [c.strip() for c in line.strip("|").split("|")]
        assert cells[1] == "4"  # timed steps
        assert all(float(c) > 0 for c in (cells[2], cells[3], cells[5])), line

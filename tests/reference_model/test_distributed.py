"""DDP on CPU: torchrun with 2 gloo processes gives the evaluation of 1 process (issue 9, CPU part)."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from tests.conftest import REPO

pytest.importorskip("torch")
from auditor.dynamic.events import read_events  # noqa: E402


def torchrun(nproc, tmp_path, env_extra, *argv, timeout=240):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_"))}
    env.update(PYTHONPATH=str(REPO), OMP_NUM_THREADS="1", DEVICE="cpu", **env_extra)
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={nproc}", *argv]
    res = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=timeout)
    assert res.returncode == 0, res.stderr[-3000:]
    return res


@pytest.mark.slow
def test_two_gloo_ranks_evaluate_like_one(tmp_path, tiny_dataset):
    results = {}
    for n in (1, 2):
        out = tmp_path / f"w{n}.json"
        (tmp_path / f"run{n}").mkdir()
        torchrun(n, tmp_path / f"run{n}", {"DATA_PATH": str(tiny_dataset.data_path), "OUT": str(out),
                                           "TOKENIZER_PATH": str(tiny_dataset.tokenizer_path),
                                           "GOLF_LEDGER_PATH": str(tmp_path / f"ledger{n}")},
                 str(REPO / "tests" / "reference_model" / "ddp_worker.py"))
        results[n] = json.loads(out.read_text())
    for mode in ("plain", "sliding", "ttt"):
        one, two = results[1][mode], results[2][mode]
        assert (one["tokens"], one["bytes"]) == (two["tokens"], two["bytes"])
        assert abs(one["val_bpb"] - two["val_bpb"]) < (1e-9 if mode != "ttt" else 1e-6), mode
    # each rank scored its own share of positions; together every position exactly once
    counted = []
    for rank in (0, 1):
        for e in read_events(tmp_path / f"ledger2.rank{rank}"):
            assert e.rank == rank
            if e.kind == "score":
                counted.append(e.positions[e.counted])
    pos = np.sort(np.concatenate(counted))
    assert np.array_equal(pos, np.arange(1, results[2]["ttt"]["tokens"] + 1))

"""bench/prove_overhead.py runs on a CPU with the micro configuration and checks its own ledger."""

import importlib.util
from pathlib import Path

import pytest

pytest.importorskip("torch")


def test_overhead_bench_micro_on_cpu(capsys):
    path = Path(__file__).resolve().parents[2] / "bench" / "prove_overhead.py"
    spec = importlib.util.spec_from_file_location("prove_overhead", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    rc = bench.main(["--device", "cpu", "--micro", "--repeat", "1", "--val-tokens", "2048"])
    out = capsys.readouterr().out
    assert rc == 0, out
    assert '"positions": 2048' in out and '"counted_per_pass": 2048.0' in out and '"bpb_equal": true' in out


def test_hooks_are_removed_after_use(tmp_path):
    import numpy as np
    import torch
    from torch.nn.modules import module as module_mod

    from auditor.dynamic.instrument.tracer import TraceMode, Tracer, install_hooks

    before = dict(module_mod._global_forward_pre_hooks)
    tracer = Tracer(np.arange(64) % 7, str(tmp_path / "e.rank0"), vocab_size=8, root=str(tmp_path))
    remove = install_hooks(tracer, TraceMode(tracer))
    assert len(module_mod._global_forward_pre_hooks) == len(before) + 1
    remove()
    tracer.close()
    assert dict(module_mod._global_forward_pre_hooks) == before
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(2))], lr=0.1)
    opt.step()  # no tracer hook left to fire on a closed writer

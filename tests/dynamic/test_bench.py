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

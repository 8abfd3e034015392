"""The train_gpt.py-style entry, run for real on CPU: its log reads back with the auditor's parser,
and its ledger agrees with the score it reports."""

import hashlib
import os
import subprocess
import sys

import numpy as np
import pytest

from tests.conftest import REPO

pytest.importorskip("torch")
from auditor.dynamic.events import read_events  # noqa: E402
from auditor.parsers.runlog import StopReason, parse_log  # noqa: E402

TINY_ENV = dict(NUM_LAYERS="2", MODEL_DIM="64", NUM_HEADS="4", NUM_KV_HEADS="2", TRAIN_SEQ_LEN="128",
                TRAIN_BATCH_TOKENS="2048", GRAD_ACCUM_STEPS="1", WARMUP_STEPS="1", WARMDOWN_ITERS="4",
                TRAIN_LOG_EVERY="2", VAL_BATCH_SIZE="16384", OMP_NUM_THREADS="1", DEVICE="cpu")


def run_train(tmp_path, **env_extra):
    env = {k: v for k, v in os.environ.items() if k not in ("RANK", "WORLD_SIZE", "LOCAL_RANK")}
    env.update({"PYTHONPATH": str(REPO), "RUN_ID": "t", **TINY_ENV, **env_extra})
    res = subprocess.run([sys.executable, "-m", "reference_model.train"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    return parse_log(tmp_path / "logs" / "t.txt"), (tmp_path / "logs" / "t.txt").read_text()


@pytest.mark.slow
def test_sliding_run_log_and_ledger(tmp_path, tiny_dataset):
    from reference_model.bundle import build

    log, text = run_train(tmp_path, DATA_PATH=str(tiny_dataset.data_path), SEED="7", ITERATIONS="6",
                          TOKENIZER_PATH=str(tiny_dataset.tokenizer_path), VAL_LOSS_EVERY="3",
                          EVAL_MODE="sliding", EVAL_STRIDE="64", GOLF_LEDGER_PATH=str(tmp_path / "ledger"))
    code = build().encode()
    assert f"code_sha256:{hashlib.sha256(code).hexdigest()} code_bytes:{len(code)}" in text
    assert log.warnings == () and log.begins_with_code
    assert (int(log.seed.value), int(log.world_size.value)) == (7, 1)
    assert log.python_version.value == sys.version.split()[0] and log.torch_version is not None
    assert log.hyperparameter("eval_mode").value == "sliding" and log.hyperparameter("num_layers").value == "2"
    assert log.training.stop_reason is StopReason.ITERATIONS and int(log.training.steps.value) == 6
    assert [int(e.step) for e in log.periodic] == [0, 3, 6]
    kinds = [k.value for k in log.final_scores()]
    assert kinds == ["sliding", "roundtrip"] and log.reported.stride == 64
    model_bytes = (tmp_path / "final_model.int8.ptz").stat().st_size
    assert int(log.artifact.model.size.value) == model_bytes
    assert int(log.artifact.total.size.value) == model_bytes + len(code)
    # the ledger of the reported evaluation gives back the logged score
    events = list(read_events(tmp_path / "ledger.rank0"))
    mark = [e for e in events if e.kind == "mark"][-1]
    assert mark.attrs["name"] == "reported"
    assert f"{mark.attrs['val_bpb']:.8f}" == log.reported.val_bpb.raw
    counted = np.concatenate([e.positions[e.counted] for e in events if e.kind == "score"])
    assert np.array_equal(np.sort(counted), np.arange(1, int(log.val_tokens.value) + 1))


@pytest.mark.slow
def test_wallclock_cap_and_throughput_mode_without_tokenizer(tmp_path, tiny_dataset):
    log, text = run_train(tmp_path, DATA_PATH=str(tiny_dataset.data_path), TOKENIZER_PATH="",
                          ITERATIONS="100000", MAX_WALLCLOCK_SECONDS="1.5", VAL_LOSS_EVERY="0",
                          COMPRESSOR="brotli", TRAIN_BATCH_TOKENS="2000", EVAL_SEQ_LEN="96")
    assert "val_bpb:disabled" in text
    assert "train_batch_tokens_effective:1920 " in text  # 15 whole sequences of 128
    val = tiny_dataset.val_tokens
    assert int(log.val_tokens.value) == (val - 1) // 96 * 96  # scored in windows of EVAL_SEQ_LEN
    assert log.training.stop_reason is StopReason.WALLCLOCK_CAP
    assert 1500 <= log.training.train_time_ms < 10_000 and int(log.training.steps.value) < 100000
    r = log.reported
    assert r.kind.value == "roundtrip" and "brotli" in r.tag
    # one byte per token: val_bpb is val_loss in bits
    assert abs(float(r.val_bpb.value) - float(r.val_loss.value) / np.log(2)) < 1e-7

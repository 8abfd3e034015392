"""The reference stack's submission (fixtures/reference_submission, score-first TTT) proves clean,
and its own ledger (GOLF_LEDGER_PATH) agrees with the traced one position by position."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("torch")

from auditor.dynamic.harness import prove  # noqa: E402
from auditor.dynamic.ledger import check_c2, check_c3, check_c4  # noqa: E402

FOLDER = Path(__file__).resolve().parents[2] / "fixtures" / "reference_submission"
# The README's tiny CPU configuration, shortened (20 steps, 2048-token TTT chunks).
ENV = {"DEVICE": "cpu", "NUM_LAYERS": "3", "MODEL_DIM": "64", "NUM_HEADS": "4", "NUM_KV_HEADS": "2",
       "MLP_MULT": "2", "TRAIN_SEQ_LEN": "128", "TRAIN_BATCH_TOKENS": "4096", "GRAD_ACCUM_STEPS": "1",
       "ITERATIONS": "20", "WARMUP_STEPS": "2", "WARMDOWN_ITERS": "5", "VAL_LOSS_EVERY": "0",
       "VAL_BATCH_SIZE": "16384", "EVAL_MODE": "ttt", "EVAL_STRIDE": "64", "TTT_CHUNK_TOKENS": "2048",
       "TTT_LR": "0.01", "TTT_EPOCHS": "1"}


@pytest.mark.slow
@pytest.mark.skipif(not (FOLDER / "train_gpt.py").is_file(), reason="fixtures/reference_submission not present")
def test_reference_submission_proves_clean_and_matches_its_native_ledger(tmp_path):
    proof = prove(FOLDER, work=tmp_path, c1=False, env={**ENV, "COMPILE": "1"}, timeout=300)
    assert proof.error is None, proof.error
    run = proof.main
    assert "legal_ttt" in run.reported_line
    assert [check_c2(run.ledger, run.reported), check_c3(run.ledger, run.reported),
            check_c4(run.ledger, run.reported, proof.table, run.stream)] == [None, None, None]
    adapts = [e for e in run.ledger.events if e.kind == "adapt" and e.positions.size]
    assert adapts, "score-first TTT must show adapts on already-scored positions"
    assert run.native["same_positions"] and run.native["traced"] == run.native["native"] > 0
    assert run.native["max_abs_nll_diff"] <= 1e-4
    assert "shim: torch.compile ran eagerly under the tracer" in proof.notes

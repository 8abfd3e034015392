"""The reference stack's fixture submission (fixtures/reference_submission: bundled reference model,
tiny CPU configuration, three real CPU seed logs) re-run end to end for one seed with its README
command, on the data its README names (datamaker, seed 0), and confirmed; the same re-run judged
against a copy with doctored claims is refuted by R002 (val_bpb) and R004 (bytes)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from auditor.context import Context
from auditor.engine import audit
from auditor.rerun.command import RerunRequest, run
from auditor.rerun.progress import Reporter
from auditor.rerun.receipt import build_receipt
from auditor.schemas import schema_errors

REFERENCE = Path(__file__).resolve().parents[2] / "fixtures" / "reference_submission"
SEED = 42

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def reference_rerun(tmp_path_factory):
    """One re-run of seed 42 of the reference submission (about 30 s of one CPU thread)."""
    from reference_model.datamaker import make_dataset

    root = tmp_path_factory.mktemp("reference_rerun")
    data = make_dataset(root / "data", vocab_size=1024, train_tokens=200_000, val_tokens=50_000, train_shards=2,
                        seed=0)
    req = RerunRequest(REFERENCE, [SEED], 1, data.data_path, data.tokenizer_path, work_dir=root / "work",
                       timeout_s=600)
    return run(req, Reporter())


def test_reference_submission_is_confirmed(reference_rerun):
    ctx, outcome, result = reference_rerun
    assert outcome.command["source"].startswith("README.md:")  # its own run command, tiny config and all
    assert outcome.seeds[0].env["NUM_LAYERS"] == "3" and outcome.seeds[0].env["EVAL_MODE"] == "ttt"
    assert result.active() == [], [f.message for f in result.active()]
    status = {v.rule_id: v.status.value for v in result.verdicts}
    assert [status[r] for r in ("R001", "R002", "R003", "R004", "R005", "R006", "R008")] == ["pass"] * 7
    log = outcome.log_of(outcome.seeds[0])
    claims = json.loads((REFERENCE / "submission.json").read_text())["seeds"][str(SEED)]
    assert abs(float(log.reported.val_bpb.value) - claims["val_bpb"]) < 0.002
    assert log.reported.tag.startswith("final_int8_zlib_legal_ttt")
    receipt = build_receipt(ctx, outcome, result)
    assert schema_errors(receipt, "receipt") == [] and receipt["verdict"] == "confirmed"


def test_doctored_reference_claims_are_refuted(reference_rerun, tmp_path):
    _, outcome, _ = reference_rerun
    folder = tmp_path / "doctored"
    shutil.copytree(REFERENCE, folder)
    claims = json.loads((folder / "submission.json").read_text())
    claims["seeds"][str(SEED)]["val_bpb"] -= 0.01
    claims["seeds"][str(SEED)]["bytes_total"] -= 5_000
    (folder / "submission.json").write_text(json.dumps(claims, indent=2))
    ctx = Context.load(folder)
    ctx.rerun = outcome
    result = audit(ctx, scope="rerun")
    found = {(f.rule_id, str(f.severity)) for f in result.active()}
    assert found == {("R002", "error"), ("R004", "error")}, [f.message for f in result.active()]

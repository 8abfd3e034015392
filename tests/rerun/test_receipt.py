"""The receipt on a fixture re-run (no process runs here): schema, digest, verification."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from auditor.context import Context
from auditor.engine import audit
from auditor.rerun.outcome import RerunOutcome
from auditor.rerun.receipt import ReceiptError, build_receipt, digest, verdict_of, verify_receipt, write_receipt
from auditor.schemas import schema_errors

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "rules"


def _receipt(tmp_path: Path, case: str) -> tuple[Path, dict]:
    shutil.copytree(FIXTURES / case, tmp_path / "case")
    ctx = Context.load(tmp_path / "case" / "submission")
    ctx.rerun = RerunOutcome.load(tmp_path / "case" / "rerun")
    data = build_receipt(ctx, ctx.rerun, audit(ctx, scope="rerun"))
    path = tmp_path / "receipt.json"
    write_receipt(path, data)
    return path, data


def _status(report) -> dict[str, str]:
    return {c.what: c.status for c in report.checks}


def test_receipt_matches_the_schema_and_states_the_verdict(tmp_path):
    _, data = _receipt(tmp_path, "R002/pass_within_tolerance")
    assert schema_errors(data, "receipt") == []
    assert data["verdict"] == "confirmed" and data["digest"]["value"] == digest(data)
    assert [f["path"] for f in data["submission"]["code"]] == ["train_gpt.py"]
    assert [s["val_bpb"] for s in data["seeds"]] == [2.41930731, 2.42071234]
    assert data["seeds"][0]["total_bytes"] == 3042 and data["seeds"][0]["artifact"]["bytes"] == 3000


@pytest.mark.parametrize("case,verdict", [("R002/fail_doctored_claims", "refuted"), ("R001/fail_crashed", "unverified"),
                                          ("R002/pass_steps_differ_warns", "unverified"),
                                          ("R007/pass_unreadable_ledger_warns", "unverified")])
def test_verdicts(tmp_path, case, verdict):
    assert _receipt(tmp_path, case)[1]["verdict"] == verdict


def test_verification_finds_every_kind_of_change(tmp_path):
    path, data = _receipt(tmp_path, "R002/pass_within_tolerance")
    report = verify_receipt(path)
    status = _status(report)
    assert status["receipt digest"] == "ok" and status["submission train_gpt.py"] == "ok"
    assert status["seed 42 numbers"] == "ok" and status["seed 42 log seed_42/run/logs/rerun_seed42.txt"] == "ok"
    assert status["seed 42 artifact seed_42/run/final_model.int8.ptz"] == "missing"  # the fixture keeps no model
    assert report.exit_code == 3
    sub = tmp_path / "case" / "submission"
    (sub / "train_gpt.py").write_text("print('changed')\n")
    (sub / "extra.py").write_text("x = 1\n")
    status = _status(verify_receipt(path))
    assert status["submission train_gpt.py"] == "mismatch" and status["submission extra.py"] == "mismatch"


def test_edited_numbers_show_even_with_a_fresh_digest(tmp_path):
    path, data = _receipt(tmp_path, "R002/pass_within_tolerance")
    data["seeds"][0]["val_bpb"] = 2.1
    write_receipt(path, data)
    assert _status(verify_receipt(path))["receipt digest"] == "mismatch"
    data["digest"]["value"] = digest(data)
    write_receipt(path, data)
    report = verify_receipt(path)
    status = _status(report)
    assert status["receipt digest"] == "ok" and status["seed 42 numbers"] == "mismatch" and report.exit_code == 1


def test_missing_work_dir_cannot_be_checked(tmp_path):
    path, _ = _receipt(tmp_path, "R002/pass_within_tolerance")
    report = verify_receipt(path, work_dir=tmp_path / "gone")
    assert _status(report)["work directory"] == "missing" and report.exit_code == 3


def test_a_file_that_is_not_a_receipt(tmp_path):
    bad = tmp_path / "r.json"
    bad.write_text(json.dumps({"receipt_version": 1}))
    with pytest.raises(ReceiptError, match="not a valid receipt"):
        verify_receipt(bad)
    bad.write_text("{")
    with pytest.raises(ReceiptError, match="cannot read"):
        verify_receipt(bad)


def test_verdict_without_any_comparison_is_unverified(tmp_path):
    shutil.copytree(FIXTURES / "R003/pass_sizes_match", tmp_path / "case")
    ctx = Context.load(tmp_path / "case" / "submission")
    ctx.rerun = RerunOutcome.load(tmp_path / "case" / "rerun")
    result = audit(ctx, scope="rerun", only=["R003"])
    assert verdict_of(result) == "unverified"


def test_paths_leaving_their_folder_are_not_read(tmp_path):
    path, data = _receipt(tmp_path, "R002/pass_within_tolerance")
    (tmp_path / "secret.txt").write_text("not yours")
    data["submission"]["files"][0]["path"] = "../../secret.txt"
    data["seeds"][0]["log"]["path"] = "/etc/hostname"
    data["digest"]["value"] = digest(data)
    write_receipt(path, data)
    status = _status(verify_receipt(path))
    assert status["submission ../../secret.txt"] == "mismatch"
    assert status["seed 42 log /etc/hostname"] == "mismatch" and "seed 42 numbers" not in status

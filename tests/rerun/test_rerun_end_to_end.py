"""End to end on a CPU: re-run the tiny submission through the CLI (torchrun, sandbox, rules,
receipt) and check it is confirmed, that doctored claims are refuted by the right rules, that a
hanging run is killed with its whole process group, and that two gloo processes work."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from auditor.schemas import schema_errors

pytestmark = pytest.mark.slow


def _report(out: str) -> dict:
    report = json.loads(out)
    assert schema_errors(report, "result") == []
    return report


def _statuses(report: dict) -> dict[str, str]:
    return {r["rule_id"]: r["status"] for r in report["rules"]}


def test_rerun_confirms_the_tiny_submission(run_cli, tiny_submission, rerun_args, tmp_path):
    receipt = tmp_path / "receipt.json"
    code, out, err = run_cli("rerun", tiny_submission, *rerun_args(1, 2), "--format", "json", "--receipt", receipt)
    report = _report(out)
    assert code == 0, (out, err)
    assert report["findings"] == []
    status = _statuses(report)
    assert {status[r] for r in ("R001", "R002", "R003", "R004", "R005", "R006")} == {"pass"}
    seeds = report["extra"]["rerun"]["seeds"]
    claims = json.loads((tiny_submission / "submission.json").read_text())["seeds"]
    for s in seeds:  # the same seed on the same CPU stack reproduces to the printed digit
        assert s["status"] == "finished" and abs(s["val_bpb"] - claims[str(s["seed"])]["val_bpb"]) < 1e-6
    data = json.loads(receipt.read_text())
    assert schema_errors(data, "receipt") == [] and data["verdict"] == "confirmed"
    assert data["environment"]["source"] == "probe" and data["environment"]["torch"]
    assert all(s["network_isolated"] for s in data["seeds"]) or not data["seeds"][0]["network_isolated"]
    code, out, _ = run_cli("verify-receipt", receipt)
    assert code == 0 and "0 mismatched, 0 not checked" in out
    (tmp_path / "work" / "seed_1" / "run" / "final_model.int8.ptz").write_bytes(b"swapped")
    code, out, _ = run_cli("verify-receipt", receipt)
    assert code == 1 and "mismatch seed 1 artifact" in out


def test_doctored_claims_are_refuted(run_cli, doctored, rerun_args, tmp_path):
    code, out, _ = run_cli("rerun", doctored, *rerun_args(1), "--format", "json", "--receipt", tmp_path / "r.json")
    report = _report(out)
    assert code == 1 and report["verdict"] == "fail"
    rules = sorted({f["rule_id"] for f in report["findings"]})
    assert rules == ["R002", "R004"], report["findings"]
    bpb = next(f for f in report["findings"] if f["rule_id"] == "R002")
    assert bpb["location"]["path"] == "seed_1/run/logs/rerun_seed1.txt" and "off by 0.05" in bpb["message"]
    assert json.loads((tmp_path / "r.json").read_text())["verdict"] == "refuted"


def test_timeout_kills_the_whole_process_group(run_cli, tmp_path, rerun_args):
    folder = tmp_path / "hangs"
    folder.mkdir()
    tag = f"120.{os.getpid()}"  # found by its command line: the child may have its own PID namespace
    (folder / "train_gpt.py").write_text(
        "import subprocess, time\n"
        f"p = subprocess.Popen(['sleep', {tag!r}])\nopen('grandchild.started', 'w').write(str(p.pid))\n"
        "time.sleep(120)\n")
    start = time.monotonic()
    code, out, _ = run_cli("rerun", folder, *rerun_args(7), "--timeout", "15", "--format", "json")
    report = _report(out)
    assert code == 1 and report["verdict"] == "fail"
    r001 = [f for f in report["findings"] if f["rule_id"] == "R001"]
    assert len(r001) == 1 and "killed after the" in r001[0]["message"]
    assert time.monotonic() - start < 90
    from tests.procs import all_gone, pids_with_cmdline

    assert (Path(report["extra"]["rerun"]["work_dir"]) / "seed_7" / "run" / "grandchild.started").exists()
    assert all_gone(pids_with_cmdline(f"sleep {tag}"))


def test_two_gloo_processes_reproduce_the_single_process_claim(run_cli, tiny_submission, rerun_args):
    code, out, err = run_cli("rerun", tiny_submission, *rerun_args(2), "--nproc", "2", "--format", "json")
    report = _report(out)
    assert code == 0, (report["findings"], err)
    work = Path(report["extra"]["rerun"]["work_dir"])
    log = (work / "seed_2" / "run" / "logs" / "rerun_seed2.txt").read_text()
    assert "world_size:2" in log
    assert _statuses(report)["R002"] == "pass"

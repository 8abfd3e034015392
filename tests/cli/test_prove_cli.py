"""``golf-audit prove``: saved proofs re-checked (--replay), exit codes, could-not-verify, --plot."""

from __future__ import annotations

import importlib.util
import json

import pytest

from tests.conftest import FIXTURES

pytest.importorskip("torch")

RULES = FIXTURES / "rules"


def test_replay_of_an_illegal_proof_fails_with_the_finding(run_cli):
    case = RULES / "C003" / "fail_prequant_ttt"
    code, out, _ = run_cli("prove", case, "--replay", case / "proof", "--format", "json")
    doc = json.loads(out)
    assert code == 1 and doc["verdict"] == "fail"
    (finding,) = doc["findings"]
    assert finding["rule_id"] == "C003" and finding["location"] == {"path": "train_gpt.py", "line": 94, "end_line": None}
    assert "position 1 is scored" in finding["message"] and finding["ruling"] == "C3-SCORE-BEFORE-ADAPT"
    assert doc["extra"]["prove"]["recomputed"]["tokens"] == 2048


def test_replay_of_a_legal_proof_passes(run_cli):
    case = RULES / "C001" / "pass_causal_attention"
    code, out, _ = run_cli("prove", case, "--replay", case / "proof", "--format", "json")
    doc = json.loads(out)
    assert code == 0 and doc["verdict"] == "pass"
    assert {r["rule_id"]: r["status"] for r in doc["rules"]} == {"C001": "pass", "C002": "pass", "C003": "pass",
                                                                 "C004": "pass"}


def test_a_script_that_cannot_be_verified_exits_3(run_cli, tmp_path):
    folder = tmp_path / "sub"
    folder.mkdir()
    (folder / "train_gpt.py").write_text("print('final_int8_zlib_roundtrip_exact val_loss:2.0 val_bpb:1.2')\n")
    code, out, _ = run_cli("prove", folder, "--no-c1", "--timeout", "120", "--format", "json")
    doc = json.loads(out)
    assert code == 3 and doc["verdict"] == "unverified"
    assert all(r["status"] == "unverified" and "no score was traced" in r["reason"] for r in doc["rules"])


def test_dynamic_rules_are_listed_and_not_run_by_a_static_audit(run_cli):
    _, out, _ = run_cli("rules", "--format", "json")
    scopes = {r["id"]: r["scope"] for r in json.loads(out)}
    assert [scopes[i] for i in ("C001", "C002", "C003", "C004")] == ["dynamic"] * 4
    _, out, _ = run_cli("audit", RULES / "C003" / "fail_prequant_ttt", "--format", "json")
    assert not [r for r in json.loads(out)["rules"] if r["rule_id"].startswith("C00")]


def test_bad_env_pair_is_a_usage_error(run_cli):
    code, _, err = run_cli("prove", RULES / "C003" / "fail_prequant_ttt", "--env", "NOEQUALS")
    assert code == 2 and "KEY=VALUE" in err


@pytest.mark.skipif(importlib.util.find_spec("matplotlib") is not None, reason="matplotlib installed")
def test_plot_without_matplotlib_is_a_clear_usage_error(run_cli, tmp_path):
    case = RULES / "C003" / "fail_prequant_ttt"
    code, _, err = run_cli("prove", case, "--replay", case / "proof", "--plot", tmp_path / "l.png")
    assert code == 2 and "pip install 'golf-audit[plot]'" in err


def test_plot_draws_the_ledger(run_cli, tmp_path):
    pytest.importorskip("matplotlib")
    case = RULES / "C003" / "fail_prequant_ttt"
    code, _, _ = run_cli("prove", case, "--replay", case / "proof", "--plot", tmp_path / "l.png")
    assert code == 1 and (tmp_path / "l.png").read_bytes()[:4] == b"\x89PNG"


def test_rule_discovery_does_not_load_the_ledger():
    """The static path pays nothing for the dynamic rules (no numpy, no ledger import)."""
    import subprocess
    import sys

    code = "import sys, auditor.registry as r; r.discover(); print('auditor.dynamic.ledger' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=FIXTURES.parent, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("fmt", ["text", "markdown", "sarif"])
def test_every_format_renders_a_dynamic_finding(run_cli, fmt):
    case = RULES / "C004" / "fail_two_pass_rescoring"
    code, out, _ = run_cli("prove", case, "--replay", case / "proof", "--format", fmt)
    assert code == 1 and "C004" in out and "train_gpt.py" in out

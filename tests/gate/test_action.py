"""The composite action's gate step, run as GitHub would run it (bash, the step's env, the
runner's output files) on a temporary repository; and the example workflow's wiring."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from gitrepo import TRACK, legal_files

yaml = pytest.importorskip("yaml")
ROOT = Path(__file__).resolve().parents[2]
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
EXPR = re.compile(r"\$\{\{\s*inputs\.([a-z-]+)\s*\}\}")


def gate_step():
    return next(s for s in ACTION["runs"]["steps"] if s.get("id") == "gate")


def run_step(repo, tmp_path, **inputs):
    """Run the gate step's script with its env, inputs substituted; returns GITHUB_OUTPUT as a dict."""
    values = {k: str(v.get("default", "")) for k, v in ACTION["inputs"].items()}
    values.update({k.replace("_", "-"): v for k, v in inputs.items()})
    shims = tmp_path / "bin"
    shims.mkdir()
    (shims / "golf-audit").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m auditor "$@"\n')
    (shims / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    for s in shims.iterdir():
        s.chmod(0o755)
    out, summary = tmp_path / "github_output", tmp_path / "summary.md"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "GITHUB_"))}
    env.update(PATH=f"{shims}:{env['PATH']}", PYTHONPATH=str(ROOT), RUNNER_TEMP=str(tmp_path),
               GITHUB_OUTPUT=str(out), GITHUB_STEP_SUMMARY=str(summary))
    env.update({k: EXPR.sub(lambda m: values[m[1]], v) for k, v in gate_step()["env"].items()})
    proc = subprocess.run(["bash", "-e", "-c", gate_step()["run"]], cwd=repo.root, env=env,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    outputs = dict(line.split("=", 1) for line in out.read_text().splitlines())
    return outputs, summary.read_text() if summary.exists() else ""


def test_action_gate_step_with_fail_on_never_stays_green_but_says_fail(repo, tmp_path):
    repo.branch("pr")
    repo.add_folder(f"{TRACK}/2026-04-01_NewRecord", legal_files())
    head = repo.commit("Add record")
    outputs, summary = run_step(repo, tmp_path, base="main", head=head, pr="150", fail_on="never")
    # fail-on never keeps the job green, but never calls a failing audit a pass: the folder claims
    # 1.219 against a frontier of 1.2, which S004 rejects.
    assert outputs["exit-code"] == "0" and outputs["verdict"] == "fail"
    assert "S004" in summary
    report = Path(outputs["dir"])
    assert sorted(p.name for p in report.iterdir()) == ["golf-audit.json", "golf-audit.md", "golf-audit.sarif",
                                                         "pr-number"]
    assert summary.startswith("<!-- golf-audit-report -->")
    assert "**Frontier to beat** `2026-03-20_Better` (PR #120" in summary


def test_action_gate_step_reports_a_failing_pr(repo, tmp_path):
    repo.branch("pr")
    repo.write("README.md", "edited\n")
    head = repo.commit("Edit the README")
    outputs, summary = run_step(repo, tmp_path, base="main", head=head, pr="")
    assert outputs["exit-code"] == "1" and outputs["verdict"] == "fail"
    assert "G001" in summary and "G007" in summary


def test_action_inputs_and_example_workflow():
    assert set(ACTION["inputs"]) == {"base", "head", "pr", "leaderboard", "fail-on", "dynamic", "waivers",
                                     "comment", "upload-sarif", "sarif-category", "python-version"}
    used = {m for v in gate_step()["env"].values() for m in EXPR.findall(v)}
    assert used == {"base", "head", "pr", "leaderboard", "fail-on", "dynamic", "waivers"}
    assert "${{" not in gate_step()["run"], "inputs reach the script through env only (no injection)"
    workflow = yaml.safe_load((ROOT / "examples/workflows/golf-audit.yml").read_text())
    steps = workflow["jobs"]["gate"]["steps"]
    assert steps[0]["with"]["fetch-depth"] == 0
    assert set(steps[1]["with"]) <= set(ACTION["inputs"])
    readme = (ROOT / "README.md").read_text()
    assert all(f"`{name}`" in readme for name in ACTION["inputs"]), "every input is documented in the README"

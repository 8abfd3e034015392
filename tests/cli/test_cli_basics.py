import json

from auditor.schemas import schema_errors


def test_exit_1_on_findings_and_json_matches_schema(run_cli):
    code, out, _ = run_cli("audit", "fixtures/rules/J002/fail_bad_types", "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert schema_errors(report, "result") == []
    assert report["verdict"] == "fail"
    assert {f["rule_id"] for f in report["findings"]} >= {"J002"}


def test_fail_on_never_exits_0(run_cli):
    code, _, _ = run_cli("audit", "fixtures/rules/J002/fail_bad_types", "--fail-on", "never", "--only", "J002")
    assert code == 0


def test_missing_folder_is_a_usage_error(run_cli, tmp_path):
    code, _, err = run_cli("audit", tmp_path / "nope")
    assert code == 2 and "does not exist" in err


def test_a_file_instead_of_a_folder_is_a_usage_error(run_cli, tmp_path):
    f = tmp_path / "x.json"
    f.write_text("{}")
    code, _, err = run_cli("audit", f)
    assert code == 2 and "is a file" in err


def test_unknown_ruleset_is_a_usage_error(run_cli):
    code, _, err = run_cli("audit", "fixtures/rules/J001/pass_object", "--ruleset", "nope")
    assert code == 2 and "unknown ruleset 'nope'" in err


def test_bad_date_is_a_usage_error(run_cli):
    code, _, err = run_cli("audit", "fixtures/rules/J001/pass_object", "--date", "yesterday")
    assert code == 2 and "not a date" in err


def test_output_file_is_written_whole_and_nothing_else(run_cli, tmp_path):
    out = tmp_path / "report.md"
    code, stdout, _ = run_cli("audit", "fixtures/rules/J001/fail_array", "--format", "markdown", "-o", out)
    assert code == 1 and stdout == ""
    text = out.read_text()
    assert text.startswith("## ❌ golf-audit: FAIL")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md"]


def test_unwritable_output_is_one_clear_line(run_cli, tmp_path):
    code, _, err = run_cli("audit", "fixtures/rules/J001/pass_object", "-o", tmp_path / "no" / "dir" / "r.txt")
    assert code == 3
    assert err.startswith("golf-audit: error: cannot write") and "Traceback" not in err


def test_explain_prints_the_rule_docs(run_cli):
    code, out, _ = run_cli("explain", "J002")
    assert code == 0
    for section in ("Checks:", "Why:", "Fails:", "Passes:", "Ruling README-SUBMISSION"):
        assert section in out


def test_explain_unknown_rule(run_cli):
    code, _, err = run_cli("explain", "Q123")
    assert code == 2 and "no rule 'Q123'" in err


def test_rules_lists_every_rule(run_cli):
    from auditor.registry import all_rules

    code, out, _ = run_cli("rules", "--format", "json")
    assert code == 0
    assert [r["id"] for r in json.loads(out)] == [r.id for r in all_rules()]


def test_bad_against_values_are_a_usage_error(run_cli):
    code, _, err = run_cli("audit", "fixtures/rules/J001/pass_object", "--against", "fast")
    assert code == 2 and "expected comma-separated BPB values or a record folder" in err


def test_against_a_folder_without_runs_is_a_usage_error(run_cli):
    code, _, err = run_cli("audit", "fixtures/rules/J001/pass_object", "--against", "fixtures/rules/J001/pass_object")
    assert code == 2 and "no scored run logs" in err


def test_invalid_leaderboard_is_a_usage_error(run_cli, tmp_path):
    lb = tmp_path / "lb.json"
    lb.write_text('{"track": "x", "rows": [{"folder": "a"}]}')
    code, _, err = run_cli("audit", "fixtures/rules/J001/pass_object", "--leaderboard", lb)
    assert code == 2 and "invalid leaderboard file" in err


def test_against_a_record_folder_runs_the_statistics(run_cli):
    base = "fixtures/real-records/track_10min_16mb/2026-04-06_SP8192_QK5_LegalTTT_1.0828"
    cand = "fixtures/real-records/track_10min_16mb/2026-04-27_SP8192_LQER_SparseGate_BOSSmearFix_9HpStack_1.0611"
    code, out, _ = run_cli("audit", cand, "--against", base, "--only", "S004", "--format", "json", "--ruleset",
                           "launch-2026-03-18")
    report = json.loads(out)
    s004 = next(r for r in report["rules"] if r["rule_id"] == "S004")
    assert s004["status"] == "pass", s004
    assert "nats" in s004["evidence"][0]["text"] and "Welch" in s004["evidence"][0]["text"]


def test_fail_on_never_changes_the_exit_code_not_the_verdict(run_cli):
    code, out, _ = run_cli("audit", "fixtures/rules/J002/fail_bad_types", "--fail-on", "never", "--only", "J002",
                           "--format", "json")
    import json

    assert code == 0 and json.loads(out)["verdict"] == "fail"


def test_the_readme_first_command_audits_clean(run_cli, repo_cwd):
    """The README opens with the command a new user runs: it must work and give a clean verdict."""
    import shlex

    text = (repo_cwd / "README.md").read_text(encoding="utf-8")
    first = next(line for line in text.split("```bash", 1)[1].splitlines() if "golf-audit audit" in line)
    args = shlex.split(first.split("golf-audit", 1)[1])
    code, out, _ = run_cli(*args)
    assert code == 0, out
    assert "verdict: PASS" in out and "waived" in out.lower()


def test_the_static_audit_never_imports_torch_or_numpy(repo_cwd):
    """DESIGN.md: the static path stays light, whatever the folder (code, logs, waivers)."""
    import subprocess
    import sys

    code = ("import sys\nfrom auditor.cli import main\n"
            "sys.argv = ['golf-audit', 'audit', 'fixtures/reference_submission', '--format', 'json', '-o', '/dev/null']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('torch', 'numpy', 'sentencepiece') if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=repo_cwd, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"

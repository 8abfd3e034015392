"""The gate on temporary git repositories: one new record folder passes, anything else is a
gate finding, the folder is read from the PR head and annotated at repository paths.

The legal folder is complete and realistic (see conftest). The full gate also runs rules that
other work adds later, so a legal PR is asserted to pass (exit 0) with the rules this folder is
designed for (gate rules + F001 F002 J001 J002), and, for the full rule set, to raise nothing from
those rules and to finish with no rule unverified.
"""

from __future__ import annotations

import json

import pytest

from auditor.registry import all_rules
from auditor.schemas import schema_errors

from gitrepo import TRACK, legal_files

NEW = f"{TRACK}/2026-04-01_NewRecord"
DESIGNED_FOR = {"F001", "F002", "J001", "J002"}
GATE_RULES = {r.id for r in all_rules() if r.scope == "gate"}


def gate(run_cli, repo, *args):
    code, out, err = run_cli("gate", "--repo", repo.root, "--base", "main", *args)
    return code, out, err


def gate_json(run_cli, repo, *args):
    code, out, err = gate(run_cli, repo, "--format", "json", *args)
    assert err == "" or "error" not in err, err
    report = json.loads(out)
    assert schema_errors(report, "result") == []
    return code, report


def findings(report, rule_ids=None):
    return sorted((f["rule_id"], f["location"]["path"] if f["location"] else None)
                  for f in report["findings"] if rule_ids is None or f["rule_id"] in rule_ids)


def statuses(report):
    return {r["rule_id"]: r["status"] for r in report["rules"]}


def test_a_legal_folder_passes(run_cli, repo):
    repo.branch("pr")
    repo.add_folder(NEW, legal_files())
    repo.commit("Add record")
    code, report = gate_json(run_cli, repo, "--only", ",".join(sorted(DESIGNED_FOR)))
    assert code == 0, report["findings"]
    assert report["verdict"] == "pass"
    assert report["target"] == NEW and report["extra"]["gate"]["folder"] == NEW
    assert statuses(report) == {i: "pass" for i in GATE_RULES | DESIGNED_FOR}
    code, full = gate_json(run_cli, repo)
    assert findings(full, GATE_RULES | DESIGNED_FOR) == []
    assert "unverified" not in statuses(full).values()
    assert set(statuses(full)) >= {r.id for r in all_rules() if r.scope == "static"}


def test_an_illegal_folder_fails_with_annotations_on_its_lines(run_cli, repo, tmp_path, sarif_errors):
    repo.branch("pr")
    files = legal_files()
    files["submission.json"] = '{\n  "name": "x",\n  "github_id": "me",\n  "val_bpb": "1.2"\n}\n'
    del files["README.md"]
    repo.add_folder(NEW, files)
    repo.commit("Add record")
    sarif_file = tmp_path / "out.sarif"
    code, out, _ = gate(run_cli, repo, "--format", "sarif", "-o", sarif_file, "--only", "F001,J002")
    assert code == 1 and out == ""
    log = json.loads(sarif_file.read_text())
    assert sarif_errors(log) == []
    results = {(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                r["locations"][0]["physicalLocation"].get("region", {}).get("startLine")) for r in log["runs"][0]["results"]}
    assert ("J002", f"{NEW}/submission.json", 4) in results
    assert ("F001", NEW, None) in results
    assert log["runs"][0]["invocations"][0]["exitCode"] == 1


def test_two_folders_are_a_finding_and_neither_is_audited(run_cli, repo):
    repo.branch("pr")
    repo.add_folder(NEW, legal_files())
    repo.add_folder(f"{TRACK}/2026-04-02_Second", legal_files())
    repo.commit("Add two records")
    code, report = gate_json(run_cli, repo)
    assert code == 1
    assert findings(report, GATE_RULES) == [("G002", NEW), ("G002", f"{TRACK}/2026-04-02_Second")]
    assert set(statuses(report)) == GATE_RULES
    assert any("adds 2 record folders" in n for n in report["notes"])


def test_an_edited_existing_record_is_a_finding(run_cli, repo):
    repo.branch("pr")
    old = f"{TRACK}/2026-03-17_NaiveBaseline"
    repo.write(f"{old}/submission.json", '{"name": "x", "github_id": "me", "val_bpb": 1.0}\n')
    repo.commit("Improve the baseline's number")
    code, report = gate_json(run_cli, repo)
    assert code == 1
    assert findings(report, GATE_RULES) == [("G003", f"{old}/submission.json"), ("G007", None)]
    assert any("modifies" in f["message"] for f in report["findings"] if f["rule_id"] == "G003")


def test_a_deleted_file_and_a_renamed_record_are_findings(run_cli, repo):
    repo.branch("pr")
    old = f"{TRACK}/2026-03-17_NaiveBaseline"
    repo.git("rm", "-q", f"{old}/train_seed42.log")
    repo.git("update-index", "--chmod=+x", f"{old}/train_gpt.py")
    repo.git("mv", f"{TRACK}/2026-03-20_Better", NEW)
    repo.git("commit", "-q", "-m", "Drop a log, chmod a script, rename a record")
    code, report = gate_json(run_cli, repo)
    assert code == 1
    g003 = [f for f in report["findings"] if f["rule_id"] == "G003"]
    assert f"{old}/train_seed42.log" in {f["location"]["path"] for f in g003}
    assert any("deletes" in f["message"] for f in g003)
    assert any(f"changes the mode of {old}/train_gpt.py" in f["message"] for f in g003)
    assert {f["location"]["path"] for f in g003} >= {f"{TRACK}/2026-03-20_Better/README.md"}
    assert report["extra"]["gate"]["folder"] == NEW  # the renamed copy is new, so it is audited too


def test_a_file_outside_records_is_a_finding(run_cli, repo):
    repo.branch("pr")
    repo.add_folder(NEW, legal_files())
    repo.write("train_gpt.py", "print('changed baseline')\n")
    repo.write(".github/workflows/x.yml", "on: push\n")
    repo.commit("Record and more")
    code, report = gate_json(run_cli, repo, "--only", "F001")
    assert code == 1
    assert findings(report, GATE_RULES) == [("G001", ".github/workflows/x.yml"), ("G001", "train_gpt.py")]


def test_wrong_depth_and_unknown_track(run_cli, repo):
    repo.branch("pr")
    repo.write(f"{TRACK}/stray.py", "x = 1\n")
    repo.add_folder("records/track_10min_16MB/2026-04-01_X", legal_files())
    repo.commit("Misplaced")
    code, report = gate_json(run_cli, repo, "--only", "F001")
    assert code == 1
    assert findings(report, GATE_RULES) == [("G004", f"{TRACK}/stray.py"), ("G005", "records/track_10min_16MB")]
    assert report["extra"]["gate"]["folder"] == "records/track_10min_16MB/2026-04-01_X"


def test_hostile_names_and_links_are_findings_never_crashes(run_cli, repo, sarif_errors):
    repo.branch("pr")
    repo.add_folder(NEW, legal_files())
    repo.write(f"{NEW}/evil\x1b[2J.log".encode(), "x\n")
    repo.write(NEW.encode() + b"/bad-\xff.log", "x\n")
    repo.symlink(f"{NEW}/leak.log", "/etc/hostname")
    repo.symlink(f"{NEW}/up", "../2026-03-17_NaiveBaseline")
    repo.symlink(f"{NEW}/copy.log", "train_seed42.log")
    repo.commit("Hostile")
    code, report = gate_json(run_cli, repo, "--only", "F001,F002")
    assert code == 1
    g006 = findings(report, {"G006"})
    assert g006 == sorted([("G006", f"{NEW}/bad-\\udcff.log"), ("G006", f"{NEW}/evil\\x1b[2J.log"),
                           ("G006", f"{NEW}/leak.log"), ("G006", f"{NEW}/up")])
    assert findings(report, {"F002"}) == []  # refused entries are never written out for the audit
    assert statuses(report)["F001"] == "pass"
    code, out, _ = gate(run_cli, repo, "--format", "sarif", "--only", "F001")
    assert code == 1 and sarif_errors(json.loads(out)) == []


def test_the_folder_is_read_from_the_head_commit(run_cli, repo):
    repo.branch("pr")
    repo.add_folder(NEW, legal_files())
    repo.commit("Add record")
    repo.git("checkout", "-q", "main")  # the work tree no longer has the folder
    code, report = gate_json(run_cli, repo, "--head", "pr", "--only", ",".join(DESIGNED_FOR))
    assert code == 0 and report["extra"]["gate"]["folder"] == NEW


def test_frontier_from_auto_leaderboard_and_event_pr(run_cli, repo, tmp_path, monkeypatch):
    repo.branch("pr")
    repo.add_folder(NEW, legal_files())
    repo.commit("Add record")
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 115}}))
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    _, report = gate_json(run_cli, repo, "--leaderboard", "auto", "--only", "F001")
    g = report["extra"]["gate"]
    assert g["pr"] == 115
    assert g["frontier"]["folder"] == "2026-03-17_NaiveBaseline" and g["frontier"]["pr"] == 101
    _, report = gate_json(run_cli, repo, "--leaderboard", "auto", "--pr", "150", "--only", "F001")
    assert report["extra"]["gate"]["frontier"]["folder"] == "2026-03-20_Better"


def test_dynamic_without_a_gpu_is_skipped_with_a_reason(run_cli, repo, monkeypatch):
    import auditor.gate.run as gate_run

    monkeypatch.setattr(gate_run, "gpu_status", lambda: (False, "no CUDA GPU (test)"))
    repo.branch("pr")
    repo.add_folder(NEW, legal_files())
    repo.commit("Add record")
    _, report = gate_json(run_cli, repo, "--dynamic", "--only", "F001")
    dynamic = report["extra"]["gate"]["dynamic"]
    assert dynamic in ("no dynamic rules registered or selected", "dynamic rules skipped: no CUDA GPU (test)")
    assert any("not proven" in n or "nothing was proven" in n for n in report["notes"])
    dyn_ids = {r.id for r in all_rules() if r.scope == "dynamic"}
    assert all(statuses(report)[i] == "skipped" for i in dyn_ids & set(statuses(report)))


def test_waivers_come_from_the_base_never_from_the_pr(run_cli, repo):
    repo.write("golf-audit-waivers.toml", '[[waiver]]\nrule = "G001"\nfolder = "2026-04-01_NewRecord"\n'
               'path = "train_gpt.py"\nreason = "baseline fix agreed in #2150"\nby = "reviewer"\n')
    repo.commit("Waive the baseline edit of PR 2150")
    repo.branch("pr")
    repo.add_folder(NEW, legal_files())
    repo.write("train_gpt.py", "print('fixed baseline')\n")
    repo.commit("Record + agreed fix")
    code, report = gate_json(run_cli, repo, "--only", ",".join(DESIGNED_FOR))
    assert code == 0, report["findings"]
    assert [(f["rule_id"], f["waived"]) for f in report["waived"]] == [
        ("G001", "baseline fix agreed in #2150 (waived by reviewer)")]
    # a waiver the PR adds itself is not read, and is itself a change outside records/
    repo.write("golf-audit-waivers.toml", '[[waiver]]\nrule = "G001"\nfolder = "*"\nreason = "me"\nby = "me"\n')
    repo.commit("Self-waive")
    code, report = gate_json(run_cli, repo, "--only", "F001")
    assert code == 1
    assert findings(report, {"G001"}) == [("G001", "golf-audit-waivers.toml")]


def test_usage_errors(run_cli, repo, tmp_path):
    code, _, err = gate(run_cli, repo, "--head", "nope")
    assert code == 2 and "unknown revision 'nope'" in err
    code, _, err = run_cli("gate", "--repo", tmp_path, "--base", "main")
    assert code == 2 and "not a git repository" in err
    code, _, err = gate(run_cli, repo, "--report", "pdf:x.pdf")
    assert code == 2 and "FORMAT:FILE" in err
    code, _, err = gate(run_cli, repo, "--leaderboard", tmp_path / "missing.json")
    assert code == 2 and "no such file" in err


def test_extra_reports_are_written_from_the_same_run(run_cli, repo, tmp_path):
    repo.branch("pr")
    repo.add_folder(NEW, legal_files())
    repo.commit("Add record")
    md, js = tmp_path / "comment.md", tmp_path / "report.json"
    code, out, _ = gate(run_cli, repo, "--only", "F001", "--format", "sarif",
                        "--report", f"markdown:{md}", "--report", f"json:{js}")
    assert code == 0
    assert json.loads(out)["version"] == "2.1.0"
    assert md.read_text().startswith("<!-- golf-audit-report -->\n## ✅ golf-audit: PASS")
    assert json.loads(js.read_text())["verdict"] == "pass"

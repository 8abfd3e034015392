"""Renderer snapshots of one gate result built by hand (engine-independent, so rules landing
later change nothing here): the Markdown PR comment, the SARIF log and the text report, with
colour off, a fixed width and times normalised. ``UPDATE_SNAPSHOTS=1`` rewrites the files."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from auditor.engine import AuditResult, RuleVerdict, Status, rulings
from auditor.findings import Evidence, Finding, Location, Measurement, Severity
from auditor.render import RenderOptions, get_renderer

SNAPSHOTS = Path(__file__).parent / "snapshots"
FOLDER = "records/track_10min_16mb/2026-04-01_NewRecord"
URL = rulings()["README-SUBMISSION"]["url"]


def finding(rule_id, name, message, path=None, line=None, **kw):
    return Finding(message, kw.pop("severity", Severity.ERROR), location=Location(path, line) if path else None,
                   ruling="README-SUBMISSION", rule_id=rule_id, name=name, ruling_url=URL, **kw)


def sample() -> AuditResult:
    g001 = finding("G001", "change-outside-records", "the PR modifies train_gpt.py, outside records/", "train_gpt.py")
    f001 = finding("F001", "missing-required-file", "no train logs found (looked for *.log, *.txt)", FOLDER,
                   measured=Measurement(0, 1, "files"))
    j002 = finding("J002", "submission-schema-violation", "$.val_bpb: '1.2' is not of type 'number'",
                   f"{FOLDER}/submission.json", 4)
    waived = finding("J002", "submission-schema-violation", "$.bytes_total: '15.9 MB' is not of type 'integer'",
                     f"{FOLDER}/submission.json", 5, waived="rounded size agreed in review (waived by cocohearts)")
    verdicts = [
        RuleVerdict("G001", "change-outside-records", Status.FAIL, (g001,)),
        RuleVerdict("G002", "several-record-folders", Status.PASS, evidence=(Evidence("1 new record folder(s)"),)),
        RuleVerdict("F001", "missing-required-file", Status.FAIL, (f001,)),
        RuleVerdict("J001", "unreadable-submission-json", Status.SKIPPED, reason="no submission JSON"),
        RuleVerdict("J002", "submission-schema-violation", Status.FAIL, (j002, waived)),
    ]
    gate = {"base": "a" * 40, "head": "b" * 40, "merge_base": "c" * 40, "folder": FOLDER, "pr": 1234,
            "changes": {"base": "c" * 40, "head": "b" * 40, "counts": {"A": 3, "M": 1}, "new_folders": [FOLDER],
                        "files": [{"status": "M", "path": "train_gpt.py", "binary": False},
                                  {"status": "A", "path": f"{FOLDER}/README.md", "binary": False},
                                  {"status": "A", "path": f"{FOLDER}/submission.json", "binary": False},
                                  {"status": "A", "path": f"{FOLDER}/model.bin", "binary": True}],
                        "files_total": 4},
            "dynamic": "not requested", "leaderboard": "built from aaaaaaaaaaaa:records/track_10min_16mb (2 rows)",
            "frontier": {"folder": "2026-03-20_Better", "pr": 120, "val_bpb": 1.2, "date": "2026-03-20", "seeds": 3},
            "waivers": "aaaaaaaaaaaa:golf-audit-waivers.toml"}
    return AuditResult(FOLDER, {"id": "final-2026-04-28", "title": "Final", "effective_from": "2026-04-28"},
                       "record", verdicts, ["waiver #2 (G003 on *) matched no finding: remove it or fix its rule/folder/path"],
                       seconds=0.4242, extra={"gate": gate})


def render(fmt: str, result: AuditResult | None = None) -> str:
    text = get_renderer(fmt)(result or sample(), RenderOptions(color=False, width=100))
    return re.sub(r"\d+\.\d\d s\b", "0.00 s", text)


def check_snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("UPDATE_SNAPSHOTS"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} differs (UPDATE_SNAPSHOTS=1 to accept)"


def test_markdown_comment_snapshot():
    check_snapshot("gate_comment.md", render("markdown"))


def test_text_report_snapshot():
    check_snapshot("gate_report.txt", render("text"))


SAMPLE_RULES = ["F001", "G001", "G002", "J001", "J002"]


def sarif_for_snapshot(log: dict) -> dict:
    """The driver lists every registered rule, and other work adds rules: keep the sample's rules,
    drop indices into the full list (checked apart), and compare only the identity of rules whose
    docs belong to other work."""
    driver = log["runs"][0]["tool"]["driver"]
    driver["rules"] = [r for r in driver["rules"] if r["id"] in SAMPLE_RULES]
    for rule in driver["rules"]:
        if not rule["id"].startswith("G"):
            for key in ("shortDescription", "fullDescription", "help"):
                assert rule.pop(key)["text"], rule["id"]
    for res in log["runs"][0]["results"]:
        del res["ruleIndex"]
    for note in log["runs"][0]["invocations"][0]["toolExecutionNotifications"]:
        note.get("associatedRule", {}).pop("index", None)
    return log


def test_sarif_snapshot_and_schema(sarif_errors):
    log = json.loads(render("sarif"))
    assert sarif_errors(log) == []
    check_snapshot("gate.sarif.json", json.dumps(sarif_for_snapshot(log), indent=2, ensure_ascii=False) + "\n")


def test_sarif_results_locations_suppressions_and_exit_code():
    run = json.loads(render("sarif"))["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    from auditor.registry import all_rules

    assert [r["id"] for r in rules] == [r.id for r in all_rules()]  # every registered rule, gate ones included
    assert all(r["helpUri"] and r["shortDescription"]["text"] and r["defaultConfiguration"]["level"] for r in rules)
    assert next(r for r in rules if r["id"] == "G001")["helpUri"] == URL
    by_rule = {(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                r["locations"][0]["physicalLocation"].get("region", {}).get("startLine")): r for r in run["results"]}
    assert set(by_rule) == {("G001", "train_gpt.py", None), ("F001", FOLDER, None),
                            ("J002", f"{FOLDER}/submission.json", 4), ("J002", f"{FOLDER}/submission.json", 5)}
    waived = by_rule[("J002", f"{FOLDER}/submission.json", 5)]
    assert waived["suppressions"] == [{"kind": "external", "status": "accepted",
                                       "justification": "rounded size agreed in review (waived by cocohearts)"}]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in run["results"])
    prints = [r["partialFingerprints"]["golfAuditFinding/v1"] for r in run["results"]]
    assert len(set(prints)) == len(prints)
    assert json.loads(render("sarif"))["runs"][0]["results"][0]["partialFingerprints"] == run["results"][0]["partialFingerprints"]
    inv = run["invocations"][0]
    assert inv["exitCode"] == 1 and inv["executionSuccessful"] is True
    assert inv["properties"]["skipped"] == [{"rule": "J001", "reason": "no submission JSON"}]


def test_sarif_root_prefixes_folder_paths_and_encodes_uris():
    f = finding("J002", "submission-schema-violation", "x", "sub mission#1.json", 3)
    result = AuditResult("folder", {"id": "r", "title": "t", "effective_from": "2026-01-01"}, "record",
                         [RuleVerdict("J002", "submission-schema-violation", Status.FAIL, (f,))])
    log = json.loads(get_renderer("sarif")(result, RenderOptions(sarif_root="records/t/x/")))
    loc = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {"uri": "records/t/x/sub%20mission%231.json", "uriBaseId": "%SRCROOT%"}
    assert loc["region"] == {"startLine": 3}


def test_unverified_rules_are_error_notifications():
    result = sample()
    result.verdicts.append(RuleVerdict("G003", "existing-record-changed", Status.UNVERIFIED, reason="boom"))
    result.verdicts = [v for v in result.verdicts if v.status is not Status.FAIL]  # exit 3 needs no findings >= fail_on
    inv = json.loads(render("sarif", result))["runs"][0]["invocations"][0]
    assert inv["exitCode"] == 3 and inv["executionSuccessful"] is False
    rules = json.loads(render("sarif", result))["runs"][0]["tool"]["driver"]["rules"]
    index = [r["id"] for r in rules].index("G003")
    assert {"level": "error", "message": {"text": "G003 could not be verified: boom"},
            "associatedRule": {"id": "G003", "index": index}} in inv["toolExecutionNotifications"]


def test_markdown_neutralises_pr_controlled_text():
    hostile = finding("G001", "change-outside-records",
                      "the PR adds @maintainers ![x](https://t.example/p.png) <script>|", "a`b|c.md")
    result = sample()
    result.verdicts = [RuleVerdict("G001", "change-outside-records", Status.FAIL, (hostile,))]
    md = render("markdown", result)
    assert "@maintainers" not in md and "@\u200bmaintainers" in md
    assert "![x](" not in md and "<script>" not in md and "&lt;script&gt;" in md
    assert "`a'b\\|c.md`" in md


def test_markdown_stays_under_the_comment_limit():
    result = sample()
    many = tuple(finding("J002", "submission-schema-violation", f"problem {i} " + "x" * 300,
                         f"{FOLDER}/submission.json", i + 1) for i in range(400))
    result.verdicts = [RuleVerdict("J002", "submission-schema-violation", Status.FAIL, many)]
    md = render("markdown", result)
    assert len(md) < 65_536
    assert re.search(r"- … \d+ more: see the SARIF or JSON report", md)
    assert md.endswith("</sub>\n")


@pytest.mark.parametrize("fmt", ["text", "markdown", "json", "sarif"])
def test_waived_findings_are_shown_apart_in_every_format(fmt):
    out = render(fmt)
    assert "rounded size agreed in review (waived by cocohearts)" in out
    if fmt == "json":
        report = json.loads(out)
        assert [f["message"] for f in report["waived"]] == ["$.bytes_total: '15.9 MB' is not of type 'integer'"]
        assert all(f["waived"] is None for f in report["findings"])
    elif fmt != "sarif":
        head, _, tail = out.partition("Waived findings (shown, not counted)")
        assert "15.9 MB" in tail and "15.9 MB" not in head

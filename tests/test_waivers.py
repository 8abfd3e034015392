"""Waivers: a reason is mandatory, waived findings are shown apart and never counted, unused and
expired waivers are notes; ``audit --waivers`` works like the gate's."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from auditor.context import Context
from auditor.engine import audit
from auditor.schemas import schema_errors
from auditor.waivers import WaiverError, apply, load

BAD_TYPES = "fixtures/rules/J002/fail_bad_types"


def write(tmp_path, text, name="golf-audit-waivers.toml"):
    p = tmp_path / name
    p.write_text(text)
    return p


def entry(**kw):
    base = {"rule": "J002", "folder": "fail_bad_types", "reason": "agreed in review", "by": "reviewer"}
    base.update(kw)
    return "[[waiver]]\n" + "".join(f"{k} = {json.dumps(v) if not isinstance(v, dt.date) else v}\n"
                                    for k, v in base.items() if v is not None)


def result_for(folder=BAD_TYPES):
    return audit(Context.load(folder), only=["J002"])


def test_a_waiver_without_a_reason_is_refused_naming_file_and_entry(tmp_path):
    path = write(tmp_path, entry() + entry(reason="  "))
    with pytest.raises(WaiverError, match=r"golf-audit-waivers.toml: waiver #2: 'reason' is required"):
        load(path)


@pytest.mark.parametrize("text,message", [
    (entry(by=None), "'by' is required"),
    (entry(reson="typo"), "unknown key"),
    (entry(line=0), "'line' must be a positive integer"),
    (entry(expires="soon"), "not a date"),
    ("waiver = 3\n", "expected a list"),
    ("[[waiver]\n", "malformed TOML"),
])
def test_malformed_waivers_are_usage_errors(tmp_path, text, message):
    with pytest.raises(WaiverError, match=message):
        load(write(tmp_path, text))


def test_waivers_match_on_rule_folder_path_line_and_message(tmp_path):
    waivers = load(write(tmp_path, entry(path="submission.json", line=4)
                         + entry(message="15.9 MB", expires=dt.date(2999, 1, 1))
                         + entry(rule="F001") + entry(folder="other_folder")))
    result = result_for()
    apply(result, waivers, BAD_TYPES, today=dt.date(2026, 5, 1))
    waived = {f.location.line: f.waived for f in result.findings if f.waived}
    assert waived == {4: "agreed in review (waived by reviewer)",
                      5: "agreed in review (waived by reviewer, until 2999-01-01)"}
    assert [f.location.line for f in result.active()] == [6]
    assert result.exit_code(None) == 0 and result.exit_code(result.active()[0].severity) == 1
    assert [n for n in result.notes if "matched no finding" in n] == [
        "waiver #3 (F001 on fail_bad_types) matched no finding: remove it or fix its rule/folder/path",
        "waiver #4 (J002 on other_folder) matched no finding: remove it or fix its rule/folder/path"]


def test_expired_waivers_are_not_applied(tmp_path):
    waivers = load(write(tmp_path, entry(expires=dt.date(2026, 1, 31))))
    result = result_for()
    apply(result, waivers, BAD_TYPES, today=dt.date(2026, 2, 1))
    assert not any(f.waived for f in result.findings)
    assert any("expired on 2026-01-31" in n for n in result.notes)


def test_json_waivers_and_folder_globs(tmp_path):
    path = write(tmp_path, json.dumps({"waiver": [{"rule": "j002", "folder": "fail_*", "reason": "r", "by": "b"}]}),
                 "w.json")
    result = result_for()
    apply(result, load(path), BAD_TYPES)
    assert all(f.waived == "r (waived by b)" for f in result.findings)
    assert next(v for v in result.verdicts if v.rule_id == "J002").status.value == "pass"


def test_audit_cli_with_waivers(run_cli, tmp_path, sarif_errors):
    path = write(tmp_path, entry())
    code, out, _ = run_cli("audit", BAD_TYPES, "--only", "J002", "--waivers", path, "--format", "json")
    assert code == 0
    report = json.loads(out)
    assert schema_errors(report, "result") == []
    assert report["findings"] == [] and len(report["waived"]) == 3
    code, out, _ = run_cli("audit", BAD_TYPES, "--only", "J002", "--waivers", path, "--format", "sarif",
                           "--sarif-root", "records/track_10min_16mb/fail_bad_types")
    log = json.loads(out)
    assert sarif_errors(log) == []
    results = log["runs"][0]["results"]
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results} == {
        "records/track_10min_16mb/fail_bad_types/submission.json"}
    assert all(r["suppressions"][0]["justification"] == "agreed in review (waived by reviewer)" for r in results)
    code, out, _ = run_cli("audit", BAD_TYPES, "--only", "J002", "--waivers", path, "--no-color")
    assert code == 0 and "Waived findings (shown, not counted)" in out and "1 finding" not in out


def test_audit_cli_refuses_a_waiver_without_reason(run_cli, tmp_path):
    path = write(tmp_path, entry(reason=None))
    code, _, err = run_cli("audit", BAD_TYPES, "--waivers", path)
    assert code == 2
    assert "golf-audit-waivers.toml: waiver #1: 'reason' is required" in err

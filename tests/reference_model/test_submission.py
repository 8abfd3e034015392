"""The shipped reference submission: bundle up to date, logs from the shipped script, docs from the
logs, and the audit's exact findings."""

import hashlib
import json
import shutil
import sys

from tests.conftest import FIXTURES, REPO

SUB = FIXTURES / "reference_submission"
WAIVERS = FIXTURES / "reference_submission.waivers.toml"
LOGS = sorted(SUB.glob("train_seed*.log"))


def test_shipped_bundle_is_up_to_date_and_deterministic():
    from reference_model.bundle import build

    text = build()
    assert text == build()
    assert SUB.joinpath("train_gpt.py").read_text(encoding="utf-8") == text, \
        ("reference_model/ or auditor/dynamic/events.py changed: run bench/make_reference_submission.sh "
         "(rebuilds train_gpt.py, re-runs the 3 seeds on CPU, ~3 min) and commit the folder")
    assert "\nBUNDLED = True" in text and "from reference_model" not in text.split("def code_text", 1)[0]


def test_logs_were_made_by_the_shipped_script():
    from auditor.parsers.runlog import parse_log

    code = SUB.joinpath("train_gpt.py").read_bytes()
    assert len(LOGS) == 3
    for path in LOGS:
        text = path.read_text(encoding="utf-8")
        assert text.startswith(code.decode()), path  # the log embeds the code it ran
        assert f"code_sha256:{hashlib.sha256(code).hexdigest()} code_bytes:{len(code)}" in text
        log = parse_log(path)
        assert log.warnings == ()
        assert log.reported.kind.value == "ttt" and log.reported.exact
        assert int(log.artifact.code.size.value) == len(code)
        assert f"train_seed{int(log.seed.value)}.log" == path.name


def test_readme_and_json_are_generated_from_the_logs(tmp_path):
    sys.path.insert(0, str(REPO / "bench"))
    try:
        import reference_submission_docs as docs
    finally:
        sys.path.pop(0)
    for p in LOGS:
        shutil.copy(p, tmp_path / p.name)
    assert docs.main([str(tmp_path)]) == 0
    assert (tmp_path / "README.md").read_text() == (SUB / "README.md").read_text()
    assert json.loads((tmp_path / "submission.json").read_text()) == json.loads((SUB / "submission.json").read_text())


def _findings(run_cli, *extra):
    """(exit code, sorted (rule, path, line, waived) of every finding, waived ones included)."""
    code, out, _ = run_cli("audit", "fixtures/reference_submission", "--format", "json", *extra)
    data = json.loads(out)
    found = [(f["rule_id"], f["location"]["path"], f["location"]["line"], False) for f in data["findings"]]
    found += [(f["rule_id"], f["location"]["path"], f["location"]["line"], True) for f in data["waived"]]
    return code, sorted(found)


def test_audit_flags_only_the_generated_validation_set(run_cli):
    """D001/D002 fire, rightly: the fixture's validation set is generated, not FineWeb. Nothing else."""
    from auditor.parsers.runlog import parse_log

    code, found = _findings(run_cli)
    assert code == 1
    expect = []
    for path in LOGS:  # D001 at the validation-token count, D002 at the reported score
        log = parse_log(path)
        expect += [("D001", path.name, log.val_tokens.line, False), ("D002", path.name, log.reported.line, False)]
    assert found == sorted(expect)


def test_audit_is_clean_with_the_fixture_waivers(run_cli):
    code, found = _findings(run_cli, "--waivers", str(WAIVERS))
    assert code == 0 and len(found) == 6 and all(w for *_, w in found)


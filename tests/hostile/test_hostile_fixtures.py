"""Every folder of ``fixtures/hostile/`` audited through the command line in every format: the
findings its ``expected.json`` lists for the rules that own the hostile part, no rule unverified,
no traceback, reports that parse."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.hostile.conftest import REPO, golf_audit

FOLDERS = sorted(p for p in (REPO / "fixtures" / "hostile").iterdir() if p.is_dir())


@pytest.mark.parametrize("folder", FOLDERS, ids=[p.name for p in FOLDERS])
def test_hostile_fixture(folder: Path):
    expected = json.loads((folder / "expected.json").read_text())
    run = golf_audit("audit", folder, "--format", "json")
    report = json.loads(run.out)
    got = [{"rule": f["rule_id"], "path": f["location"]["path"], "line": f["location"]["line"],
            "severity": f["severity"], "message": f["message"]}
           for f in report["findings"] if f["rule_id"] in expected["rules"]]
    assert got == expected["findings"]
    assert report["summary"]["unverified"] == 0 and run.rc == (1 if report["verdict"] == "fail" else 0)
    for fmt in ("text", "markdown", "sarif"):
        other = golf_audit("audit", folder, "--format", fmt)
        assert other.rc == run.rc and other.err == ""

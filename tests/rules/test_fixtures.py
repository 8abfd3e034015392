"""One generic test runs every rule over its fixtures and asserts the exact findings.

Layout: ``fixtures/rules/<RULE_ID>/<pass|fail>_<label>/`` is a miniature submission folder with an
``expected.json``: ``{"findings": [{"rule", "path", "line", "severity"}...], "options": {...}}``.
Code files may also mark a line with ``# expect: <RULE_ID>`` (semgrep style), which adds an
expected finding at that line. Only the rule under test runs, so each fixture pins one rule.
Gate rules (scope "gate") check a PR's change set, not a folder: their fixtures hold a
``changes.json`` (``auditor.gate.changes.ChangeSet``) that is put on the context. Re-run rules
(scope "rerun") read ``submission/`` (the folder) and ``rerun/`` (a re-run's work directory,
``auditor.rerun.outcome.RerunOutcome``); their findings' paths are relative to the work directory.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from auditor.context import AuditOptions, Context
from auditor.engine import Status, audit
from auditor.registry import FIXTURES_ROOT, all_rules

MARK = re.compile(r"#\s*expect:\s*([A-Z]{1,2}\d{3}(?:\s*,\s*[A-Z]{1,2}\d{3})*)(?:\s+(error|warning|info))?")


def fixture_dirs():
    for rule in all_rules():
        folder = FIXTURES_ROOT / rule.id
        for case in sorted(p for p in folder.iterdir() if p.is_dir() and p.name.startswith(("pass", "fail"))):
            yield pytest.param(rule, case, id=f"{rule.id}/{case.name}")


def expected_findings(case: Path, rule) -> Counter:
    spec = json.loads((case / "expected.json").read_text())
    want = Counter((f["rule"], f["path"], f["line"], f["severity"]) for f in spec["findings"])
    for path in sorted(case.rglob("*.py")):
        for n, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            m = MARK.search(line)
            if m:
                for rid in re.split(r"\s*,\s*", m[1]):
                    want[(rid, path.relative_to(case).as_posix(), n, m[2] or str(rule.severity))] += 1
    return want


def options_for(case: Path) -> AuditOptions:
    """``options`` of expected.json; paths in it are relative to the fixture folder."""
    spec = dict(json.loads((case / "expected.json").read_text()).get("options", {}))
    for key in ("corpus", "leaderboard", "proof"):
        if key in spec:
            spec[key] = (case / spec[key]).resolve()
    if "against" in spec and (case / spec["against"]).is_dir():
        spec["against"] = str((case / spec["against"]).resolve())
    if "date" in spec:
        spec["date"] = dt.date.fromisoformat(spec["date"])
    return AuditOptions(**spec)


@pytest.mark.parametrize("rule,case", list(fixture_dirs()))
def test_rule_fixture(rule, case):
    ctx = Context.load(case / "submission" if rule.scope == "rerun" else case, options_for(case))
    if rule.scope == "rerun":
        from auditor.rerun.outcome import RerunOutcome

        ctx.rerun = RerunOutcome.load(case / "rerun")
    if rule.scope == "gate":
        from auditor.gate.changes import ChangeSet

        ctx.changes = ChangeSet.load(case / "changes.json")
    result = audit(ctx, scope=rule.scope, only=[rule.id])
    verdict = next(v for v in result.verdicts if v.rule_id == rule.id)
    assert verdict.status is not Status.UNVERIFIED, verdict.reason
    got = Counter((f.rule_id, f.location.path if f.location else None,
                   f.location.line if f.location else None, str(f.severity)) for f in verdict.findings)
    want = expected_findings(case, rule)
    assert got == want, "\n".join(f"{f.location}: {f.message}" for f in verdict.findings)
    if case.name.startswith("fail"):
        assert want, "a failing fixture must expect at least one finding"
    else:
        assert all(sev != str(rule.severity) or rule.severity.name == "INFO" for *_, sev in want), \
            "a passing fixture may only expect findings below the rule's severity"
    for f in verdict.findings:
        assert f.ruling and f.name == rule.name

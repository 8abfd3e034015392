"""Reports of a re-run, on the fixture of doctored claims (no process runs): the text report and the
Markdown comment against snapshots (colour off, fixed width, times and paths normalised), the JSON
report against its schema and the SARIF log against the SARIF schema. ``UPDATE_SNAPSHOTS=1``
rewrites the snapshots."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from auditor.context import Context
from auditor.engine import audit
from auditor.render import RenderOptions, get_renderer
from auditor.rerun.command import summary
from auditor.rerun.outcome import RerunOutcome
from auditor.schemas import schema_errors

SNAPSHOTS = Path(__file__).parent / "snapshots"
CASE = Path(__file__).resolve().parents[2] / "fixtures" / "rules" / "R002" / "fail_doctored_claims"


@pytest.fixture
def result():
    ctx = Context.load(CASE / "submission")
    ctx.rerun = RerunOutcome.load(CASE / "rerun")
    res = audit(ctx, scope="rerun")
    res.extra["rerun"] = summary(ctx, ctx.rerun)
    return res


def render(fmt: str, result) -> str:
    text = get_renderer(fmt)(result, RenderOptions(color=False, width=110))
    text = text.replace(str(CASE), "<case>")
    return re.sub(r"\d+\.\d\d s\b", "0.00 s", text)


@pytest.mark.parametrize("fmt,name", [("text", "rerun_report.txt"), ("markdown", "rerun_comment.md")])
def test_snapshot(result, fmt, name):
    got = render(fmt, result)
    path = SNAPSHOTS / name
    if os.environ.get("UPDATE_SNAPSHOTS"):
        path.write_text(got)
    assert got == path.read_text()


def test_json_and_sarif(result, sarif_errors):
    report = json.loads(render("json", result))
    assert schema_errors(report, "result") == []
    assert [s["seed"] for s in report["extra"]["rerun"]["seeds"]] == [42, 314]
    assert sarif_errors(json.loads(render("sarif", result))) == []

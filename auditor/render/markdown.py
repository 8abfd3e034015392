"""Markdown report, made to be posted as a PR comment."""

from __future__ import annotations

from auditor.engine import AuditResult, Status
from auditor.findings import Finding
from auditor.render import RenderOptions

ICON = {"pass": "✅", "fail": "❌", "unverified": "⚠️"}
STATUS_ICON = {Status.PASS: "✅", Status.INFO: "ℹ️", Status.WARN: "⚠️", Status.FAIL: "❌",
               Status.SKIPPED: "➖", Status.UNVERIFIED: "❓"}
MAX_EVIDENCE = 6


def render(result: AuditResult, options: RenderOptions) -> str:
    verdict = result.overall(options.fail_on)
    rs = result.ruleset
    out = [f"## {ICON[verdict]} golf-audit: {verdict.upper()}", "",
           f"`{_code(result.target)}` · ruleset `{rs['id']}` · track `{result.track.replace('_', '-')}`", ""]
    out += _rules_table(result)
    active = [f for f in result.findings if not f.waived]
    waived = [f for f in result.findings if f.waived]
    if active:
        out += ["", "### Findings", ""] + [line for f in active for line in _finding(f)]
    if waived:
        out += ["", "### Waived findings (shown, not counted)", ""] + [line for f in waived for line in _finding(f)]
    if result.notes:
        out += ["", *[f"> note: {_cell(n)}" for n in result.notes]]
    out += ["", f"<sub>golf-audit · {len(result.verdicts)} rules · {result.seconds:.2f} s</sub>", ""]
    return "\n".join(out)


def _rules_table(result: AuditResult) -> list[str]:
    rows = ["| rule | name | status | details |", "| --- | --- | --- | --- |"]
    for v in result.verdicts:
        detail = (f"{len(v.findings)} finding(s)" if v.findings
                  else v.reason or (v.evidence[0].text if v.evidence else ""))
        rows.append(f"| {v.rule_id} | `{v.name}` | {STATUS_ICON[v.status]} {v.status.value} | {_cell(detail)} |")
    return rows


def _finding(f: Finding) -> list[str]:
    where = f" at `{_code(str(f.location))}`" if f.location else ""
    ruling = f"[{f.ruling}]({f.ruling_url})" if f.ruling_url else f"{f.ruling}"
    lines = [f"- **{str(f.severity).upper()} {f.rule_id} `{f.name}`**{where}: {_cell(f.message)}"]
    if f.measured:
        lines.append(f"  - measured: {_cell(str(f.measured))}")
    for ev in f.evidence[:MAX_EVIDENCE]:
        lines.append(f"  - {_cell(ev)}")
    if len(f.evidence) > MAX_EVIDENCE:
        lines.append(f"  - … {len(f.evidence) - MAX_EVIDENCE} more")
    if f.waived:
        lines.append(f"  - waived: {_cell(f.waived)}")
    lines.append(f"  - ruling: {ruling} · confidence {f.confidence}")
    return lines


def _cell(text: str) -> str:
    """Text safe inside a table cell or list item: no pipes, newlines, HTML or control characters."""
    text = "".join(c if c.isprintable() else " " for c in text)
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def _code(text: str) -> str:
    return _cell(text).replace("`", "'")

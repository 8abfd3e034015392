"""Markdown report, made to be posted as a PR comment.

A gate report starts with a hidden marker, so a workflow can edit its earlier comment in place,
and shows the change set, the audited folder and the frontier to beat. Waived findings are
listed apart and never hidden; the comment stays under GitHub's size limit.
"""

from __future__ import annotations

from auditor.engine import AuditResult, RuleVerdict, Status, rulings
from auditor.findings import Finding
from auditor.registry import get_rule
from auditor.render import RenderOptions

ICON = {"pass": "✅", "fail": "❌", "unverified": "⚠️"}
STATUS_ICON = {Status.PASS: "✅", Status.INFO: "ℹ️", Status.WARN: "⚠️", Status.FAIL: "❌",
               Status.SKIPPED: "➖", Status.UNVERIFIED: "❓"}
MAX_EVIDENCE = 6
MARKER = "<!-- golf-audit-report -->"
MAX_CHARS = 60_000  # GitHub refuses comments over 65,536 characters
MAX_FILES_SHOWN = 50


def render(result: AuditResult, options: RenderOptions) -> str:
    verdict = result.overall(options.fail_on)
    rs = result.ruleset
    gate = result.extra.get("gate")
    out = [MARKER] if gate else []
    out += [f"## {ICON[verdict]} golf-audit: {verdict.upper()}", "",
            f"`{_code(result.target)}` · ruleset `{rs['id']}` · track `{result.track.replace('_', '-')}`", ""]
    if gate:
        out += _gate(gate)
    if result.extra.get("rerun"):
        out += _rerun(result.extra["rerun"])
    out += _rules_table(result)
    active = [f for f in result.findings if not f.waived]
    waived = [f for f in result.findings if f.waived]
    tail = [*(f"> note: {_cell(n)}" for n in result.notes)]
    tail = (["", *tail] if tail else []) + ["", _footer(result), ""]
    budget = MAX_CHARS - len("\n".join(out + tail))
    if active:
        out += ["", "### Findings", ""] + _fit([_finding(f) for f in active], budget // 2 if waived else budget)
    if waived:
        out += ["", "### Waived findings (shown, not counted)", ""] + _fit([_finding(f) for f in waived], budget // 2)
    return "\n".join(out + tail)


def _footer(result: AuditResult) -> str:
    return f"<sub>golf-audit · {len(result.verdicts)} rules · {result.seconds:.2f} s</sub>"


def _fit(blocks: list[list[str]], budget: int) -> list[str]:
    """Whole finding blocks while they fit in ``budget`` characters, then a count of the rest."""
    out: list[str] = []
    for i, block in enumerate(blocks):
        if len("\n".join(out + block)) > budget:
            return out + [f"- … {len(blocks) - i} more: see the SARIF or JSON report"]
        out += block
    return out


# -- a re-run's seeds ------------------------------------------------------------------------------------
def _rerun(rerun: dict) -> list[str]:
    env = rerun["environment"]
    gpus = ", ".join(dict.fromkeys(env.get("gpus") or [])) or "no GPU"
    out = [f"Re-run: `{_code(rerun['command'])}` ({_cell(rerun['command_source'])}), {rerun['nproc']} process(es); "
           f"Python {env.get('python') or '?'}, torch {env.get('torch') or '?'}, CUDA {env.get('cuda') or 'none'}, "
           f"{_cell(gpus)}", "", "| seed | run | val_bpb | claimed | bytes | train s | eval s | wall s |",
           "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for s in rerun["seeds"]:
        cells = [s["seed"], s["status"], _opt(s["val_bpb"], "{:.8f}"), _opt(s["claimed_val_bpb"], "{}"),
                 _opt(s["total_bytes"], "{:,}"), _opt(s["train_time_ms"] and s["train_time_ms"] / 1000, "{:.1f}"),
                 _opt(s["eval_time_ms"] and s["eval_time_ms"] / 1000, "{:.1f}"), _opt(s["wall_s"], "{:.1f}")]
        out.append("| " + " | ".join(str(c) for c in cells) + " |")
    return out + [""]


def _opt(value, fmt: str) -> str:
    return "–" if value is None else fmt.format(value)


# -- the gate's change set ------------------------------------------------------------------------------
def _gate(gate: dict) -> list[str]:
    changes = gate["changes"]
    counts = " · ".join(f"{n} {WORDS.get(s, s)}" for s, n in sorted(changes["counts"].items())) or "no changes"
    lines = [f"**Change set** `{gate['merge_base'][:12]}..{gate['head'][:12]}` "
             f"(base `{gate['base'][:12]}`): {counts}" + (f" · PR #{gate['pr']}" if gate.get("pr") else ""), ""]
    folder = gate.get("folder")
    lines += [f"**Audited folder** `{_code(folder)}`" if folder else "**Audited folder** none", ""]
    lines += [f"**Frontier to beat** {_frontier(gate)}", "", f"**Dynamic rules** {_cell(gate['dynamic'])}", ""]
    if gate.get("waivers"):
        lines += [f"**Waivers** from `{_code(gate['waivers'])}`", ""]
    files = changes["files"][:MAX_FILES_SHOWN]
    lines += [f"<details><summary>Changed files ({changes['files_total']})</summary>", "",
              "| status | path |", "| --- | --- |"]
    lines += [f"| {f['status']} | `{_code(f['path'])}`{' (binary)' if f['binary'] else ''}"
              f"{' → `' + _code(f['link']) + '`' if f.get('link') is not None else ''} |" for f in files]
    if changes["files_total"] > len(files):
        lines.append(f"| … | {changes['files_total'] - len(files)} more |")
    return lines + ["", "</details>", ""]


WORDS = {"A": "added", "M": "modified", "D": "deleted", "T": "type changed"}


def _frontier(gate: dict) -> str:
    row, source = gate.get("frontier"), gate.get("leaderboard")
    if source is None:
        return "not computed (no leaderboard given)"
    if row is None or row.get("folder") is None:
        why = (row or {}).get("error") or (row or {}).get("why") or "no row"
        return f"none ({_cell(why)}; leaderboard {_cell(source)})"
    pr = f"PR #{row['pr']}, " if row.get("pr") else ""
    return (f"`{_code(row['folder'])}` ({pr}val_bpb {row['val_bpb']}, {row['seeds'] or 1} seed(s)) "
            f"from the leaderboard {_cell(source)}")


# -- rules and findings ---------------------------------------------------------------------------------
def _rules_table(result: AuditResult) -> list[str]:
    rows = ["| rule | name | status | details |", "| --- | --- | --- | --- |"]
    for v in result.verdicts:
        rows.append(f"| {_rule_link(v.rule_id)} | `{v.name}` | {STATUS_ICON[v.status]} {v.status.value} "
                    f"| {_cell(_detail(v))} |")
    return rows


def _detail(v: RuleVerdict) -> str:
    if not v.findings:
        return v.reason or (v.evidence[0].text if v.evidence else "")
    waived = sum(1 for f in v.findings if f.waived)
    active = len(v.findings) - waived
    return f"{active} finding(s)" + (f", {waived} waived" if waived else "")


def _rule_link(rule_id: str) -> str:
    rule = get_rule(rule_id)
    url = rulings().get(rule.ruling, {}).get("url") if rule else None
    return f"[{rule_id}]({url})" if url else rule_id


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
    """Text safe inside a table cell or list item: no pipes, newlines, HTML, links, images,
    @-mentions or control characters (file names and messages come from the PR)."""
    text = "".join(c if c.isprintable() else " " for c in str(text))
    for old, new in (("\\", "\\\\"), ("|", "\\|"), ("<", "&lt;"), (">", "&gt;"), ("[", "\\["), ("]", "\\]"),
                     ("`", "'"), ("@", "@\u200b")):
        text = text.replace(old, new)
    return text


def _code(text: str) -> str:
    """Text for inside a code span (shown literally): printable, no backticks, pipes escaped for tables."""
    return "".join(c if c.isprintable() else " " for c in str(text)).replace("`", "'").replace("|", "\\|")

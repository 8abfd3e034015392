"""The rich terminal report (default format). Markup is off: file text is never formatting."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table
from rich.text import Text

from auditor.engine import AuditResult, Status
from auditor.findings import Finding, Severity
from auditor.render import RenderOptions
from auditor.safefs import printable

STATUS_STYLE = {
    Status.PASS: "green", Status.INFO: "cyan", Status.WARN: "yellow", Status.FAIL: "bold red",
    Status.SKIPPED: "dim", Status.UNVERIFIED: "bold magenta",
}
SEVERITY_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
VERDICT_STYLE = {"pass": "bold green", "fail": "bold red", "unverified": "bold magenta"}


def make_console(options: RenderOptions, file=None) -> Console:
    """The one console of a report: markup and highlighting off, fixed width when not a tty."""
    return Console(file=file or io.StringIO(), width=options.width, markup=False, highlight=False,
                   emoji=False, color_system="standard" if options.color else None,
                   force_terminal=options.color, soft_wrap=False)


def render(result: AuditResult, options: RenderOptions) -> str:
    console = make_console(options)
    print_report(console, result, options)
    return "".join(line.rstrip() + "\n" for line in console.file.getvalue().splitlines())


def print_report(console: Console, result: AuditResult, options: RenderOptions) -> None:
    _header(console, result)
    if result.extra.get("gate"):
        _gate(console, result.extra["gate"])
    if result.extra.get("rerun"):
        _rerun(console, result.extra["rerun"])
    console.print(_rule_table(result, options))
    active = result.active()
    waived = [f for f in result.findings if f.waived is not None]
    if active:
        console.print(Text("Findings", style="bold"))
        for f in active:
            _finding(console, f)
    if waived:
        console.print(Text("Waived findings (shown, not counted)", style="bold"))
        for f in waived:
            _finding(console, f)
    for note in result.notes:
        console.print(Text(f"note: {note}", style="dim"))
    _footer(console, result, options)


def _header(console: Console, result: AuditResult) -> None:
    rs = result.ruleset
    console.print(Text(f"golf-audit: {printable(result.target)}", style="bold"))
    console.print(Text(f"ruleset {rs['id']} (in force from {rs['effective_from']}) · "
                       f"track {result.track.replace('_', '-')}", style="dim"))


def _gate(console: Console, gate: dict) -> None:
    changes = gate["changes"]
    counts = ", ".join(f"{n} {s}" for s, n in sorted(changes["counts"].items())) or "no changes"
    pr = f" · PR #{gate['pr']}" if gate.get("pr") else ""
    console.print(Text(f"change set {gate['merge_base'][:12]}..{gate['head'][:12]}: {counts}{pr}", style="dim"))
    console.print(Text(f"audited folder: {printable(gate['folder'] or 'none')} · dynamic: {gate['dynamic']}",
                       style="dim"))
    row = gate.get("frontier") or {}
    if row.get("folder"):
        console.print(Text(f"frontier to beat: {printable(row['folder'])} (val_bpb {row['val_bpb']})", style="dim"))


def _rerun(console: Console, rerun: dict) -> None:
    env = rerun["environment"]
    gpus = ", ".join(dict.fromkeys(env.get("gpus") or [])) or "no GPU"
    console.print(Text(f"re-run: {printable(rerun['command'])} ({rerun['command_source']}) · {rerun['nproc']} "
                       f"process(es) · Python {env.get('python') or '?'} · torch {env.get('torch') or '?'} · "
                       f"CUDA {env.get('cuda') or 'none'} · {gpus}", style="dim"))
    console.print(Text(f"work directory: {printable(rerun['work_dir'])}", style="dim"))
    table = Table(show_edge=False, pad_edge=False, box=None, header_style="bold")
    for col in ("seed", "run", "val_bpb", "claimed", "bytes", "train s", "eval s", "wall s"):
        table.add_column(col, justify="left" if col in ("seed", "run") else "right")
    for s in rerun["seeds"]:
        table.add_row(str(s["seed"]), s["status"], _num(s["val_bpb"], "{:.8f}"), _num(s["claimed_val_bpb"], "{}"),
                      _num(s["total_bytes"], "{:,}"), _num(s["train_time_ms"], "{:.1f}", 1e-3),
                      _num(s["eval_time_ms"], "{:.1f}", 1e-3), _num(s["wall_s"], "{:.1f}"))
    console.print(table)


def _num(value, fmt: str, scale: float = 1.0) -> str:
    return "-" if value is None else fmt.format(value * scale if scale != 1.0 else value)


def _rule_table(result: AuditResult, options: RenderOptions) -> Table:
    table = Table(show_edge=False, pad_edge=False, box=None, header_style="bold")
    for col in ("rule", "name", "status", "details"):
        table.add_column(col, overflow="fold")
    for v in result.verdicts:
        if v.status is Status.SKIPPED and not options.verbose:
            detail = v.reason
        elif v.findings:
            waived = sum(1 for f in v.findings if f.waived is not None)
            active = len(v.findings) - waived
            detail = f"{active} finding" + ("s" if active != 1 else "") + (f", {waived} waived" if waived else "")
        else:
            detail = v.reason or (v.evidence[0].text if v.evidence else "")
        table.add_row(v.rule_id, v.name, Text(v.status.value.upper(), style=STATUS_STYLE[v.status]),
                      Text(printable(detail)))
    return table


def _finding(console: Console, f: Finding) -> None:
    head = Text()
    head.append(f"{str(f.severity).upper():7} ", style=SEVERITY_STYLE[f.severity])
    head.append(f"{f.rule_id} {f.name}")
    if f.location:
        head.append(f"  {printable(str(f.location))}", style="bold")
    if f.waived:
        head.append("  [waived]", style="dim")
    console.print(head)
    console.print(Text("    " + printable(f.message)))
    if f.measured:
        console.print(Text(f"    measured: {f.measured}", style="dim"))
    for line in f.evidence:
        console.print(Text(f"    · {printable(line)}", style="dim"))
    if f.waived:
        console.print(Text(f"    waived: {printable(f.waived)}", style="dim"))
    console.print(Text(f"    ruling: {f.ruling} · confidence {f.confidence}", style="dim"))
    if f.ruling_url:
        console.print(Text(f"    {f.ruling_url}", style="dim"), soft_wrap=True)


def _footer(console: Console, result: AuditResult, options: RenderOptions) -> None:
    verdict = result.overall(options.fail_on)
    counts = {s: sum(1 for f in result.active() if f.severity is s) for s in Severity}
    text = Text(f"verdict: {verdict.upper()}", style=VERDICT_STYLE[verdict])
    text.append(f"  ({counts[Severity.ERROR]} errors, {counts[Severity.WARNING]} warnings, "
                f"{counts[Severity.INFO]} notes; {len(result.verdicts)} rules in {result.seconds:.2f} s)",
                style="dim")
    console.print(text)

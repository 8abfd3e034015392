"""Whole static audit over real record folders, with the code rules' (X…) figures.

    python bench/code_audit_real.py <records-root> [--json out.json] [--show-findings]

``<records-root>`` holds ``track_*/<folder>/`` (an extracted ``records/`` tree of
openai/parameter-golf, or PR heads extracted the same way; keep them outside the repository, their
code is never committed). For every folder: the whole audit (all static rules), timed; then the
code rules' findings. Prints files analysed, total and slowest time, folders with an error-level
X finding (a FAIL from the code rules), and findings per rule and severity, as Markdown.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from auditor.context import Context  # noqa: E402
from auditor.engine import Status, audit  # noqa: E402


def folders(root: Path) -> list[Path]:
    """``<root>/track_*/<folder>`` (a records tree), or ``<root>/<group>/track_*/<folder>`` (PR heads
    extracted one directory per PR, e.g. ``pr1376/``)."""
    found = sorted(p for p in root.glob("track_*/*") if p.is_dir())
    return found or sorted(p for p in root.glob("*/track_*/*") if p.is_dir())


def audit_one(folder: Path) -> dict:
    start = time.perf_counter()
    ctx = Context.load(folder)
    result = audit(ctx)
    seconds = time.perf_counter() - start
    code = ctx.code
    xs = [f for f in result.findings if f.rule_id.startswith("X")]
    group = folder.parent.parent.name if folder.parent.parent.name.startswith("pr") else ""
    return {
        "folder": folder.name,
        "group": group,
        "track": folder.parent.name,
        "seconds": seconds,
        "py_files": len(code.files),
        "py_bytes": sum(len(t.encode("utf-8", "replace")) for t in code.files.values()),
        "wrapped": [m.path for m in code.index.wrapped],
        "unverified": [v.rule_id for v in result.verdicts if v.status is Status.UNVERIFIED],
        "findings": [{"rule": f.rule_id, "severity": str(f.severity), "confidence": str(f.confidence),
                      "where": str(f.location), "message": f.message} for f in xs],
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("root", type=Path)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--show-findings", action="store_true")
    args = ap.parse_args()
    rows = [audit_one(f) for f in folders(args.root)]
    report(rows, args.root, args.show_findings)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))


def report(rows: list[dict], root: Path, show: bool) -> None:
    times = [r["seconds"] for r in rows]
    failing = [r for r in rows if any(f["severity"] == "error" for f in r["findings"])]
    per_rule = Counter((f["rule"], f["severity"]) for r in rows for f in r["findings"])
    slowest = max(rows, key=lambda r: r["seconds"])
    print(f"machine: {platform.machine()}, Python {platform.python_version()}; root: {root}")
    print(f"| measure | value |\n|---|---|\n| folders | {len(rows)} |")
    print(f"| Python files analysed | {sum(r['py_files'] for r in rows)} "
          f"({sum(r['py_bytes'] for r in rows) / 1e6:.1f} MB), self-extracting: {sum(len(r['wrapped']) for r in rows)} |")
    print(f"| whole static audit, all folders (one process) | {sum(times):.2f} s |")
    print(f"| per folder: median / slowest | {statistics.median(times):.3f} s / {slowest['seconds']:.3f} s "
          f"({slowest['folder'][:40]}) |")
    print(f"| folders with an error-level X finding | {len(failing)} |")
    print(f"| folders with a rule that could not verify | {sum(1 for r in rows if r['unverified'])} |")
    print("\n| rule | severity | findings |\n|---|---|---|")
    for (rule, sev), n in sorted(per_rule.items()):
        print(f"| {rule} | {sev} | {n} |")
    groups = sorted({r["group"] for r in rows if r["group"].startswith("pr")}, key=lambda g: int(g[2:]))
    if groups:
        print("\n| PR | folders | error-level X rules | other X findings |\n|---|---|---|---|")
        for g in groups:
            mine = [r for r in rows if r["group"] == g]
            errors = sorted({f["rule"] for r in mine for f in r["findings"] if f["severity"] == "error"})
            others = sorted({f"{f['rule']} {f['severity']}" for r in mine for f in r["findings"]
                             if f["severity"] != "error" and f["rule"] != "X012"})
            print(f"| #{g[2:]} | {len(mine)} | {', '.join(errors) or '—'} | {', '.join(others) or '—'} |")
    for r in rows:
        if show or r in failing:
            for f in r["findings"]:
                if show or f["severity"] == "error":
                    print(f"- {r['group'] + '/' if r['group'] else ''}{r['folder']}: {f['rule']} {f['severity']}/{f['confidence']} {f['where']}: {f['message']}")


if __name__ == "__main__":
    main()

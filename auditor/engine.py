"""The engine: run the ruleset's rules over a context and collect one verdict per rule.

A rule that yields error-level findings FAILs; warnings only, WARN; info only, INFO; nothing,
PASS; a rule that raises ``Skip`` is SKIPPED with its reason; a rule that crashes is UNVERIFIED
(never a PASS). The engine stamps each finding with the rule's identity and its ruling's link,
applies the ruleset's severity overrides, and sorts everything.
"""

from __future__ import annotations

import enum
import json
import time
import traceback
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from auditor import __version__
from auditor.findings import Evidence, Finding, Severity
from auditor.registry import Rule, Skip, all_rules

RULINGS_FILE = Path(__file__).resolve().parent.parent / "rules" / "rulings.json"


class Status(str, enum.Enum):
    PASS = "pass"
    INFO = "info"
    WARN = "warn"
    FAIL = "fail"
    SKIPPED = "skipped"
    UNVERIFIED = "unverified"


@dataclass(frozen=True)
class RuleVerdict:
    rule_id: str
    name: str
    status: Status
    findings: tuple[Finding, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    reason: str = ""  # why skipped or unverified
    seconds: float = 0.0


@dataclass
class AuditResult:
    target: str
    ruleset: dict[str, Any]
    track: str
    verdicts: list[RuleVerdict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)  # command-specific data (prove, rerun, gate)

    @property
    def findings(self) -> list[Finding]:
        return sorted(f for v in self.verdicts for f in v.findings)

    def active(self) -> list[Finding]:
        return [f for f in self.findings if f.waived is None]

    def exit_code(self, fail_on: Severity | None) -> int:
        """0 clean, 1 a finding at or above ``fail_on``, 3 some rule could not be verified."""
        if fail_on is not None and any(f.severity >= fail_on for f in self.active()):
            return 1
        if any(v.status is Status.UNVERIFIED for v in self.verdicts):
            return 3
        return 0

    def overall(self, fail_on: Severity | None = Severity.ERROR) -> str:
        """The verdict. ``fail_on=None`` (``--fail-on never``) changes the exit code only: a result
        with errors is never called a pass."""
        return {0: "pass", 1: "fail", 3: "unverified"}[self.exit_code(fail_on or Severity.ERROR)]

    def to_dict(self, fail_on: Severity | None = Severity.ERROR) -> dict[str, Any]:
        return {
            "tool": {"name": "golf-audit", "version": __version__},
            "target": self.target,
            "ruleset": self.ruleset,
            "track": self.track,
            "verdict": self.overall(fail_on),
            "fail_on": str(fail_on) if fail_on else "never",
            "summary": self.summary(),
            "rules": [_verdict_dict(v) for v in self.verdicts],
            "findings": [f.to_dict() for f in self.active()],
            "waived": [f.to_dict() for f in self.findings if f.waived is not None],
            "notes": list(self.notes),
            "seconds": round(self.seconds, 4),
            **({"extra": self.extra} if self.extra else {}),
        }

    def summary(self) -> dict[str, int]:
        counts = {s.value: 0 for s in Status}
        for v in self.verdicts:
            counts[v.status.value] += 1
        return counts


def _verdict_dict(v: RuleVerdict) -> dict[str, Any]:
    return {
        "rule_id": v.rule_id, "name": v.name, "status": v.status.value, "reason": v.reason,
        "evidence": [{"text": e.text, "location": e.location.to_dict() if e.location else None}
                     for e in v.evidence],
        "finding_count": len(v.findings),
    }


RULINGS_DIR = RULINGS_FILE.with_name("rulings.d")


@lru_cache(maxsize=None)
def rulings() -> dict[str, dict[str, Any]]:
    """Every ruling by id: ``rules/rulings.json`` plus one file per rule family in ``rules/rulings.d``."""
    files = [RULINGS_FILE, *sorted(RULINGS_DIR.glob("*.json"))]
    out: dict[str, dict[str, Any]] = {}
    for path in files:
        for r in json.loads(path.read_text(encoding="utf-8"))["rulings"]:
            if r["id"] in out:
                raise ValueError(f"ruling {r['id']} defined twice (second in {path.name})")
            out[r["id"]] = r
    return out


def run_rules(ctx, rules: Iterable[type[Rule]]) -> list[RuleVerdict]:
    verdicts = []
    for rule_cls in rules:
        if ctx.ruleset.disabled(rule_cls.id):
            verdicts.append(RuleVerdict(rule_cls.id, rule_cls.name, Status.SKIPPED, reason="disabled by the ruleset"))
        elif ctx.track not in rule_cls.tracks:
            verdicts.append(RuleVerdict(rule_cls.id, rule_cls.name, Status.SKIPPED,
                                        reason=f"does not apply to the {ctx.track.replace('_', '-')} track"))
        else:
            verdicts.append(run_rule(ctx, rule_cls))
    return verdicts


def run_rule(ctx, rule_cls: type[Rule]) -> RuleVerdict:
    start = time.perf_counter()
    try:
        items = list(rule_cls().check(ctx))
    except Skip as skip:
        return RuleVerdict(rule_cls.id, rule_cls.name, Status.SKIPPED, reason=str(skip),
                           seconds=time.perf_counter() - start)
    except Exception as exc:  # a crashing rule is "could not verify", never a PASS
        where = traceback.extract_tb(exc.__traceback__)[-1]
        reason = f"internal error {type(exc).__name__}: {exc} (at {Path(where.filename).name}:{where.lineno})"
        return RuleVerdict(rule_cls.id, rule_cls.name, Status.UNVERIFIED, reason=reason,
                           seconds=time.perf_counter() - start)
    findings = tuple(sorted(_stamp(ctx, rule_cls, f) for f in items if isinstance(f, Finding)))
    evidence = tuple(e for e in items if isinstance(e, Evidence))
    return RuleVerdict(rule_cls.id, rule_cls.name, status_of(findings), findings, evidence,
                       seconds=time.perf_counter() - start)


def _stamp(ctx, rule_cls: type[Rule], f: Finding) -> Finding:
    ruling = f.ruling or rule_cls.ruling
    url = rulings().get(ruling, {}).get("url")
    f = f.with_rule(rule_cls.id, rule_cls.name, ruling, url)
    override = ctx.ruleset.severity_override(rule_cls.id)
    return replace(f, severity=Severity.parse(override)) if override else f


def status_of(findings: tuple[Finding, ...]) -> Status:
    """A rule's status from the findings that count (waived ones do not)."""
    if not findings:
        return Status.PASS
    worst = max(f.severity for f in findings)
    return {Severity.ERROR: Status.FAIL, Severity.WARNING: Status.WARN, Severity.INFO: Status.INFO}[worst]


def audit(ctx, scope: str = "static", only: Iterable[str] | None = None) -> AuditResult:
    """Run every rule of ``scope`` (or just the ids in ``only``) over ``ctx``."""
    start = time.perf_counter()
    wanted = {i.upper() for i in only} if only else None
    rules = [r for r in all_rules() if r.scope == scope and (wanted is None or r.id in wanted)]
    verdicts = run_rules(ctx, rules)
    result = AuditResult(str(ctx.root), ctx.ruleset.summary(), ctx.track, verdicts, list(ctx.notes))
    result.seconds = time.perf_counter() - start
    return result

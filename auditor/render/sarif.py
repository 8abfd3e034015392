"""SARIF 2.1.0 report: one run, for GitHub code scanning (annotations on the PR's lines).

``tool.driver.rules`` describes every registered rule (docs, ruling link, default level);
each finding is a result with its rule, level, message and location. Locations are relative to
the repository root (``uriBaseId`` ``%SRCROOT%``): the gate's paths already are, and ``audit``
prefixes ``--sarif-root`` (the folder's path in the repository). Waived findings carry an
external suppression with the reviewer's reason; the invocation records the exit code.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from urllib.parse import quote

from auditor import __version__
from auditor.engine import AuditResult, Status, rulings
from auditor.findings import Confidence, Finding, Location, Severity
from auditor.registry import all_rules, get_rule
from auditor.render import RenderOptions

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"
LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
PRECISION = {Confidence.HIGH: "high", Confidence.MEDIUM: "medium", Confidence.LOW: "low"}
FINGERPRINT = "golfAuditFinding/v1"


def render(result: AuditResult, options: RenderOptions) -> str:
    ids = list(dict.fromkeys([r.id for r in all_rules()] + [v.rule_id for v in result.verdicts]
                             + [f.rule_id for f in result.findings]))
    index = {rule_id: i for i, rule_id in enumerate(ids)}
    names = {v.rule_id: v.name for v in result.verdicts}
    root = options.sarif_root.strip("/")
    run = {
        "tool": {"driver": {"name": "golf-audit", "version": __version__, "semanticVersion": __version__,
                            "rules": [_descriptor(i, names.get(i, "")) for i in ids]}},
        "invocations": [_invocation(result, options, index)],
        "results": _results(result.findings, index, root),
        "columnKind": "unicodeCodePoints",
        "properties": _run_properties(result, options),
    }
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


# -- rules -----------------------------------------------------------------------------------------------
def _descriptor(rule_id: str, name: str) -> dict:
    rule = get_rule(rule_id)
    if rule is None:
        return {"id": rule_id, **({"name": name} if name else {})}
    sections = rule.doc_sections()
    summary = " ".join(sections[""].split())
    ruling = rulings().get(rule.ruling, {})
    out = {
        "id": rule.id, "name": rule.name,
        "shortDescription": {"text": summary},
        "fullDescription": {"text": f"{summary}\n\n{sections.get('Checks', '')}".strip()},
        "help": {"text": rule.doc(), "markdown": _help_markdown(rule, ruling)},
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "properties": {"tags": ["golf-audit", rule.scope], "precision": PRECISION[rule.confidence],
                       "ruling": rule.ruling},
    }
    if ruling.get("url"):
        out["helpUri"] = ruling["url"]
    return out


def _help_markdown(rule, ruling: dict) -> str:
    sections = rule.doc_sections()
    parts = [" ".join(sections[""].split())]
    parts += [f"**{name}** {sections[name]}" for name in ("Checks", "Why", "Fails", "Passes") if sections.get(name)]
    if ruling:
        parts.append(f"**Ruling** [{rule.ruling}]({ruling.get('url', '')}): {ruling.get('title', '')}")
    return "\n\n".join(parts)


# -- results ---------------------------------------------------------------------------------------------
def _results(findings: list[Finding], index: dict[str, int], root: str) -> list[dict]:
    seen: Counter = Counter()
    out = []
    for f in findings:
        loc = _location(f.location, root)
        key = f"{f.rule_id}\0{loc['physicalLocation']['artifactLocation']['uri']}\0{f.message}"
        seen[key] += 1
        digest = hashlib.sha256(f"{key}\0{seen[key]}".encode("utf-8", "surrogateescape")).hexdigest()[:32]
        out.append(_result(f, index, loc, digest))
    return out


def _result(f: Finding, index: dict[str, int], location: dict, digest: str) -> dict:
    text = f.message + (f" (measured: {f.measured})" if f.measured else "")
    out = {
        "ruleId": f.rule_id, "ruleIndex": index[f.rule_id], "level": LEVEL[f.severity],
        "message": {"text": text},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT: digest},
        "properties": {"severity": str(f.severity), "confidence": str(f.confidence), "ruling": f.ruling,
                       **({"rulingUrl": f.ruling_url} if f.ruling_url else {}),
                       **({"evidence": list(f.evidence)} if f.evidence else {}),
                       **({"measured": {"value": f.measured.value, "limit": f.measured.limit,
                                        "unit": f.measured.unit}} if f.measured else {})},
    }
    if f.waived is not None:
        out["suppressions"] = [{"kind": "external", "status": "accepted", "justification": f.waived}]
    return out


def _location(loc: Location | None, root: str) -> dict:
    """A physical location relative to the repository root; the folder itself when no file is known."""
    rel = loc.path if loc is not None else "."
    path = "/".join(p for p in (root, "" if rel in (".", "") else rel) if p) or "."
    physical: dict = {"artifactLocation": {"uri": _uri(path), "uriBaseId": SRCROOT}}
    if loc is not None and loc.line:
        physical["region"] = {"startLine": loc.line, **({"endLine": loc.end_line} if loc.end_line else {})}
    return {"physicalLocation": physical}


def _uri(path: str) -> str:
    """A relative URI reference: every byte outside the unreserved set percent-encoded."""
    return quote(path.encode("utf-8", "surrogateescape"), safe="/-._~")


# -- the run ---------------------------------------------------------------------------------------------
def _invocation(result: AuditResult, options: RenderOptions, index: dict[str, int]) -> dict:
    code = result.exit_code(options.fail_on)
    notes = [{"level": "note", "message": {"text": n}} for n in result.notes]
    notes += [{"level": "error", "message": {"text": f"{v.rule_id} could not be verified: {v.reason}"},
               "associatedRule": {"id": v.rule_id, "index": index[v.rule_id]}}
              for v in result.verdicts if v.status is Status.UNVERIFIED]
    skipped = [{"rule": v.rule_id, "reason": v.reason} for v in result.verdicts if v.status is Status.SKIPPED]
    return {"executionSuccessful": code != 3, "exitCode": code, "toolExecutionNotifications": notes,
            "properties": {"skipped": skipped}}


def _run_properties(result: AuditResult, options: RenderOptions) -> dict:
    return {"target": result.target, "ruleset": result.ruleset["id"], "track": result.track,
            "verdict": result.overall(options.fail_on), "failOn": str(options.fail_on or "never"),
            "summary": result.summary(), **({"extra": result.extra} if result.extra else {})}

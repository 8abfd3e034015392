"""Waivers: a reviewer accepts one finding, with a reason, in a file under review.

A waived finding stays in the report, shown apart, and counts for nothing in the exit code. A
waiver that matches nothing is reported as a note, an expired one is not applied. The file is
TOML (``golf-audit-waivers.toml``) or JSON (``{"waiver": [...]}``)::

    [[waiver]]
    rule = "G001"                                   # rule id (required)
    folder = "2026-04-01_MyRecord"                  # record folder: its name, repo path or a glob (required)
    path = "README.md"                              # optional: file, relative to the record folder
    line = 12                                       # optional: line of that file
    message = "outside records/"                    # optional: substring of the finding's message
    reason = "typo fix in the root README agreed in #2150"   # required, non-empty
    by = "cocohearts"                               # reviewer (required)
    expires = 2026-06-01                            # optional: not applied after this day
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from auditor.engine import AuditResult, RuleVerdict, status_of as _status
from auditor.findings import Finding

DEFAULT_NAMES = ("golf-audit-waivers.toml", "golf-audit-waivers.json")
FIELDS = {"rule", "folder", "path", "line", "message", "reason", "by", "expires"}


class WaiverError(Exception):
    """A waivers file that cannot be used; the message names the file and the entry."""


@dataclass(frozen=True)
class Waiver:
    index: int  # 1-based position in the file
    rule: str
    folder: str
    reason: str
    by: str
    path: str | None = None
    line: int | None = None
    message: str | None = None
    expires: dt.date | None = None

    @property
    def label(self) -> str:
        return f"waiver #{self.index} ({self.rule} on {self.folder})"

    def text(self) -> str:
        until = f", until {self.expires.isoformat()}" if self.expires else ""
        return f"{self.reason} (waived by {self.by}{until})"

    def matches(self, f: Finding, folder: str, rel: str | None) -> bool:
        """``folder``: the record folder's path; ``rel``: the finding's path inside it (or the repo)."""
        if f.rule_id != self.rule:
            return False
        names = {folder, folder.rstrip("/").rsplit("/", 1)[-1]}
        if not any(fnmatch.fnmatchcase(n, self.folder) for n in names):
            return False
        if self.path is not None and self.path not in {rel, f.location.path if f.location else None}:
            return False
        if self.line is not None and (f.location is None or f.location.line != self.line):
            return False
        return self.message is None or self.message in f.message


def load(source: str | Path, text: str | None = None) -> list[Waiver]:
    """Parse a waivers file (``text`` when it was read elsewhere, e.g. from a git revision)."""
    name = str(source)
    try:
        text = Path(source).read_text(encoding="utf-8") if text is None else text
    except (OSError, UnicodeDecodeError) as exc:
        raise WaiverError(f"{name}: cannot read the waivers file ({exc})") from None
    data = _parse(name, text)
    entries = data.get("waiver", data.get("waivers")) if isinstance(data, dict) else None
    if not isinstance(entries, list) or set(data) - {"waiver", "waivers", "$comment"}:
        raise WaiverError(f"{name}: expected a list of [[waiver]] entries and nothing else")
    return [_entry(name, i, e) for i, e in enumerate(entries, 1)]


def _parse(name: str, text: str) -> Any:
    if name.endswith(".json"):
        try:
            return json.loads(text)
        except ValueError as exc:
            raise WaiverError(f"{name}: malformed JSON: {exc}") from None
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        try:
            import tomli as tomllib
        except ModuleNotFoundError:
            raise WaiverError(f"{name}: reading TOML needs Python 3.11 or 'tomli'; or use a .json file") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise WaiverError(f"{name}: malformed TOML: {exc}") from None


def _entry(name: str, i: int, e: Any) -> Waiver:
    where = f"{name}: waiver #{i}"
    if not isinstance(e, dict):
        raise WaiverError(f"{where}: not a table")
    unknown = sorted(set(e) - FIELDS)
    if unknown:
        raise WaiverError(f"{where}: unknown key(s) {', '.join(unknown)} (known: {', '.join(sorted(FIELDS))})")
    for key in ("rule", "folder", "reason", "by"):
        if not isinstance(e.get(key), str) or not e[key].strip():
            raise WaiverError(f"{where}: '{key}' is required and must be a non-empty string")
    line = e.get("line")
    if line is not None and (isinstance(line, bool) or not isinstance(line, int) or line < 1):
        raise WaiverError(f"{where}: 'line' must be a positive integer")
    for key in ("path", "message"):
        if key in e and not isinstance(e[key], str):
            raise WaiverError(f"{where}: '{key}' must be a string")
    return Waiver(i, e["rule"].strip().upper(), e["folder"].strip(), e["reason"].strip(), e["by"].strip(),
                  e.get("path"), line, e.get("message"), _date(where, e.get("expires")))


def _date(where: str, value: Any) -> dt.date | None:
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise WaiverError(f"{where}: 'expires' {value!r} is not a date like 2026-06-01") from None


def apply(result: AuditResult, waivers: list[Waiver], folder: str, today: dt.date | None = None) -> None:
    """Mark the findings each waiver matches; note unused and expired waivers on ``result``."""
    today = today or dt.date.today()
    live = [w for w in waivers if w.expires is None or w.expires >= today]
    for w in waivers:
        if w not in live:
            result.notes.append(f"{w.label} expired on {w.expires.isoformat()}: not applied")
    used: set[int] = set()
    result.verdicts = [_waive_verdict(v, live, folder, used) for v in result.verdicts]
    for w in live:
        if w.index not in used:
            result.notes.append(f"{w.label} matched no finding: remove it or fix its rule/folder/path")


def _waive_verdict(v: RuleVerdict, waivers: list[Waiver], folder: str, used: set[int]) -> RuleVerdict:
    if not v.findings:
        return v
    out = []
    for f in v.findings:
        w = next((w for w in waivers if w.matches(f, folder, _relative(f, folder))), None)
        if w is not None:
            used.add(w.index)
            f = replace(f, waived=w.text())
        out.append(f)
    active = tuple(f for f in out if f.waived is None)
    return replace(v, findings=tuple(out), status=_status(active))


def _relative(f: Finding, folder: str) -> str | None:
    if f.location is None:
        return None
    prefix = folder.rstrip("/") + "/"
    return f.location.path[len(prefix):] if f.location.path.startswith(prefix) else f.location.path

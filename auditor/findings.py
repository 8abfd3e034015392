"""Findings are data: what a rule measured, where, against which limit, and on which ruling.

A rule reports only what it measured; the engine adds the rule's identity and the ruling's link.
Findings are frozen, sortable (by file, line, rule) and JSON-serialisable through ``to_dict``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from functools import total_ordering
from typing import Any


class Severity(enum.IntEnum):
    """How bad a finding is. ``--fail-on`` compares against this order."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @classmethod
    def parse(cls, text: str) -> "Severity":
        return cls[text.strip().upper()]

    def __str__(self) -> str:
        return self.name.lower()


class Confidence(enum.IntEnum):
    """How sure the rule is that the finding is real (independent of how bad it is)."""

    LOW = 1
    MEDIUM = 2
    HIGH = 3

    def __str__(self) -> str:
        return self.name.lower()


@total_ordering
@dataclass(frozen=True)
class Location:
    """A place in the submission folder: a path relative to it, and a 1-based line if known."""

    path: str
    line: int | None = None
    end_line: int | None = None

    def _key(self) -> tuple:
        return (self.path, self.line or 0, self.end_line or 0)

    def __lt__(self, other: "Location") -> bool:
        return self._key() < other._key()

    def __str__(self) -> str:
        return self.path if self.line is None else f"{self.path}:{self.line}"

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "end_line": self.end_line}


JSONScalar = str | int | float | bool | None


@dataclass(frozen=True)
class Measurement:
    """A measured value against its limit, e.g. 16,054,963 bytes against 16,000,000."""

    value: JSONScalar
    limit: JSONScalar = None
    unit: str = ""

    def __str__(self) -> str:
        text = _fmt(self.value) + (f" {self.unit}" if self.unit else "")
        return text if self.limit is None else f"{text} (limit {_fmt(self.limit)})"


def _fmt(v: JSONScalar) -> str:
    if isinstance(v, bool) or v is None:
        return str(v).lower()
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


@total_ordering
@dataclass(frozen=True)
class Finding:
    """One violation, warning or note. ``rule_id``/``name``/``ruling_url`` are set by the engine."""

    message: str
    severity: Severity
    confidence: Confidence = Confidence.HIGH
    location: Location | None = None
    measured: Measurement | None = None
    ruling: str | None = None
    evidence: tuple[str, ...] = ()
    rule_id: str = ""
    name: str = ""
    ruling_url: str | None = None
    waived: str | None = field(default=None, compare=False)

    def _key(self) -> tuple:
        loc = self.location._key() if self.location else ("", 0, 0)
        return (loc, self.rule_id, -int(self.severity), self.message)

    def __lt__(self, other: "Finding") -> bool:
        return self._key() < other._key()

    def with_rule(self, rule_id: str, name: str, ruling: str | None, url: str | None) -> "Finding":
        return replace(self, rule_id=rule_id, name=name, ruling=ruling, ruling_url=url)

    def to_dict(self) -> dict[str, Any]:
        m = self.measured
        return {
            "rule_id": self.rule_id,
            "name": self.name,
            "severity": str(self.severity),
            "confidence": str(self.confidence),
            "message": self.message,
            "location": self.location.to_dict() if self.location else None,
            "measured": None if m is None else {"value": m.value, "limit": m.limit, "unit": m.unit},
            "ruling": self.ruling,
            "ruling_url": self.ruling_url,
            "evidence": list(self.evidence),
            "waived": self.waived,
        }


@dataclass(frozen=True)
class Evidence:
    """What a rule checked and found in order: shown with a PASS so that a PASS has reasons."""

    text: str
    location: Location | None = None

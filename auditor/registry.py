"""The rule registry: a rule is a small class with an id, a kebab-case name, a severity and a
``check(context)`` generator. Subclassing ``Rule`` registers it; definitions are validated at
import time, so a duplicate id, a missing doc section or (in a checkout) missing fixtures fails
loudly before any audit runs.

Rules live one per module under the ``rules`` package and are discovered by importing it.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path
from typing import ClassVar, Iterable, Iterator

from auditor.findings import Confidence, Evidence, Finding, Location, Measurement, Severity

ID_RE = re.compile(r"^[A-Z]{1,2}\d{3}$")
NAME_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
DOC_SECTIONS = ("Checks", "Why", "Fails", "Passes")
SCOPES = ("static", "dynamic", "rerun", "gate")
TRACKS = ("record", "non_record")
FIXTURES_ROOT = Path(__file__).resolve().parent.parent / "fixtures" / "rules"

_REGISTRY: dict[str, type["Rule"]] = {}


class RuleDefinitionError(RuntimeError):
    """A rule class that breaks the house rules (raised at import, never during an audit)."""


class Skip(Exception):
    """Raised by ``check`` when the rule does not apply to this submission; the message says why."""


class Rule:
    """Base class of every rule. Subclasses set the class attributes and implement ``check``.

    The docstring is the rule's documentation (``golf-audit explain ID``) and must have the
    sections Checks, Why, Fails and Passes, each as a ``Name:`` line followed by its text.
    """

    id: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity] = Severity.ERROR
    confidence: ClassVar[Confidence] = Confidence.HIGH
    ruling: ClassVar[str]  # id in rules/rulings.json that the rule enforces
    scope: ClassVar[str] = "static"
    tracks: ClassVar[tuple[str, ...]] = TRACKS
    abstract: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("abstract", False):
            return
        _validate(cls)
        if cls.id in _REGISTRY and _REGISTRY[cls.id] is not cls:
            other = _REGISTRY[cls.id]
            raise RuleDefinitionError(
                f"duplicate rule id {cls.id}: {other.__module__}.{other.__name__} and "
                f"{cls.__module__}.{cls.__name__}")
        _REGISTRY[cls.id] = cls

    def check(self, ctx) -> Iterable[Finding | Evidence]:  # pragma: no cover - abstract
        raise NotImplementedError

    # -- helpers for rule authors ----------------------------------------------------------------
    def finding(self, message: str, *, path: str | None = None, line: int | None = None,
                value=None, limit=None, unit: str = "", severity: Severity | None = None,
                confidence: Confidence | None = None, ruling: str | None = None,
                evidence: Iterable[str] = ()) -> Finding:
        """Build a finding of this rule; severity and confidence default to the rule's."""
        return Finding(
            message=message,
            severity=severity or self.severity,
            confidence=confidence or self.confidence,
            location=Location(path, line) if path is not None else None,
            measured=Measurement(value, limit, unit) if value is not None else None,
            ruling=ruling or self.ruling,
            evidence=tuple(evidence),
        )

    @staticmethod
    def evidence(text: str, *, path: str | None = None, line: int | None = None) -> Evidence:
        return Evidence(text, Location(path, line) if path is not None else None)

    @classmethod
    def doc(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def doc_sections(cls) -> dict[str, str]:
        return parse_doc_sections(cls.doc())


def parse_doc_sections(doc: str) -> dict[str, str]:
    """Split a rule docstring into its summary (key ``""``) and ``Name:`` sections."""
    sections: dict[str, list[str]] = {"": []}
    current = ""
    for line in doc.splitlines():
        head = line.rstrip(":")
        if line.endswith(":") and head in DOC_SECTIONS:
            current = head
            sections[current] = []
        else:
            sections[current].append(line)
    return {k: "\n".join(v).strip() for k, v in sections.items()}


def _validate(cls: type[Rule]) -> None:
    where = f"{cls.__module__}.{cls.__name__}"
    for attr in ("id", "name", "ruling"):
        if not isinstance(getattr(cls, attr, None), str):
            raise RuleDefinitionError(f"{where}: missing class attribute {attr!r}")
    if not ID_RE.match(cls.id):
        raise RuleDefinitionError(f"{where}: rule id {cls.id!r} is not like 'B001'")
    if not NAME_RE.match(cls.name):
        raise RuleDefinitionError(f"{where}: rule name {cls.name!r} is not kebab-case")
    if cls.scope not in SCOPES or not set(cls.tracks) <= set(TRACKS):
        raise RuleDefinitionError(f"{where}: bad scope {cls.scope!r} or tracks {cls.tracks!r}")
    sections = cls.doc_sections()
    missing = [s for s in DOC_SECTIONS if not sections.get(s)] + ([] if sections.get("") else ["summary"])
    if missing:
        raise RuleDefinitionError(f"{where}: docstring lacks section(s) {', '.join(missing)}")
    _validate_fixtures(cls, where)


def _validate_fixtures(cls: type[Rule], where: str) -> None:
    """In a checkout (fixtures present), every rule needs a passing and a failing fixture."""
    if not FIXTURES_ROOT.is_dir():
        return
    folder = FIXTURES_ROOT / cls.id
    kinds = {p.name.split("_", 1)[0] for p in folder.iterdir()} if folder.is_dir() else set()
    if not {"pass", "fail"} <= kinds:
        raise RuleDefinitionError(
            f"{where}: needs fixtures/rules/{cls.id}/pass*/ and fail*/ folders (found {sorted(kinds)})")


_DISCOVERED = False


def discover() -> None:
    """Import every module of the ``rules`` package (idempotent)."""
    global _DISCOVERED
    if _DISCOVERED:
        return
    import rules

    for info in pkgutil.iter_modules(rules.__path__, prefix="rules."):
        if not info.name.rsplit(".", 1)[-1].startswith("_"):
            importlib.import_module(info.name)
    _DISCOVERED = True


def all_rules() -> list[type[Rule]]:
    discover()
    return [_REGISTRY[k] for k in sorted(_REGISTRY)]


def get_rule(rule_id: str) -> type[Rule] | None:
    discover()
    key = rule_id.strip().upper()
    if key in _REGISTRY:
        return _REGISTRY[key]
    return next((r for r in _REGISTRY.values() if r.name == rule_id.strip().lower()), None)


def rules_for(scope: str) -> Iterator[type[Rule]]:
    return (r for r in all_rules() if r.scope == scope)

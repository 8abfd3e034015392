"""Versioned rulesets: the declarative values of each edition of the rules, as JSON data files
under ``rules/rulesets/`` validated against ``auditor/schemas/ruleset.schema.json``.

The default ruleset for a submission is the newest one already in force on the submission's
date; ``--ruleset ID`` picks one explicitly.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from auditor.schemas import validate

RULESETS_DIR = Path(__file__).resolve().parent.parent / "rules" / "rulesets"
DATE_RE = re.compile(r"(20\d\d)-(\d\d)-(\d\d)")


class RulesetError(Exception):
    """A ruleset file that is missing or does not match the schema."""


@dataclass(frozen=True)
class Ruleset:
    id: str
    title: str
    effective_from: dt.date
    data: dict[str, Any]
    path: Path

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    @property
    def caps(self) -> dict[str, Any]:
        return self.data["caps"]

    def severity_override(self, rule_id: str) -> str | None:
        return self.data.get("severity_overrides", {}).get(rule_id)

    def disabled(self, rule_id: str) -> bool:
        return rule_id in self.data.get("disabled_rules", [])

    def summary(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "effective_from": self.effective_from.isoformat()}


def _load_file(path: Path) -> Ruleset:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RulesetError(f"{path}: cannot read ruleset ({exc})") from None
    errors = validate(data, "ruleset")
    if errors:
        raise RulesetError(f"{path}: invalid ruleset: {errors[0]}")
    if data["id"] != path.stem:
        raise RulesetError(f"{path}: id {data['id']!r} differs from the file name")
    return Ruleset(data["id"], data["title"], dt.date.fromisoformat(data["effective_from"]), data, path)


@lru_cache(maxsize=None)
def all_rulesets() -> tuple[Ruleset, ...]:
    files = sorted(p for p in RULESETS_DIR.glob("*.json"))
    sets = sorted((_load_file(p) for p in files), key=lambda r: r.effective_from)
    if not sets:
        raise RulesetError(f"no ruleset files in {RULESETS_DIR}")
    return tuple(sets)


def get_ruleset(ruleset_id: str) -> Ruleset:
    for rs in all_rulesets():
        if rs.id == ruleset_id:
            return rs
    known = ", ".join(r.id for r in all_rulesets())
    raise RulesetError(f"unknown ruleset {ruleset_id!r} (known: {known})")


def ruleset_for_date(day: dt.date | None) -> Ruleset:
    """The newest ruleset in force on ``day``; the newest of all when the date is unknown."""
    sets = all_rulesets()
    if day is None:
        return sets[-1]
    in_force = [r for r in sets if r.effective_from <= day]
    return in_force[-1] if in_force else sets[0]


def parse_date(text: object) -> dt.date | None:
    """The first YYYY-MM-DD in ``text`` (a submission ``date`` or a folder name), if valid."""
    if not isinstance(text, str):
        return None
    m = DATE_RE.search(text)
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None

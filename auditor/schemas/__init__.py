"""JSON Schemas of golf-audit's own formats and of the submission JSON, and a validator helper.

``jsonschema`` is imported on first use, so commands that validate nothing do not pay for it.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

SCHEMA_DIR = Path(__file__).resolve().parent


@lru_cache(maxsize=None)
def load_schema(name: str) -> dict[str, Any]:
    return json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def _validator(name_or_id: str):
    from jsonschema import Draft202012Validator

    schema = load_schema(name_or_id)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def json_path(path) -> str:
    """Render a jsonschema ``absolute_path`` deque as ``$.seeds[0].val_bpb``."""
    out = "$"
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def validate(instance: Any, schema: dict[str, Any]) -> list[str]:
    """All schema errors of ``instance`` as ``"$.path: message"`` strings, in path order."""
    name = schema.get("$id", "").rsplit("/", 1)[-1].removesuffix(".schema.json")
    return [f"{path}: {msg}" for path, msg in schema_errors(instance, name)]


def schema_errors(instance: Any, name: str) -> list[tuple[str, str]]:
    """Schema errors as (json path, message) pairs, for findings that point into a file.

    For ``oneOf``/``anyOf`` failures the deepest sub-error is reported (its path and specific
    message), not "is not valid under any of the given schemas".
    """
    out = []
    for e in _validator(name).iter_errors(instance):
        while e.context:  # the deepest alternative says what is actually wrong
            e = max(e.context, key=lambda c: (len(c.absolute_path), c.validator != "type"))
        out.append((json_path(e.absolute_path), _short(e.message)))
    return sorted(set(out))


def _short(message: str, limit: int = 160) -> str:
    return message if len(message) <= limit else message[: limit - 1] + "…"

"""JSON Schemas of golf-audit's own formats and of the submission JSON, and a validator helper.

Validation has a fast path: ``fastjsonschema`` compiles each schema once per process (tens of
milliseconds) and decides valid / invalid. Only for an invalid instance is ``jsonschema`` imported
(a quarter of a second) to list every error with its JSON path. Tests check that the two agree.
"""

from __future__ import annotations

import itertools
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

SCHEMA_DIR = Path(__file__).resolve().parent
MAX_ERRORS = 100  # errors listed per instance; the first hundred say what is wrong


@lru_cache(maxsize=None)
def load_schema(name: str) -> dict[str, Any]:
    return json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def _validator(name: str):
    """The full validator (every error, with paths); schemas themselves are checked in tests."""
    from jsonschema import Draft202012Validator

    return Draft202012Validator(load_schema(name))


@lru_cache(maxsize=None)
def _fast(name: str):
    import fastjsonschema

    return fastjsonschema.compile(load_schema(name))


def fast_error(instance: Any, name: str) -> str | None:
    """Fast check against schema ``name``: None if valid, else the first error's message."""
    import fastjsonschema

    try:
        _fast(name)(instance)
        return None
    except fastjsonschema.JsonSchemaException as exc:
        return _short(str(exc))


def json_path(path) -> str:
    """Render a jsonschema ``absolute_path`` deque as ``$.seeds[0].val_bpb``."""
    out = "$"
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def validate(instance: Any, name: str) -> list[str]:
    """All errors of ``instance`` against schema ``name`` as ``"$.path: message"``, in path order."""
    return [f"{path}: {msg}" for path, msg in schema_errors(instance, name)]


def schema_errors(instance: Any, name: str) -> list[tuple[str, str]]:
    """Schema errors as (json path, message) pairs, for findings that point into a file.

    For ``oneOf``/``anyOf`` failures the deepest sub-error is reported (its path and specific
    message), not "is not valid under any of the given schemas".
    """
    first = fast_error(instance, name)
    if first is None:
        return []
    out = []
    for e in itertools.islice(_validator(name).iter_errors(instance), MAX_ERRORS):
        while e.context:  # the deepest alternative says what is actually wrong
            e = max(e.context, key=lambda c: (len(c.absolute_path), c.validator != "type"))
        out.append((json_path(e.absolute_path), _short(e.message)))
    return sorted(set(out)) or [("$", first)]  # never turn a fast "invalid" into "valid"


def _short(message: str, limit: int = 160) -> str:
    return message if len(message) <= limit else message[: limit - 1] + "…"

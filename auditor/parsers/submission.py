"""The submission JSON: loaded defensively, every number kept with its printed text and line.

Real records spell their claims many ways (``val_bpb`` / ``mean_val_bpb``, ``seeds`` as a list or
an object keyed by seed, ``seed_results``, ``compliance_rerun.seed_results``, times in s or ms).
``SubmissionDoc`` normalizes them into ``Claim`` and ``SeedClaim`` values that rules compare with
the logs, each pointing back to its line in the file.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

# Real submission files are a few kilobytes. The caps bound the time and memory of parsing and of
# listing schema errors (jsonschema walks every value) whatever a hostile file holds.
MAX_JSON_BYTES = 1024 * 1024
MAX_JSON_VALUES = 50_000
MAX_JSON_DEPTH = 64


class JFloat(float):
    """A float that remembers how it was printed, so comparisons can use printed precision."""

    text: str

    def __new__(cls, text: str):
        obj = super().__new__(cls, text)
        obj.text = text
        return obj

    @property
    def decimals(self) -> int:
        mantissa = self.text.lower().split("e")[0]
        return len(mantissa.split(".")[1]) if "." in mantissa else 0


def decimals_of(value: Any) -> int | None:
    """Printed decimal places of a JSON number (None for non-numbers)."""
    if isinstance(value, JFloat):
        return value.decimals
    if isinstance(value, int) and not isinstance(value, bool):
        return 0
    return None


@dataclass(frozen=True)
class Claim:
    """One number the submission claims, with where it is written."""

    key: str  # JSON path, e.g. $.seeds.42.val_bpb
    value: float
    line: int | None
    decimals: int | None


@dataclass(frozen=True)
class SeedClaim:
    """What the submission claims for one seed; absent fields are None."""

    seed: int | None
    group: str  # which block it came from: "seeds", "seed_results", "compliance_rerun"
    line: int | None
    val_bpb: Claim | None = None
    val_loss: Claim | None = None
    bytes_total: Claim | None = None
    train_ms: Claim | None = None
    eval_ms: Claim | None = None


@dataclass
class SubmissionDoc:
    rel: str
    text: str
    data: dict[str, Any] | None = None
    error: str | None = None
    error_line: int | None = None
    invalid_utf8: bool = False
    _lines: list[int] = field(default_factory=list, repr=False)

    @classmethod
    def parse(cls, rel: str, raw: bytes) -> "SubmissionDoc":
        try:
            text, bad = raw.decode("utf-8"), False
        except UnicodeDecodeError:
            text, bad = raw.decode("utf-8", errors="replace"), True
        doc = cls(rel, text, invalid_utf8=bad)
        doc._load()
        return doc

    def _load(self) -> None:
        try:
            value = json.loads(self.text, parse_float=JFloat)
        except json.JSONDecodeError as exc:
            self.error, self.error_line = f"malformed JSON: {exc.msg} (column {exc.colno})", exc.lineno
            return
        except RecursionError:
            self.error, self.error_line = "unreadable JSON: nested deeper than the parser allows", 1
            return
        except ValueError as exc:  # e.g. Python's limit on the digits of an integer
            why = "a number with too many digits" if "digits" in str(exc) else _short(exc)
            self.error, self.error_line = f"unreadable JSON: {why}", 1
            return
        if not isinstance(value, dict):
            self.error, self.error_line = f"the top level is a JSON {_json_type(value)}, not an object", 1
            return
        too_big = _too_big(value)
        if too_big:
            self.error, self.error_line = too_big, 1
            return
        self.data = value

    # -- locating ---------------------------------------------------------------------------------
    def line_of(self, *keys: str | int) -> int | None:
        """Best-effort line of the value at ``keys`` (object keys searched in order)."""
        pos = 0
        for key in keys:
            if isinstance(key, int):
                continue
            m = re.compile(r'"' + re.escape(str(key)) + r'"\s*:').search(self.text, pos)
            if m is None:
                return self.text.count("\n", 0, pos) + 1 if pos else None
            pos = m.start()
        return self.text.count("\n", 0, pos) + 1

    def claim(self, *keys: str) -> Claim | None:
        """The number at ``keys`` (nested object keys), or None if absent or not a number."""
        node: Any = self.data
        for key in keys:
            if not isinstance(node, dict) or key not in node:
                return None
            node = node[key]
        return _claim(self, keys, node)

    # -- normalized claims --------------------------------------------------------------------------
    def score_claim(self) -> Claim | None:
        """The headline val_bpb: ``val_bpb``, else the spellings real records used instead."""
        for key in ("val_bpb", "mean_val_bpb", "mean_bpb", "val_bpb_mean"):
            c = self.claim(key)
            if c is not None:
                return c
        return None

    def seed_claims(self) -> list[SeedClaim]:
        """Per-seed claims from every block that holds them, in file order."""
        if self.data is None:
            return []
        out: list[SeedClaim] = []
        for path in (("seeds",), ("seed_results",), ("compliance_rerun", "seed_results")):
            out.extend(self._seed_block(self._at(path), path, path[0]))
        return out

    def _at(self, path: tuple[str, ...]) -> Any:
        node: Any = self.data
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        return node

    def _seed_block(self, node: Any, path: tuple[str, ...], group: str) -> list[SeedClaim]:
        if isinstance(node, dict):
            items = [(_int_or_none(k), (*path, k), v) for k, v in node.items()]
        elif isinstance(node, list):
            items = [(_int_or_none(v.get("seed")) if isinstance(v, dict) else None, path, v) for v in node]
        else:
            return []
        return [self._seed_claim(seed, keys, v, group) for seed, keys, v in items if isinstance(v, dict)]

    def _seed_claim(self, seed: int | None, keys: tuple, entry: dict, group: str) -> SeedClaim:
        def pick(*names: str, scale: float = 1.0) -> Claim | None:
            for name in names:
                c = _claim(self, (*keys, name), entry.get(name), scale)
                if c is not None:
                    return c
            return None

        return SeedClaim(
            seed=seed, group=group, line=self.line_of(*keys),
            val_bpb=pick("val_bpb"), val_loss=pick("val_loss"),
            bytes_total=pick("bytes_total", "artifact_bytes", "total_bytes"),
            train_ms=pick("train_time_ms") or pick("train_time_s", "train_time_seconds", scale=1000.0),
            eval_ms=pick("eval_time_ms", "ttt_time_ms") or pick("eval_time_s", "ttt_eval_time_s", scale=1000.0),
        )


def _claim(doc: SubmissionDoc, keys: tuple, value: Any, scale: float = 1.0) -> Claim | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    dec = decimals_of(value)
    if scale != 1.0 and dec is not None:
        dec = max(dec - 3, 0)
    path = "$" + "".join(f".{k}" for k in keys)
    return Claim(path, float(value) * scale, doc.line_of(*keys), dec)


def _too_big(value: Any) -> str | None:
    """Why ``value`` is over the size or nesting caps, or None (an iterative walk: no recursion)."""
    stack, count = [(value, 1)], 0
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_JSON_VALUES:
            return f"too large: more than {MAX_JSON_VALUES:,} JSON values"
        if depth > MAX_JSON_DEPTH:
            return f"nested deeper than {MAX_JSON_DEPTH} levels"
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        stack.extend((child, depth + 1) for child in children)
    return None


def _int_or_none(v: Any) -> int | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, str) and re.fullmatch(r"-?\d{1,20}", v.strip()):
        return int(v)
    return None


def _json_type(v: Any) -> str:
    return {list: "array", str: "string", bool: "boolean", type(None): "null"}.get(type(v), "number")


def _short(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) < 120 else text[:117] + "..."

"""Numbers as printed in logs and READMEs: value, source text, line, unit and printed precision.

Rules compare claims "within printed precision": a README that says 1.0828 agrees with a log line
that printed 1.08279384, but not with one that printed 1.0831. ``Num`` keeps the text it was read
from so that the precision (and the finding's evidence) is never lost.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

# Digit counts are bounded so that hostile input cannot make int()/float() slow or raise.
NUMBER = r"[-+]?(?:\d{1,3}(?:,\d{3}){1,6}|\d{1,20}(?:\.\d{0,20})?|\.\d{1,20})(?:[eE][-+]?\d{1,3})?"
NUMBER_OR_NAN = NUMBER + r"|[-+]?(?:nan|inf)\b"
_EXPONENT = re.compile(r"[eE]([-+]?\d+)$")

# Scale of a time unit in milliseconds; the keys are the spellings logs and READMEs use.
_MS_PER_UNIT = {
    "ms": 1.0, "s": 1000.0, "sec": 1000.0, "secs": 1000.0, "seconds": 1000.0,
    "m": 60_000.0, "min": 60_000.0, "mins": 60_000.0, "minutes": 60_000.0, "h": 3_600_000.0,
}


@dataclass(frozen=True)
class Num:
    """A number read from a file: ``value`` parsed from ``raw`` at 1-based ``line``, in ``unit``."""

    value: float | int
    raw: str
    line: int
    unit: str = ""

    @property
    def decimals(self) -> int:
        """Decimal places as printed: '1.0828' -> 4, '600' -> 0, '1e-08' -> 8."""
        text = self.raw.replace(",", "").lower()
        exp = _EXPONENT.search(text)
        mantissa = text[: exp.start()] if exp else text
        places = len(mantissa.split(".", 1)[1]) if "." in mantissa else 0
        return max(0, places - (int(exp.group(1)) if exp else 0))

    @property
    def half_unit(self) -> float:
        """Half a unit in the last printed place: the rounding error the printed text allows."""
        return 0.5 * 10.0 ** -self.decimals

    def agrees(self, other: Num | float, decimals: int | None = None) -> bool:
        """True if ``other`` rounds to this number at the coarser of the two printed precisions."""
        places = min(self.decimals, other.decimals) if isinstance(other, Num) else self.decimals
        places = places if decimals is None else decimals
        value = other.value if isinstance(other, Num) else other
        if not (math.isfinite(self.value) and math.isfinite(value)):
            return False
        return abs(self.value - value) <= 0.5 * 10.0 ** -places + 1e-12

    def to_ms(self) -> float | None:
        """The value in milliseconds when ``unit`` is a time unit, else None."""
        scale = _MS_PER_UNIT.get(self.unit.lower())
        return None if scale is None else float(self.value) * scale

    def to_seconds(self) -> float | None:
        """The value in seconds when ``unit`` is a time unit, else None."""
        ms = self.to_ms()
        return None if ms is None else ms / 1000.0


def parse_num(raw: str, line: int, unit: str = "") -> Num | None:
    """Parse ``raw`` (a match of NUMBER or NUMBER_OR_NAN) into a Num; None if it is not a number."""
    text = raw.strip()
    plain = text.replace(",", "")
    try:
        value: float | int = int(plain) if plain.lstrip("+-").isdigit() else float(plain)
    except (ValueError, OverflowError):
        return None
    return Num(value, text, line, unit)


def parse_int(raw: str, line: int, unit: str = "") -> Num | None:
    """Parse an integer count (steps, bytes, seeds); None if ``raw`` is not an integer."""
    num = parse_num(raw, line, unit)
    return num if num is not None and isinstance(num.value, int) else None

"""Find the training script's source text embedded in a log, so that it is never read as results.

The baseline ``train_gpt.py`` writes its own source at the top of its log, followed by a line of
'=' characters; later scripts print a ``Source code:`` banner between two such lines, in the middle
of the log. A code section starts at a line that reads as Python source and ends at the next
separator. Code lines may contain ``final_int8_zlib_roundtrip_exact val_bpb:`` and the like.

A start that only hints at code (a docstring quote, a ``#`` comment) is held back until a line
that only Python has (``import``, ``def``, ``class``) confirms it within ``CONFIRM_WITHIN`` lines;
otherwise the held lines are handed on as log text (logs also begin with ``# key=value`` headers).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

SEPARATOR = re.compile(r"^={40,}\s*$")
CONFIRM_WITHIN = 200
_BANNER = re.compile(r"^\s*(?:source code|code)\s*:?\s*$", re.IGNORECASE)
# Starts that hint at a script: at the top of the file or right after a separator.
_WEAK_START = re.compile(r'^(?:"""|\'\'\'|["\'][A-Za-z]|#|@\w|def \w|class \w|if __name__)')
# Starts that read as Python wherever they are.
_STRONG_START = re.compile(
    r"^(?:from __future__ import|import [A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*(?: as \w+)?\s*$"
    r"|from [A-Za-z_.][\w.]* import [\w*(]|#!.*python)"
)
_STRONG_PREFIXES = ("import ", "from ", "#!")
# Lines that confirm a hinted start.
_CONFIRM = re.compile(r"^\s*(?:import [A-Za-z_]|from [\w.]+ import |def \w+\(|class \w+\s*[:(])")

Emit = Callable[[int, str], None]


@dataclass(frozen=True, order=True)
class LineRange:
    """Lines ``start`` to ``end`` (1-based, inclusive)."""

    start: int
    end: int

    def __contains__(self, line: object) -> bool:
        return isinstance(line, int) and self.start <= line <= self.end


class CodeTracker:
    """Routes each line either to ``emit`` (log text) or into a code section.

    ``no_code_from``: never open a section at or after that line (used when re-reading a log
    whose last section was never closed).
    """

    def __init__(self, emit: Emit, no_code_from: int | None = None) -> None:
        self.sections: list[LineRange] = []
        self.open_start: int | None = None
        self.first_content_line: int | None = None
        self._emit = emit
        self._no_code_from = no_code_from
        self._held: list[tuple[int, str]] = []
        self._state = "start"  # start | log | after_separator | expect_code

    def route(self, line: int, text: str) -> None:
        """Take one line (prefix already stripped)."""
        if self.open_start is not None:
            self._inside(line, text)
        elif self._held:
            self._hold(line, text)
        elif text.strip():
            self.first_content_line = self.first_content_line or line
            self._outside(line, text)
        else:
            self._emit(line, text)

    def _inside(self, line: int, text: str) -> None:
        if SEPARATOR.match(text):
            self.sections.append(LineRange(self.open_start, line - 1))
            self.open_start = None
            self._state = "after_separator"

    def _outside(self, line: int, text: str) -> None:
        if text[0] == "=" and SEPARATOR.match(text):
            self._state = "expect_code" if self._state == "expect_code" else "after_separator"
            return
        if self._state == "log" and not text.startswith(_STRONG_PREFIXES) and text.lstrip()[:1] not in "SsCc":
            self._emit(line, text)  # the common case, decided without a regex
        elif _BANNER.match(text):
            self._state = "expect_code"
            self._emit(line, text)
        elif self._may_open(line) and (self._state == "expect_code" or _STRONG_START.match(text)):
            self.open_start = line
        elif self._may_open(line) and self._state in ("start", "after_separator") and _WEAK_START.match(text):
            self._held.append((line, text))
        else:
            self._state = "log"
            self._emit(line, text)

    def _may_open(self, line: int) -> bool:
        return self._no_code_from is None or line < self._no_code_from

    def _hold(self, line: int, text: str) -> None:
        if _CONFIRM.match(text):
            self.open_start = self._held[0][0]
            self._held = []
        elif SEPARATOR.match(text) or len(self._held) >= CONFIRM_WITHIN:
            self._release()
            self.route(line, text)
        else:
            self._held.append((line, text))

    def _release(self) -> None:
        held, self._held = self._held, []
        self._state = "log"
        for line, text in held:
            self._emit(line, text)

    def finish(self, last_line: int) -> LineRange | None:
        """Close the sections; return the section left open at the end of the file, if any."""
        if self._held:
            self._release()
        if self.open_start is None:
            return None
        unterminated = LineRange(self.open_start, max(self.open_start, last_line))
        self.sections.append(unterminated)
        self.open_start = None
        return unterminated

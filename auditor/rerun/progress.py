"""Live progress of a re-run, parsed from the script's output lines as they stream.

``SeedProgress.feed(line)`` follows one run through its phases (setup, warmup, train, serialize,
eval, done), keeping the step, the planned steps and the training time the lines print, and
estimates the time left in training (steps left × average step, no later than the wall-clock cap).
Reporters show it: ``RichReporter`` as a live table on a terminal, ``PlainReporter`` as plain
lines (on a phase change, and at most every ``every_s`` seconds otherwise) when not a terminal.
Progress goes to stderr; the report goes to stdout.
"""

from __future__ import annotations

import re
import sys
import time
from dataclasses import dataclass
from typing import TextIO

PHASES = ("setup", "warmup", "train", "serialize", "eval", "done", "failed")
_STEP = re.compile(r"(?<![\w])step[:\s]\s*(\d{1,9})\s*/\s*(\d{1,9})")
_WARMUP = re.compile(r"warm[_ -]?up[_ a-z]*[:\s]\s*(\d{1,9})\s*/\s*(\d{1,9})", re.IGNORECASE)
_TRAIN_TIME = re.compile(r"\btrain_time[:=]\s*([\d.]{1,12})ms")
_SERIALIZE = re.compile(r"^(Serialized model|Total submission size|Code size|gptq|quantiz)", re.IGNORECASE)
_FINAL = re.compile(r"^(final_|sliding|ttt|legal_ttt|quantized|roundtrip)\w*.*\bval_(loss|bpb)", re.IGNORECASE)


@dataclass
class SeedProgress:
    seed: int
    max_wallclock_s: float | None = None
    phase: str = "setup"
    step: int | None = None
    total: int | None = None
    train_ms: float | None = None
    started: float | None = None
    last_line: str = ""

    def feed(self, line: str) -> bool:
        """Take one output line; True when the phase changed."""
        text = line.strip()
        if not text:
            return False
        self.last_line = text[:160]
        before = self.phase
        if _FINAL.match(text):
            self.phase = "eval"
        elif _SERIALIZE.match(text) and self.phase in ("setup", "warmup", "train"):
            self.phase = "serialize"
        elif (m := _WARMUP.search(text)) and self.phase in ("setup", "warmup"):
            self.phase, self.step, self.total = "warmup", int(m[1]), int(m[2])
        elif (m := _STEP.search(text)) and self.phase in ("setup", "warmup", "train"):
            self.phase, self.step, self.total = "train", int(m[1]), int(m[2])
            t = _TRAIN_TIME.search(text)
            self.train_ms = float(t[1]) if t else self.train_ms
        return self.phase != before

    def eta_s(self) -> float | None:
        """Seconds of training left, when the lines allow an estimate."""
        if self.phase != "train" or not self.step or not self.total or self.train_ms is None:
            return None
        left = (self.total - self.step) * self.train_ms / self.step / 1000.0
        if self.max_wallclock_s:
            left = min(left, max(self.max_wallclock_s - self.train_ms / 1000.0, 0.0))
        return max(left, 0.0)

    def describe(self) -> str:
        parts = [self.phase]
        if self.phase in ("warmup", "train") and self.step is not None:
            parts.append(f"step {self.step}/{self.total}")
        eta = self.eta_s()
        if eta is not None:
            parts.append(f"eta {fmt_duration(eta)}")
        return " ".join(parts)


def fmt_duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes, s = divmod(seconds, 60)
    return f"{minutes}m{s:02d}s" if minutes < 60 else f"{minutes // 60}h{minutes % 60:02d}m"


class Reporter:
    """What the runner tells about progress. The base class is silent (``--quiet``)."""

    clock = staticmethod(time.monotonic)

    def start(self, seeds: list[int], max_wallclock_s: float | None = None) -> None:
        self.states = {s: SeedProgress(s, max_wallclock_s) for s in seeds}

    def begin_seed(self, seed: int) -> None:
        self.states[seed].started = self.clock()

    def line(self, seed: int, stream: str, text: str) -> None:
        if stream == "stdout":
            self.states[seed].feed(text)

    def end_seed(self, seed: int, ok: bool, summary: str) -> None:
        self.states[seed].phase = "done" if ok else "failed"

    def close(self) -> None:
        pass


class PlainReporter(Reporter):
    """Plain lines, for logs and CI: ``[seed 42] train step 120/2000 eta 3m10s (41s)``."""

    def __init__(self, stream: TextIO | None = None, every_s: float = 10.0, clock=time.monotonic):
        self.stream, self.every_s, self.clock = stream or sys.stderr, every_s, clock
        self._last = 0.0

    def begin_seed(self, seed: int) -> None:
        super().begin_seed(seed)
        self._say(seed, "started")

    def line(self, seed: int, stream: str, text: str) -> None:
        if stream != "stdout":
            return
        changed = self.states[seed].feed(text)
        if changed or self.clock() - self._last >= self.every_s:
            self._say(seed, self.states[seed].describe())

    def end_seed(self, seed: int, ok: bool, summary: str) -> None:
        super().end_seed(seed, ok, summary)
        self._say(seed, summary)

    def _say(self, seed: int, text: str) -> None:
        self._last = self.clock()
        started = self.states[seed].started
        elapsed = fmt_duration(self.clock() - started) if started is not None else "0s"
        print(f"[seed {seed}] {text} ({elapsed})", file=self.stream, flush=True)


class RichReporter(Reporter):
    """A live table on the terminal: one row per seed with its phase, step, ETA and last line."""

    def __init__(self, console=None):
        from rich.console import Console

        self.console = console or Console(stderr=True, markup=False, highlight=False)
        self._live = None

    def start(self, seeds: list[int], max_wallclock_s: float | None = None) -> None:
        from rich.live import Live

        super().start(seeds, max_wallclock_s)
        self._live = Live(self._table(), console=self.console, refresh_per_second=4, transient=False)
        self._live.start()

    def line(self, seed: int, stream: str, text: str) -> None:
        super().line(seed, stream, text)
        self._live.update(self._table())

    def end_seed(self, seed: int, ok: bool, summary: str) -> None:
        super().end_seed(seed, ok, summary)
        self.states[seed].last_line = summary
        self._live.update(self._table())

    def close(self) -> None:
        if self._live is not None:
            self._live.stop()

    def _table(self):
        from rich.table import Table

        table = Table(title="golf-audit rerun", expand=False)
        for col in ("seed", "phase", "step", "eta", "elapsed", "last line"):
            table.add_column(col, no_wrap=col != "last line", overflow="fold")
        now = self.clock()
        for s in self.states.values():
            step = f"{s.step}/{s.total}" if s.step is not None else ""
            eta = self.eta_text(s)
            running = s.started is not None and s.phase not in ("done", "failed")
            elapsed = fmt_duration(now - s.started) if running else ""
            table.add_row(str(s.seed), s.phase, step, eta, elapsed, s.last_line[:80])
        return table

    @staticmethod
    def eta_text(s: SeedProgress) -> str:
        eta = s.eta_s()
        return "" if eta is None else fmt_duration(eta)


def make_reporter(quiet: bool = False, tty: bool | None = None) -> Reporter:
    """Silent with ``quiet``; a live table on a terminal; plain lines otherwise."""
    if quiet:
        return Reporter()
    if tty is None:
        tty = sys.stderr.isatty()
    return RichReporter() if tty else PlainReporter()

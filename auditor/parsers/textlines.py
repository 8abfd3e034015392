"""Streaming, bounded-memory line reading for untrusted text files.

A log may be gigabytes long, have a single line of a gigabyte, mix encodings or end without a
newline. ``read_lines`` yields one decoded line at a time, never holds more than ``MAX_LINE_BYTES``
of a line, hashes every byte it reads, and reports problems as warnings instead of raising.
"""
from __future__ import annotations

import hashlib
import io
import os
import re
from dataclasses import dataclass, field
from typing import BinaryIO, Iterator

MAX_LINE_BYTES = 64 * 1024
MAX_WARNINGS = 50

# Prefixes that loggers and launchers put before the program's own text.
_EPOCH_PREFIX = re.compile(r"^1\d{9}(?:\.\d{1,9})? ")  # VarLenAttn logs: "1776142348.135 "
_BRACKET_PREFIX = re.compile(
    r"^(?:\[(?:rank|default)\d{1,4}\]:|\[(?:\d{4}-\d\d-\d\d[ T])?\d\d:\d\d:\d\d(?:[.,]\d+)?\]\s?"
    r"(?:(?:INFO|DEBUG|WARNING|ERROR)\s?:\s?)?)"
)
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@dataclass(frozen=True, order=True)
class ParseWarning:
    """Something in the input the parser could not take at face value, at 1-based ``line`` (0: file)."""

    line: int
    message: str


@dataclass
class ReadStats:
    """What the reader saw: hash and size of every byte read, lines, and the warnings raised."""

    sha256: "hashlib._Hash" = field(default_factory=hashlib.sha256)
    n_bytes: int = 0
    n_lines: int = 0
    warnings: list[ParseWarning] = field(default_factory=list)
    dropped_warnings: int = 0

    def warn(self, line: int, message: str) -> None:
        """Record a warning; past MAX_WARNINGS only count them."""
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(ParseWarning(line, message))
        else:
            self.dropped_warnings += 1

    def all_warnings(self) -> tuple[ParseWarning, ...]:
        """The warnings, plus one summarising those that were dropped."""
        extra = [ParseWarning(0, f"{self.dropped_warnings} further warnings not recorded")]
        return tuple(self.warnings + (extra if self.dropped_warnings else []))


def open_source(source: str | bytes | os.PathLike) -> tuple[BinaryIO, str]:
    """A binary stream and a display name for a path, a text or the bytes of a log.

    A ``str`` is a path when it names an existing file and has no newline; otherwise it is text.
    """
    if isinstance(source, (bytes, bytearray)):
        return io.BytesIO(bytes(source)), "<bytes>"
    if isinstance(source, os.PathLike) or ("\n" not in source and _is_file(source)):
        return open(source, "rb"), os.fspath(source)
    return io.BytesIO(source.encode("utf-8", errors="surrogatepass")), "<text>"


def _is_file(text: str) -> bool:
    try:
        return len(text) < 4096 and "\x00" not in text and os.path.isfile(text)
    except (OSError, ValueError):
        return False


def read_lines(stream: BinaryIO, stats: ReadStats) -> Iterator[tuple[int, str]]:
    """Yield (1-based line number, text without line ending) for each line of ``stream``."""
    carry = _Carry()
    while True:
        block = stream.read(BLOCK_BYTES)
        if not block:
            break
        stats.sha256.update(block)
        stats.n_bytes += len(block)
        for raw, truncated in carry.split(block):
            stats.n_lines += 1
            if truncated:
                yield _truncated(raw, stats)
                continue
            try:
                yield stats.n_lines, raw.decode("utf-8").rstrip("\r")
            except UnicodeDecodeError:
                yield stats.n_lines, _replaced(raw, stats)
    if carry.pending or carry.dropping:
        stats.n_lines += 1
        yield (_truncated if carry.dropping else _tail)(carry.pending, stats)


BLOCK_BYTES = 1 << 20


class _Carry:
    """The unfinished last line of a block; beyond MAX_LINE_BYTES the rest of it is dropped."""

    def __init__(self) -> None:
        self.pending = b""
        self.dropping = False

    def split(self, block: bytes) -> list[tuple[bytes, bool]]:
        parts = block.split(b"\n")
        if not self.dropping:
            parts[0] = self.pending + parts[0]
        last = parts.pop()
        lines = [(p[:MAX_LINE_BYTES], len(p) > MAX_LINE_BYTES) for p in parts]
        if lines and self.dropping:
            lines[0] = (self.pending, True)
        self._keep(last, had_newline=bool(parts))
        return lines

    def _keep(self, tail: bytes, had_newline: bool) -> None:
        if had_newline:
            self.dropping = False
            self.pending = b""
        if self.dropping:
            return
        self.pending += tail
        if len(self.pending) > MAX_LINE_BYTES:
            self.pending, self.dropping = self.pending[:MAX_LINE_BYTES], True


def _truncated(raw: bytes, stats: ReadStats) -> tuple[int, str]:
    stats.warn(stats.n_lines, f"line longer than {MAX_LINE_BYTES} bytes; truncated")
    return stats.n_lines, raw.decode("utf-8", errors="replace").rstrip("\r")


def _tail(raw: bytes, stats: ReadStats) -> tuple[int, str]:
    """The last line, which has no newline."""
    try:
        return stats.n_lines, raw.decode("utf-8").rstrip("\r")
    except UnicodeDecodeError:
        return stats.n_lines, _replaced(raw, stats)


def _replaced(raw: bytes, stats: ReadStats) -> str:
    stats.warn(stats.n_lines, "invalid UTF-8; undecodable bytes replaced with U+FFFD")
    return raw.decode("utf-8", errors="replace").rstrip("\r")


def strip_prefix(text: str) -> str:
    """The line without terminal colours, an epoch timestamp, '[rank0]:' or '[date time] INFO:'."""
    if "\x1b" in text:
        text = _ANSI.sub("", text)
    if text[:1].isdigit():
        return _EPOCH_PREFIX.sub("", text, count=1)
    if text[:1] == "[":
        return _BRACKET_PREFIX.sub("", text, count=1)
    return text


def segments(text: str) -> list[str]:
    """Carriage-return separated segments of one line (progress bars rewrite a line with '\\r')."""
    return [part for part in text.split("\r") if part] if "\r" in text else [text]

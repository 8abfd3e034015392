"""The token-ledger event stream: what an instrumented (or natively emitting) eval writes.

Positions index the validation token stream as the script loaded it: position ``t`` is token
``stream[t]``. A *score* at ``t`` is the model's log-probability for ``stream[t]`` given
``stream[:t]``. Three event kinds carry the evidence (DESIGN.md, "The token ledger"):

- ``read``  : positions whose token values entered a forward pass, and whether grad was on;
- ``score`` : target positions whose next-token NLL was computed, the NLLs, whether they came from
  a normalized distribution over the whole vocabulary, the model state version they were computed
  under, and which of them are *counted* (reach the reported total);
- ``adapt`` : a change of model state (a new version), with the positions whose token values fed it
  (inputs and targets alike: a state trained with ``x_t`` as input has seen ``x_t``).

Two more kinds frame them: ``meta`` (stream length, rank, world size, who wrote the file) and
``mark`` (a named phase boundary or a value worth keeping, e.g. the reported val_bpb). A ``count``
record lists elements (indices into the positions) of an earlier score (``attrs["score"]`` = its
``seq``) that reached a reduction after the score was written (``use="counted"``) or were copied
out of torch (``use="exported"``, ``.numpy()``/``.tolist()``: counted only when nothing of that
score reached a torch reduction), or says that the score was back-propagated (``use="backward"``,
a training loss); ``pure`` is False when the counted value was combined with something else after
the pick.

File format (one file per rank, append-only, crash-tolerant):
``MAGIC`` then records; a record is a little-endian uint32 length, a JSON header of that length,
then the raw bytes of the arrays the header lists as ``[name, dtype, count]``, in order. Positions
are stored as half-open ranges ``[start0, stop0, start1, stop1, ...]`` (int64), which keeps
contiguous windows tiny; per-position values (``nll``, ``counted``) follow the expanded order.
"""

from __future__ import annotations

import json
import os
import struct
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Iterator

import numpy as np

MAGIC = b"GALEDGER1\n"
_LEN = struct.Struct("<I")
MAX_HEADER_BYTES = 1 << 20
KINDS = ("meta", "read", "score", "adapt", "mark", "count")
_DTYPES = {"i8": np.int64, "f8": np.float64, "f4": np.float32, "b1": np.bool_}


class LedgerFormatError(ValueError):
    """An event file that is not in the format above (truncated, foreign or corrupt)."""


def to_ranges(positions: np.ndarray) -> np.ndarray:
    """Compress a 1-D array of positions (any order) into half-open runs, keeping the order.

    ``[5, 6, 7, 9]`` -> ``[5, 8, 9, 10]``. Runs break wherever the next position is not +1.
    """
    pos = np.asarray(positions, dtype=np.int64).ravel()
    if pos.size == 0:
        return np.zeros(0, dtype=np.int64)
    breaks = np.flatnonzero(np.diff(pos) != 1) + 1
    starts = pos[np.concatenate(([0], breaks))]
    stops = pos[np.concatenate((breaks - 1, [pos.size - 1]))] + 1
    return np.stack([starts, stops], axis=1).ravel()


def from_ranges(ranges: np.ndarray) -> np.ndarray:
    """Expand ``to_ranges`` output back into positions."""
    r = np.asarray(ranges, dtype=np.int64).reshape(-1, 2)
    if r.size == 0:
        return np.zeros(0, dtype=np.int64)
    return np.concatenate([np.arange(a, b, dtype=np.int64) for a, b in r])


def caller_site(skip: int = 2) -> str:
    """``file:line`` of the first frame outside this module, ``skip`` frames up."""
    frame = sys._getframe(skip)
    here = __file__
    while frame is not None and frame.f_code.co_filename == here:
        frame = frame.f_back
    if frame is None:
        return "?"
    return f"{frame.f_code.co_filename}:{frame.f_lineno}"


@dataclass
class Event:
    """One decoded record. ``positions`` is expanded; ``arrays`` holds the per-position values."""

    kind: str
    seq: int
    rank: int
    t_ns: int
    site: str
    positions: np.ndarray
    attrs: dict = field(default_factory=dict)
    arrays: dict = field(default_factory=dict)

    @property
    def nll(self) -> np.ndarray:
        return self.arrays["nll"]

    @property
    def counted(self) -> np.ndarray:
        c = self.arrays.get("counted")
        return np.ones(self.positions.size, dtype=bool) if c is None else c


class EventWriter:
    """Append events for one rank to ``path``. Used by the reference model and the instrumentation.

    Every method takes positions as any 1-D integer array-like (numpy or a CPU tensor's
    ``.numpy()``); ``site`` defaults to the caller's ``file:line``.
    """

    def __init__(self, path: str | os.PathLike, *, rank: int = 0, world_size: int = 1,
                 stream_len: int | None = None, source: str = "unknown", **meta):
        self.path = Path(path)
        self.rank = rank
        self._seq = 0
        self._fh: BinaryIO | None = open(self.path, "wb")
        self._fh.write(MAGIC)
        self.meta(stream_len=stream_len, world_size=world_size, source=source, **meta)

    # -- the five kinds -------------------------------------------------------------------------
    def meta(self, **attrs) -> None:
        self._emit("meta", None, attrs, {}, site="meta")

    def mark(self, name: str, *, site: str | None = None, **attrs) -> None:
        self._emit("mark", None, {"name": name, **attrs}, {}, site=site)

    def read(self, positions, *, grad: bool, site: str | None = None, **attrs) -> int:
        return self._emit("read", positions, {"grad": bool(grad), **attrs}, {}, site=site)

    def score(self, positions, nll, *, version: int, normalized: bool = True, counted=None,
              site: str | None = None, **attrs) -> int:
        arrays = {"nll": np.asarray(nll, dtype=np.float64).ravel()}
        if counted is not None:
            arrays["counted"] = np.asarray(counted, dtype=np.bool_).ravel()
        attrs = {"version": int(version), "normalized": bool(normalized), **attrs}
        return self._emit("score", positions, attrs, arrays, site=site)

    def adapt(self, positions, *, version: int, how: str = "optimizer_step",
              site: str | None = None, **attrs) -> int:
        attrs = {"version": int(version), "how": how, **attrs}
        return self._emit("adapt", positions, attrs, {}, site=site)

    def count(self, positions, *, score: int, use: str = "counted", pure: bool = True,
              site: str | None = None, **attrs) -> int:
        attrs = {"score": int(score), "use": use, "pure": bool(pure), **attrs}
        return self._emit("count", positions, attrs, {}, site=site)

    # -- plumbing -------------------------------------------------------------------------------
    def emit(self, kind: str, positions, attrs: dict, arrays: dict, *, site: str, t_ns: int | None = None) -> int:
        """Write one record as given (for writers that queue events and stamp them when queued)."""
        if kind not in KINDS:
            raise ValueError(f"unknown event kind {kind!r}")
        return self._emit(kind, positions, attrs, arrays, site=site, t_ns=t_ns)

    def _emit(self, kind: str, positions, attrs: dict, arrays: dict, site: str | None,
              t_ns: int | None = None) -> int:
        if self._fh is None:
            raise ValueError(f"event file {self.path} is closed")
        pos = np.zeros(0, np.int64) if positions is None else np.asarray(positions).ravel()
        for name, arr in arrays.items():
            if arr.size != pos.size:
                raise ValueError(f"{kind}: {name} has {arr.size} values for {pos.size} positions")
        payload = {"ranges": to_ranges(pos), **arrays}
        header = {"k": kind, "seq": self._seq, "rank": self.rank, "t": t_ns or time.monotonic_ns(),
                  "site": site or caller_site(3), "a": attrs,
                  "arrays": [[n, _dtype_code(a), int(a.size)] for n, a in payload.items()]}
        blob = json.dumps(header, separators=(",", ":"), default=_json_default).encode()
        self._fh.write(_LEN.pack(len(blob)) + blob)
        for a in payload.values():
            self._fh.write(np.ascontiguousarray(a).tobytes())
        self._seq += 1
        return self._seq - 1

    def flush(self) -> None:
        if self._fh is not None:
            self._fh.flush()

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def __enter__(self) -> "EventWriter":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class NullWriter:
    """Stands in for an EventWriter when no ledger is wanted; every call is a no-op."""

    def __getattr__(self, name):
        return lambda *a, **k: None


def _dtype_code(a: np.ndarray) -> str:
    for code, dt in _DTYPES.items():
        if a.dtype == dt:
            return code
    raise TypeError(f"unsupported event array dtype {a.dtype}")


def _json_default(o):
    if isinstance(o, np.generic):
        return o.item()
    raise TypeError(f"not JSON-serialisable in an event: {type(o).__name__}")


def read_events(path: str | os.PathLike) -> Iterator[Event]:
    """Decode an event file. A truncated last record (the writer was killed) ends the stream
    quietly; anything else malformed raises LedgerFormatError naming the file and offset."""
    with open(path, "rb") as fh:
        if fh.read(len(MAGIC)) != MAGIC:
            raise LedgerFormatError(f"{path}: not a golf-audit event file")
        while True:
            record = _read_record(fh, path)
            if record is None:
                return
            yield record


def _read_record(fh: BinaryIO, path) -> Event | None:
    start = fh.tell()
    raw = fh.read(_LEN.size)
    if len(raw) < _LEN.size:
        return None
    (n,) = _LEN.unpack(raw)
    if n > MAX_HEADER_BYTES:
        raise LedgerFormatError(f"{path}: record at byte {start} has an oversized header")
    blob = fh.read(n)
    if len(blob) < n:
        return None
    try:
        h = json.loads(blob)
        if h["k"] not in KINDS:
            raise KeyError(h["k"])
        arrays = _read_arrays(fh, h["arrays"])
    except _Truncated:
        return None
    except (ValueError, KeyError, TypeError) as exc:
        raise LedgerFormatError(f"{path}: bad record at byte {start}: {exc}") from None
    positions = from_ranges(arrays.pop("ranges"))
    return Event(h["k"], h["seq"], h["rank"], h["t"], h["site"], positions, h["a"], arrays)


class _Truncated(Exception):
    pass


def _read_arrays(fh: BinaryIO, specs) -> dict:
    out = {}
    for name, code, count in specs:
        dt = np.dtype(_DTYPES[code])
        data = fh.read(dt.itemsize * int(count))
        if len(data) < dt.itemsize * int(count):
            raise _Truncated()
        out[name] = np.frombuffer(data, dtype=dt).copy()
    return out

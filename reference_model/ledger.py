"""The token-ledger event writer the reference model ships inside its single-file train_gpt.py.

It writes the format of ``auditor/dynamic/events.py`` (``MAGIC``, then per record a uint32 length,
a JSON header, the raw arrays; positions as half-open ranges), the kinds the reference model emits
(``meta``, ``read``, ``score``, ``adapt``, ``mark``). It is a separate module so that the shipped
script does not change whenever the auditor's reader gains features; the tests read what it writes
with the auditor's ``read_events``, so the two cannot drift apart unnoticed.
"""

from __future__ import annotations

import json
import struct
import time

import numpy as np

LEDGER_MAGIC = b"GALEDGER1\n"
_RECORD_LEN = struct.Struct("<I")
_ARRAY_CODES = {np.dtype(np.int64): "i8", np.dtype(np.float64): "f8", np.dtype(np.bool_): "b1"}


def position_ranges(positions) -> np.ndarray:
    """Positions (in order) as half-open runs ``[start0, stop0, start1, stop1, ...]``."""
    pos = np.asarray(positions, dtype=np.int64).ravel()
    if pos.size == 0:
        return np.zeros(0, dtype=np.int64)
    breaks = np.flatnonzero(np.diff(pos) != 1) + 1
    starts = pos[np.concatenate(([0], breaks))]
    stops = pos[np.concatenate((breaks - 1, [pos.size - 1]))] + 1
    return np.stack([starts, stops], axis=1).ravel()


class LedgerWriter:
    """Append one rank's events to ``path``; ``site`` is the ``file:line`` that scored or adapted."""

    def __init__(self, path, *, rank: int = 0, world_size: int = 1, stream_len: int | None = None, **meta):
        self.rank, self._seq = rank, 0
        self._fh = open(path, "wb")
        self._fh.write(LEDGER_MAGIC)
        self._emit("meta", None, {"stream_len": stream_len, "world_size": world_size,
                                  "source": "reference_model", **meta}, {}, "meta")

    def mark(self, name: str, *, site: str = "?", **attrs) -> None:
        self._emit("mark", None, {"name": name, **attrs}, {}, site)

    def read(self, positions, *, grad: bool, site: str = "?") -> None:
        self._emit("read", positions, {"grad": bool(grad)}, {}, site)

    def score(self, positions, nll, *, version: int, counted, site: str = "?") -> None:
        arrays = {"nll": np.asarray(nll, dtype=np.float64).ravel(),
                  "counted": np.asarray(counted, dtype=np.bool_).ravel()}
        self._emit("score", positions, {"version": int(version), "normalized": True}, arrays, site)

    def adapt(self, positions, *, version: int, site: str = "?") -> None:
        self._emit("adapt", positions, {"version": int(version), "how": "optimizer_step"}, {}, site)

    def _emit(self, kind: str, positions, attrs: dict, arrays: dict, site: str) -> None:
        payload = {"ranges": position_ranges(np.zeros(0) if positions is None else positions), **arrays}
        header = {"k": kind, "seq": self._seq, "rank": self.rank, "t": time.monotonic_ns(), "site": site,
                  "a": attrs, "arrays": [[n, _ARRAY_CODES[a.dtype], int(a.size)] for n, a in payload.items()]}
        blob = json.dumps(header, separators=(",", ":"), default=_plain).encode()
        self._fh.write(_RECORD_LEN.pack(len(blob)) + blob + b"".join(a.tobytes() for a in payload.values()))
        self._seq += 1

    def close(self) -> None:
        self._fh.close()


def _plain(o):
    if isinstance(o, np.generic):
        return o.item()
    raise TypeError(f"not JSON-serialisable in an event: {type(o).__name__}")


class NullLedger:
    """No ledger wanted: every call is a no-op."""

    def __getattr__(self, name):
        return lambda *a, **k: None

"""Find token tensors in the probe's validation stream by content.

The probe stream is built so that every 8-token window occurs once; a window of 8 consecutive
values in any token array the script hands to torch therefore names its stream position. An
element is located when some window covering it matches, and the match is verified against the
stream (so a hash collision can never place a token wrongly).
"""

from __future__ import annotations

import numpy as np

K = 8
_P = np.uint64(0x9E3779B97F4A7C15)


def window_hashes(tokens: np.ndarray) -> np.ndarray:
    """64-bit hash of every K-window of a 1-D integer array (``len - K + 1`` values)."""
    a = np.asarray(tokens).astype(np.uint64, copy=False).ravel()
    n = a.size - K + 1
    if n <= 0:
        return np.zeros(0, dtype=np.uint64)
    h = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(K):
            h = h * _P + a[j:j + n] + np.uint64(1)
    return h


def repeated_windows(tokens: np.ndarray) -> np.ndarray:
    """Start indices of K-windows whose hash occurs more than once (empty when all are unique)."""
    h = window_hashes(tokens)
    order = np.argsort(h, kind="stable")
    dup = np.flatnonzero(h[order][1:] == h[order][:-1])
    return np.unique(order[np.concatenate([dup, dup + 1])]) if dup.size else dup


class StreamIndex:
    """K-gram index of one validation stream: ``locate(array)`` -> stream position per element."""

    def __init__(self, stream: np.ndarray):
        self.stream = np.asarray(stream, dtype=np.int64).ravel()
        h = window_hashes(self.stream)
        self._order = np.argsort(h, kind="stable")
        self._sorted = h[self._order]

    def __len__(self) -> int:
        return self.stream.size

    def locate(self, tokens) -> np.ndarray:
        """Positions (int64, same shape as ``tokens``) of each element in the stream, -1 where
        no verified K-window covers it. Rows may be flattened together: windows that straddle a
        row boundary simply find nothing."""
        arr = np.asarray(tokens)
        flat = arr.astype(np.int64, copy=False).ravel()
        pos = np.full(flat.size, -1, dtype=np.int64)
        h = window_hashes(flat)
        if h.size == 0 or self._sorted.size == 0:
            return pos.reshape(arr.shape)
        idx = np.minimum(np.searchsorted(self._sorted, h), self._sorted.size - 1)
        start = np.where(self._sorted[idx] == h, self._order[idx], -1)
        hit = np.flatnonzero(start >= 0)
        for j in range(K - 1, -1, -1):
            pos[hit + j] = start[hit] + j
        ok = pos >= 0
        ok[ok] = self.stream[pos[ok]] == flat[ok]
        pos[~ok] = -1
        return pos.reshape(arr.shape)

    def targets_from_inputs(self, input_pos: np.ndarray, targets) -> np.ndarray:
        """Targets that follow located inputs: ``input_pos + 1`` where the stream agrees."""
        t = np.asarray(targets, dtype=np.int64)
        cand = np.where(input_pos >= 0, input_pos + 1, -1)
        cand[cand >= self.stream.size] = -1
        ok = cand >= 0
        ok[ok] = self.stream[cand[ok]] == t[ok]
        return np.where(ok, cand, -1)

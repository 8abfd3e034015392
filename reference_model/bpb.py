"""Bits per byte exactly as the challenge counts them.

For every scored target token the byte count is the UTF-8 length of its piece without the leading
"▁", plus one byte for that "▁" unless the previous token is a boundary (control, unknown or
unused) token; byte-fallback tokens (``<0xNN>``) count one byte and boundary tokens none.
``bits = NLL / ln 2`` and ``BPB = total bits / total bytes``. Totals are accumulated in float64.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ByteTable:
    """Per-token-id byte accounting tables (indexed by token id)."""

    base_bytes: np.ndarray  # int16: UTF-8 bytes of the piece without a leading "▁"
    has_leading_space: np.ndarray  # bool: piece starts with "▁"
    is_boundary: np.ndarray  # bool: control / unknown / unused (and ids past the tokenizer)

    @classmethod
    def from_tokenizer(cls, tokenizer, vocab_size: int | None = None) -> "ByteTable":
        """Build the tables from a sentencepiece model (a path or a loaded processor).

        ``vocab_size`` larger than the tokenizer's pads with boundary entries of zero bytes,
        as the challenge does for a model whose embedding is larger than the vocabulary.
        """
        sp = _load_sentencepiece(tokenizer)
        n = int(sp.vocab_size())
        size = max(n, int(vocab_size or 0))
        base = np.zeros(size, dtype=np.int16)
        space = np.zeros(size, dtype=np.bool_)
        boundary = np.ones(size, dtype=np.bool_)
        for i in range(n):
            if sp.is_control(i) or sp.is_unknown(i) or sp.is_unused(i):
                continue
            boundary[i] = False
            if sp.is_byte(i):
                base[i] = 1
                continue
            piece = sp.id_to_piece(i)
            if piece.startswith("\u2581"):
                space[i] = True
                piece = piece[1:]
            base[i] = len(piece.encode("utf-8"))
        return cls(base, space, boundary)

    @property
    def size(self) -> int:
        return int(self.base_bytes.shape[0])

    def token_bytes(self, prev_ids, tgt_ids) -> np.ndarray:
        """Bytes credited to each target token given the token before it."""
        prev = np.asarray(prev_ids, dtype=np.int64)
        tgt = np.asarray(tgt_ids, dtype=np.int64)
        if prev.shape != tgt.shape:
            raise ValueError(f"prev_ids {prev.shape} and tgt_ids {tgt.shape} differ in shape")
        for name, ids in (("prev_ids", prev), ("tgt_ids", tgt)):
            if ids.size and (ids.min() < 0 or ids.max() >= self.size):
                raise ValueError(f"{name} outside [0, {self.size})")
        out = self.base_bytes[tgt].astype(np.int64)
        out += (self.has_leading_space[tgt] & ~self.is_boundary[prev]).astype(np.int64)
        return out


@dataclass(frozen=True)
class BpbResult:
    tokens: int
    nats: float
    bits: float
    bytes: int

    @property
    def val_loss(self) -> float:
        """Mean NLL per token in nats (the challenge's ``val_loss``)."""
        return self.nats / self.tokens if self.tokens else float("nan")

    @property
    def val_bpb(self) -> float:
        return self.bits / self.bytes if self.bytes else float("nan")


def bpb_from_nll(nll_nats, prev_ids, tgt_ids, table: ByteTable) -> BpbResult:
    """BPB of per-position NLLs (nats) of ``tgt_ids`` scored after ``prev_ids``."""
    nll = np.asarray(nll_nats, dtype=np.float64).ravel()
    tgt = np.asarray(tgt_ids).ravel()
    if nll.shape != tgt.shape:
        raise ValueError(f"{nll.size} NLLs for {tgt.size} target tokens")
    nbytes = int(table.token_bytes(np.asarray(prev_ids).ravel(), tgt).sum())
    nats = float(nll.sum())
    return BpbResult(tokens=int(nll.size), nats=nats, bits=nats / math.log(2), bytes=nbytes)


def stream_bpb(nll_nats, stream, positions, table: ByteTable) -> BpbResult:
    """BPB of NLLs scored at ``positions`` of a token ``stream`` (position t predicts stream[t]).

    The ledger's form: position ``t >= 1`` is the target ``stream[t]`` with ``stream[t-1]`` before it.
    """
    pos = np.asarray(positions, dtype=np.int64).ravel()
    if pos.size and (pos.min() < 1 or pos.max() >= len(stream)):
        raise ValueError(f"positions outside [1, {len(stream)})")
    s = np.asarray(stream)
    return bpb_from_nll(nll_nats, s[pos - 1], s[pos], table)


def _load_sentencepiece(tokenizer):
    if isinstance(tokenizer, (str, os.PathLike)):
        import sentencepiece as spm

        if not os.path.isfile(tokenizer):
            raise FileNotFoundError(f"tokenizer {tokenizer} not found")
        return spm.SentencePieceProcessor(model_file=os.fspath(tokenizer))
    return tokenizer

"""Validation: plain windows, sliding windows, and score-first test-time training (TTT).

Position ``t`` of the validation stream is the target ``stream[t]`` predicted from
``stream[:t]``. Every mode scores each position ``1..n`` exactly once, ``n`` being the stream
length minus one rounded down to whole sequences (the challenge's usable length):

- plain   : non-overlapping windows of ``seq_len``; every position of a window is counted;
- sliding : windows of ``seq_len`` every ``stride`` tokens; a window counts only the positions
            after those of the window before it (the last ``stride``), so each gets long context;
- ttt     : positions in chunks of ``chunk_tokens``; chunk k is scored (plain or sliding) under
            the current weights, *then* the weights take a few SGD steps on chunk k. No position is
            ever scored by weights that trained on it.

Under DDP the windows (and TTT's training sequences) are sharded across ranks and the totals
all-reduced. With ``GOLF_LEDGER_PATH`` set, each rank writes the token-ledger events of the
evaluation it is given (``read``/``score``/``adapt`` in the format of ``auditor/dynamic/events.py``,
written by ``ledger.py``) to ``$GOLF_LEDGER_PATH.rank{r}``. Score events list every *computed* position with a ``counted`` mask
(a sliding window computes ``seq_len`` positions and counts ``stride``); with
``GOLF_LEDGER_COUNTED_ONLY=1`` they list the counted ones only (full-size sliding runs: ~1/16 the bytes).
"""

from __future__ import annotations

import copy
import os
import sys
from dataclasses import dataclass

import numpy as np
import torch
import torch.distributed as dist
from torch import Tensor, nn

from reference_model.bpb import BpbResult, ByteTable
from reference_model.ledger import LedgerWriter, NullLedger

LEDGER_ENV = "GOLF_LEDGER_PATH"
COUNTED_ONLY_ENV = "GOLF_LEDGER_COUNTED_ONLY"  # "1": score events list counted positions only (smaller)
MODES = ("plain", "sliding", "ttt")


@dataclass(frozen=True)
class Window:
    """Inputs ``stream[start : start + length]``; targets are positions ``start+1 .. start+length``,
    of which those greater than ``counted_after`` are counted."""

    start: int
    length: int
    counted_after: int

    @property
    def end(self) -> int:
        return self.start + self.length


@dataclass(frozen=True)
class EvalSpec:
    mode: str = "plain"
    seq_len: int = 1024
    batch_seqs: int = 32      # windows per forward pass, per rank
    stride: int = 0           # sliding stride; 0 or >= seq_len means plain windows
    chunk_tokens: int = 32768  # TTT: positions per chunk (rounded down to whole sequences)
    ttt_lr: float = 0.002
    ttt_momentum: float = 0.9
    ttt_epochs: int = 1

    def __post_init__(self):
        if self.mode not in MODES:
            raise ValueError(f"EVAL_MODE {self.mode!r} is not one of {', '.join(MODES)}")


class EvalData:
    """The validation stream, its usable length and the bytes credited at each position."""

    def __init__(self, stream: np.ndarray, table: ByteTable, seq_len: int):
        self.stream = np.asarray(stream)
        self.n = ((self.stream.size - 1) // seq_len) * seq_len  # scored positions 1..n
        if self.n <= 0:
            raise ValueError(f"validation stream of {self.stream.size} tokens is shorter than one sequence")
        s = self.stream[: self.n + 1].astype(np.int64)
        self.bytes_at = np.zeros(self.n + 1, dtype=np.int64)  # index t: bytes of target t
        self.bytes_at[1:] = table.token_bytes(s[:-1], s[1:])
        self._device_cache: dict = {}

    def on(self, device: torch.device) -> tuple[Tensor, Tensor]:
        """(tokens int64, bytes_at int64) on ``device``, cached."""
        key = str(device)
        if key not in self._device_cache:
            tokens = torch.from_numpy(self.stream[: self.n + 1].astype(np.int64)).to(device)
            self._device_cache[key] = (tokens, torch.from_numpy(self.bytes_at).to(device))
        return self._device_cache[key]


# -- windows -------------------------------------------------------------------------------------

def plain_windows(n: int, seq_len: int) -> list[Window]:
    return [Window(s, seq_len, s) for s in range(0, n, seq_len)]


def sliding_windows(n: int, seq_len: int, stride: int) -> list[Window]:
    """Full-length windows every ``stride``; the last one is moved back to end exactly at ``n``."""
    if stride <= 0 or stride >= seq_len:
        return plain_windows(n, seq_len)
    starts = list(range(0, n - seq_len, stride)) + [n - seq_len]
    out, counted_to = [], 0
    for s in starts:
        out.append(Window(s, seq_len, counted_to))
        counted_to = s + seq_len
    return out


def windows_for(spec: EvalSpec, n: int) -> list[Window]:
    return sliding_windows(n, spec.seq_len, spec.stride) if spec.stride else plain_windows(n, spec.seq_len)


def shard(items: list, rank: int, world: int) -> list:
    """A contiguous 1/world share of ``items`` (shares differ in size by at most one)."""
    return items[len(items) * rank // world: len(items) * (rank + 1) // world]


# -- ledger --------------------------------------------------------------------------------------

def open_ledger(rank: int, world: int, stream_len: int, **meta):
    """A LedgerWriter on ``$GOLF_LEDGER_PATH.rank{rank}``, or a no-op writer when it is unset."""
    base = os.environ.get(LEDGER_ENV)
    if not base:
        return NullLedger()
    return LedgerWriter(f"{base}.rank{rank}", rank=rank, world_size=world, stream_len=stream_len, **meta)


# -- scoring -------------------------------------------------------------------------------------

class Totals:
    """float64 sums of counted NLL (nats), tokens and bytes, kept on the device (no sync per batch)."""

    def __init__(self, device: torch.device):
        self.v = torch.zeros(3, dtype=torch.float64, device=device)

    def result(self) -> BpbResult:
        if dist.is_available() and dist.is_initialized():
            dist.all_reduce(self.v)
        nats, tokens, nbytes = (float(x) for x in self.v.cpu())
        return BpbResult(tokens=int(tokens), nats=nats, bits=nats / np.log(2.0), bytes=int(nbytes))


def _batch(windows: list[Window], tokens: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """Inputs, targets (B, T) and target positions (B, T) of equal-length windows."""
    T = windows[0].length
    starts = torch.tensor([w.start for w in windows], device=tokens.device)
    pos = starts[:, None] + torch.arange(1, T + 1, device=tokens.device)  # target positions
    return tokens[pos - 1], tokens[pos], pos


def score_windows(model: nn.Module, windows: list[Window], data: EvalData, totals: Totals, spec: EvalSpec,
                  ledger, version: int, device: torch.device) -> None:
    """Score ``windows`` in batches; add their counted positions to ``totals``."""
    tokens, bytes_at = data.on(device)
    for i in range(0, len(windows), spec.batch_seqs):
        group = windows[i: i + spec.batch_seqs]
        x, y, pos = _batch(group, tokens)
        after = torch.tensor([w.counted_after for w in group], device=device)
        counted = pos > after[:, None]
        with torch.no_grad(), _autocast(device):
            nll = model(x, y)
        c_nll = torch.where(counted, nll.double(), 0.0)
        totals.v += torch.stack((c_nll.sum(), counted.sum().double(), (bytes_at[pos] * counted).sum().double()))
        if not isinstance(ledger, NullLedger):
            ledger.read((pos - 1).flatten().cpu().numpy(), grad=False, site=_site())
            keep = counted if os.environ.get(COUNTED_ONLY_ENV) == "1" else torch.ones_like(counted)
            ledger.score(pos[keep].cpu().numpy(), nll[keep].double().cpu().numpy(), version=version,
                         counted=counted[keep].cpu().numpy(), site=_site())


def _site() -> str:
    """``file:line`` of the ledger call."""
    frame = sys._getframe(1)
    return f"{frame.f_code.co_filename}:{frame.f_lineno}"


def _autocast(device: torch.device):
    return torch.autocast(device_type="cuda", dtype=torch.bfloat16, enabled=device.type == "cuda")


def evaluate(model: nn.Module, data: EvalData, spec: EvalSpec, *, rank: int = 0, world: int = 1,
             device: torch.device | None = None, ledger=None, base_model: nn.Module | None = None) -> BpbResult:
    """The validation BPB of ``model`` under ``spec`` (all ranks get the same result).

    ``model(x, y)`` returns per-position NLL; ``base_model`` is the plain module TTT copies and
    trains (default: ``model``). ``ledger`` defaults to a no-op writer.
    """
    device = device or next(model.parameters()).device
    ledger = ledger if ledger is not None else NullLedger()
    was_training = model.training
    model.eval()
    try:
        if spec.mode == "ttt":
            return _evaluate_ttt(base_model or model, data, spec, rank, world, device, ledger)
        totals = Totals(device)
        score_windows(model, shard(windows_for(spec, data.n), rank, world), data, totals, spec, ledger, 0, device)
        return totals.result()
    finally:
        model.train(was_training)


# -- score-first TTT -----------------------------------------------------------------------------

def _evaluate_ttt(model: nn.Module, data: EvalData, spec: EvalSpec, rank: int, world: int,
                  device: torch.device, ledger) -> BpbResult:
    """Chunk k: score its windows under version k, then train on its positions (version k+1)."""
    chunk = max(spec.seq_len, spec.chunk_tokens // spec.seq_len * spec.seq_len)
    n_chunks = -(-data.n // chunk)
    by_chunk: list[list[Window]] = [[] for _ in range(n_chunks)]
    for w in windows_for(spec, data.n):  # a window belongs to the chunk of its first counted position
        by_chunk[w.counted_after // chunk].append(w)
    adapted = copy.deepcopy(model)
    adapted.eval()
    opt = torch.optim.SGD(adapted.parameters(), lr=spec.ttt_lr, momentum=spec.ttt_momentum)
    totals = Totals(device)
    for k in range(n_chunks):
        score_windows(adapted, shard(by_chunk[k], rank, world), data, totals, spec, ledger, k, device)
        if k + 1 < n_chunks:  # training on the last chunk could change no score
            _adapt(adapted, opt, k * chunk, min((k + 1) * chunk, data.n), data, spec, rank, world, device, ledger)
            ledger.adapt(np.arange(k * chunk, min((k + 1) * chunk, data.n) + 1), version=k + 1, site=_site())
    return totals.result()


def _adapt(model: nn.Module, opt: torch.optim.Optimizer, lo: int, hi: int, data: EvalData, spec: EvalSpec,
           rank: int, world: int, device: torch.device, ledger) -> None:
    """``ttt_epochs`` SGD steps on inputs ``stream[lo:hi]`` -> targets ``stream[lo+1:hi+1]``; the
    gradient is the mean over all ranks' sequences, so every rank keeps identical weights."""
    tokens, _ = data.on(device)
    seqs = [Window(s, spec.seq_len, s) for s in range(lo, hi, spec.seq_len)]
    mine = shard(seqs, rank, world)
    if mine:
        ledger.read(np.arange(mine[0].start, mine[-1].end), grad=True, site=_site())
    for _ in range(spec.ttt_epochs):
        opt.zero_grad(set_to_none=False)
        for i in range(0, len(mine), spec.batch_seqs):
            x, y, _pos = _batch(mine[i: i + spec.batch_seqs], tokens)
            with _autocast(device):
                loss = model(x, y).sum() / (len(seqs) * spec.seq_len)
            loss.backward()
        _all_reduce_grads(model, world)
        opt.step()


def _all_reduce_grads(model: nn.Module, world: int) -> None:
    if world == 1:
        return
    for p in model.parameters():
        if p.grad is None:
            p.grad = torch.zeros_like(p)
        dist.all_reduce(p.grad)

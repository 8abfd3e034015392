"""The in-child tracer: watches an unmodified script's torch calls and writes ledger events.

What it intercepts (``torch.overrides.TorchFunctionMode``, global module and optimizer hooks):
- ``F.embedding``: the token ids are located in the probe stream by content -> ``read``;
- ``F.cross_entropy`` (any reduction), ``F.nll_loss``, picks (``gather``/``take_along_dim``) of
  the gold token from a ``log_softmax``/``softmax`` distribution -> ``score``, with the per-position
  NLL, the state version and whether the distribution is normalized over the vocabulary;
- the per-position values are followed (a *taint*: source score + a tensor of positions shaped
  like the value) through indexing, reshaping, casts, masking and elementwise ops to the
  reduction, ``.item()`` or accumulator they reach -> ``count`` (computed is not counted);
- ``optimizer.step()`` (global hooks) and in-place writes to any parameter or buffer of a module
  that ran, ``load_state_dict`` included -> ``adapt``, with the positions that fed it;
- ``backward`` of a traced loss -> ``count`` with ``use="backward"`` (a training loss);
- stdout lines carrying ``val_bpb`` -> ``mark`` (they delimit the reported pass).
Every call costs a dictionary lookup; token ids are copied to the host once per forward, never
per token, and nothing assumes a CPU tensor.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch.overrides import TorchFunctionMode

from auditor.dynamic.events import EventWriter
from auditor.dynamic.instrument.locate import K

T = torch.Tensor
ATTR = "_golf_taint"
_HERE = str(Path(__file__).resolve().parent)


class Taint:
    """Where a tensor's values came from: ``sources`` = [(score seq, positions tensor|None)]
    (None: an aggregate, already counted or not per-position); ``dist`` = 'logp'/'p' for a
    distribution over the vocabulary, with ``mixed`` when it was combined after normalizing."""

    __slots__ = ("sources", "pure", "dist", "mixed")

    def __init__(self, sources=(), pure=True, dist=None, mixed=False):
        self.sources, self.pure, self.dist, self.mixed = list(sources), pure, dist, mixed


def taint_of(x) -> Taint | None:
    return getattr(x, ATTR, None) if isinstance(x, T) else None


def _set(x, taint: Taint | None):
    if isinstance(x, T) and taint is not None:
        try:
            setattr(x, ATTR, taint)
        except (AttributeError, RuntimeError):
            pass
    return x


def _names(*funcs):
    return {f for f in funcs if f is not None}


SHAPE = _names(T.reshape, T.view, torch.reshape, T.flatten, torch.flatten, T.squeeze, torch.squeeze,
               T.unsqueeze, torch.unsqueeze, T.permute, torch.permute, T.transpose, torch.transpose,
               T.t, T.__getitem__, T.narrow, torch.narrow, T.select, torch.select, T.masked_select,
               torch.masked_select, T.index_select, torch.index_select, T.view_as, T.reshape_as,
               T.expand, T.expand_as, T.movedim, torch.movedim)
SAME = _names(T.float, T.double, T.half, T.bfloat16, T.detach, torch.detach, T.clone, torch.clone,
              T.contiguous, T.type_as, T.type, T.requires_grad_)
MOVE = _names(T.to, T.cpu, T.cuda)
SIGN = _names(T.__neg__, T.neg, torch.neg)
LOG = _names(T.log, torch.log)
EXP = _names(T.exp, torch.exp)
SCALE = _names(T.mul, T.__mul__, T.__rmul__, torch.mul, T.div, T.__truediv__, torch.div)
ADD = _names(T.add, T.__add__, T.__radd__, torch.add, T.sub, T.__sub__, T.__rsub__, torch.sub)
SELECT2 = _names(torch.minimum, torch.maximum, torch.fmin, torch.fmax)
REDUCE = _names(torch.sum, T.sum, torch.mean, T.mean, torch.nansum, T.nansum, T.item, T.tolist,
                T.numpy, T.__float__, torch.cumsum, T.cumsum)
ACCUM = _names(T.add_, T.__iadd__, T.copy_, T.__setitem__, T.index_add_, T.index_copy_, T.sub_,
               T.__isub__)
LOG_SOFTMAX = _names(F.log_softmax, torch.log_softmax, T.log_softmax)
SOFTMAX = _names(F.softmax, torch.softmax, T.softmax)
PICK = _names(torch.gather, T.gather, torch.take_along_dim, T.take_along_dim)
BACKWARD = _names(T.backward, torch.autograd.backward)
EXPORT = _names(T.numpy, T.tolist)  # values leave torch: what happens to them next is not seen


_PRIME = 0x5851F42D4C957F2D  # odd, < 2**63: int64 multiply wraps the same on every device


class DeviceIndex:
    """The probe stream's 8-gram index as tensors on one device: token ids are located where they
    live, with no host synchronisation (``locate`` is a fixed sequence of tensor ops)."""

    def __init__(self, stream: np.ndarray, device):
        self.stream = torch.as_tensor(np.asarray(stream, dtype=np.int64), device=device)
        h = self.hashes(self.stream)
        self.sorted, self.order = torch.sort(h)

    @staticmethod
    def hashes(a: T) -> T:
        n = a.numel() - K + 1
        h = torch.zeros(max(n, 0), dtype=torch.int64, device=a.device)
        for j in range(K):
            h = h * _PRIME + a[j:j + n] + 1
        return h

    def locate(self, tokens: T) -> T:
        """Stream position of every element (same shape), -1 where no verified 8-window covers it."""
        flat = tokens.detach().reshape(-1).to(torch.int64)
        if flat.numel() < K or self.sorted.numel() == 0:
            return torch.full(tokens.shape, -1, dtype=torch.int64, device=flat.device)
        h = self.hashes(flat)
        i = torch.searchsorted(self.sorted, h).clamp_(max=self.sorted.numel() - 1)
        start = torch.where(self.sorted[i] == h, self.order[i], -1)
        pos = torch.full_like(flat, -1)
        for j in range(K):  # window i covers elements i..i+K-1
            cand = torch.where(start >= 0, start + j, -1)
            pos = torch.maximum(pos, F.pad(cand, (j, K - 1 - j), value=-1))
        ok = (pos >= 0) & (self.stream[pos.clamp(min=0)] == flat)
        return torch.where(ok, pos, -1).view(tokens.shape)

    def follow(self, input_pos: T, targets: T) -> T:
        """Targets that follow located inputs: ``input_pos + 1`` where the stream agrees."""
        cand = torch.where(input_pos >= 0, input_pos + 1, -1)
        cand = torch.where(cand < self.stream.numel(), cand, -1)
        ok = (cand >= 0) & (self.stream[cand.clamp(min=0)] == targets.to(torch.int64))
        return torch.where(ok, cand, -1)


class Tracer:
    """Owns the event writer and the ledger state of one process (one rank).

    Events are queued with their device tensors and written (one host copy for many events) every
    ``FLUSH`` records, at adapts and at exit; sequence numbers and timestamps are fixed when an
    event is queued, so the file is the same as if each had been written at once."""

    FLUSH = 256

    def __init__(self, stream: np.ndarray, path: str, *, vocab_size: int, root: str, rank: int = 0,
                 world_size: int = 1):
        self.stream = np.asarray(stream, dtype=np.int64)
        self.indexes: dict[str, DeviceIndex] = {}
        self.vocab = int(vocab_size)
        self.root = str(Path(root).resolve())
        self.writer = EventWriter(path, rank=rank, world_size=world_size, stream_len=int(self.stream.size),
                                  source="instrument", vocab_size=self.vocab)
        self.queue: list[tuple] = []
        self.queued = 0  # events in the queue (fingerprint snapshots are queued too but not written)
        self.version = 0
        self.pending_grad: list[T] = []   # positions read/scored with grad since the last adapt
        self.unscored: list[T] = []       # positions read without grad and not scored yet
        self.last_read: T | None = None
        self.storages: set[int] = set()
        self.modules: set[int] = set()
        self.in_step = 0
        self.last_kind = ""
        self.inplace_cache: dict = {}
        self.collectives = 0
        self.ddp = False
        self.state: list[T] = []  # parameters and buffers of every module that ran (fingerprinted)
        self.last_fp: np.ndarray | None = None

    # -- site -------------------------------------------------------------------------------------
    def site(self) -> str:
        frame = sys._getframe(2)
        fallback = None
        while frame is not None:
            name = frame.f_code.co_filename
            if name.startswith(self.root):
                return f"{name}:{frame.f_lineno}"
            if fallback is None and not name.startswith(_HERE) and "/torch/" not in name:
                fallback = f"{name}:{frame.f_lineno}"
            frame = frame.f_back
        return fallback or "?"

    # -- the queue --------------------------------------------------------------------------------
    def emit(self, kind: str, positions, attrs: dict, arrays: dict | None = None, site: str | None = None) -> int:
        """Queue one event; returns the ``seq`` it will have. ``positions`` may be a tensor with -1
        for "not a validation position" (dropped, with the per-position arrays, when written)."""
        seq = self.writer._seq + self.queued
        self.queued += 1
        self.queue.append((kind, positions, attrs, arrays or {}, site or self.site(), time.monotonic_ns()))
        if len(self.queue) >= self.FLUSH:
            self.flush()
        return seq

    def flush(self) -> None:
        queue, self.queue, self.queued = self.queue, [], 0
        for kind, positions, attrs, arrays, site, t_ns in queue:
            if kind == "_fp":  # the state right after an observed change: not an event
                self.last_fp = None if positions is None else _host(positions)
                continue
            if kind == "score":
                self._check_fingerprint(attrs, arrays.pop("_fp", None))
            pos = _host(positions)
            keep = pos >= 0
            arrays = {k: _host(v)[keep] if k != "counted" else np.full(int(keep.sum()), bool(v)) for k, v in arrays.items()}
            if kind == "adapt":
                pos = np.unique(pos[keep])
            else:
                pos = pos[keep]
            self.writer.emit(kind, pos, attrs, arrays, site=site, t_ns=t_ns)
        self.writer.flush()

    def _check_fingerprint(self, attrs: dict, fp) -> None:
        """A state that changed between two scores with no adapt seen (a write that bypassed torch
        functions: a numpy view, a custom kernel) is flagged on the later score: ``hidden_change``."""
        if fp is None:
            return
        fp = _host(fp)
        last, self.last_fp = self.last_fp, fp
        if last is not None and last.shape == fp.shape and not np.array_equal(last, fp):
            attrs["hidden_change"] = True

    def fingerprint(self) -> T | None:
        """Sampled sums of every tracked parameter and buffer (a few elements each), on device."""
        tensors = [t for t in self.state if t.numel()]
        if not tensors:
            return None
        with torch.no_grad():
            sums = [t.detach().reshape(-1)[:: max(1, t.numel() // 64)][:64].double().sum().to(tensors[0].device)
                    for t in tensors]
            return torch.stack(sums)

    def index(self, device) -> DeviceIndex:
        key = str(device)
        if key not in self.indexes:
            self.indexes[key] = DeviceIndex(self.stream, device)
        return self.indexes[key]

    # -- reads ------------------------------------------------------------------------------------
    def on_embedding(self, ids: T, weight: T) -> None:
        pos = self.index(ids.device).locate(ids)
        self.last_read = pos
        grad = torch.is_grad_enabled() and bool(weight.requires_grad)
        self.emit("read", pos, {"grad": grad})
        (self.pending_grad if grad else self.unscored).append(pos.reshape(-1))
        self.last_kind = "read"

    def locate_targets(self, target: T) -> T:
        """Targets by content; where that fails (rows shorter than 8), as the inputs' successors."""
        ix = self.index(target.device)
        if self.last_read is not None and self.last_read.numel() == target.numel() \
                and self.last_read.device == target.device:
            follow = ix.follow(self.last_read.reshape(target.shape), target)
            if target.device.type == "cpu" and _all_found(follow, self.last_read):
                return follow  # on the host the check is free and saves the hashing
            return torch.where(follow >= 0, follow, ix.locate(target))  # on a GPU: no sync
        return ix.locate(target)

    # -- scores -----------------------------------------------------------------------------------
    def score(self, pos: T, nll: T, *, normalized: bool, counted: bool, grad: bool,
              how: str) -> tuple[int, T]:
        """Queue a score event; returns its seq and, shaped like ``pos``, each element's index in
        the event's position list (-1: not a validation target). Taints carry these indices, so a
        position that occurs in several rows of one batch is counted only where it is counted."""
        mask = pos.reshape(-1) >= 0
        index = torch.where(mask, torch.cumsum(mask, 0) - 1, -1).view(pos.shape)
        attrs = {"version": self.version, "normalized": bool(normalized), "grad": grad, "how": how}
        arrays = {"nll": nll.detach().reshape(-1).to(torch.float64), "counted": counted}
        fp = self.fingerprint()
        if fp is not None:
            arrays["_fp"] = fp
        seq = self.emit("score", pos.reshape(-1), attrs, arrays)
        if grad:
            self.pending_grad.append(pos.reshape(-1))
        self.unscored.clear()
        self.last_kind = "score"
        return seq, index

    def count(self, taint: Taint, use: str = "counted") -> None:
        for seq, posmap in taint.sources:
            if use == "backward":
                self.emit("count", np.zeros(0, np.int64), {"score": seq, "use": use, "pure": True})
            elif posmap is not None:  # element indices into the score event's positions
                self.emit("count", posmap.detach().reshape(-1), {"score": seq, "use": use, "pure": taint.pure})

    # -- adapts -----------------------------------------------------------------------------------
    def adapt(self, how: str, **attrs) -> None:
        parts = self.pending_grad + self.unscored
        self.queue.append(("_fp", self.fingerprint(), {}, {}, "", 0))  # the state after this change
        if self.last_kind == "adapt-inplace" and how.startswith("inplace") and not parts:
            return  # one burst of writes (e.g. load_state_dict) is one new state
        self.version += 1
        pos = torch.cat([p.to("cpu") for p in parts]) if parts else np.zeros(0, np.int64)
        self.emit("adapt", pos, {"version": self.version, "how": how, **attrs})
        self.pending_grad, self.unscored = [], []
        self.last_kind = "adapt-inplace" if how.startswith("inplace") else "adapt"

    def track_module(self, module) -> None:
        if id(module) in self.modules:
            return
        self.modules.add(id(module))
        if type(module).__name__ == "DistributedDataParallel":
            self.ddp = True  # its gradients are averaged across ranks: every step is collective
        for t in list(module.parameters()) + list(module.buffers()):
            key = _storage(t)
            if key not in self.storages:
                self.storages.add(key)
                self.state.append(t)

    def is_state(self, t) -> bool:
        return isinstance(t, T) and bool(self.storages) and _storage(t) in self.storages

    def close(self) -> None:
        self.emit("mark", None, {"name": "exit"}, site="exit")
        self.flush()
        self.writer.close()


def _host(x) -> np.ndarray:
    if x is None:
        return np.zeros(0, np.int64)
    if isinstance(x, T):
        return x.detach().to("cpu").numpy()
    return np.asarray(x)


def _all_found(follow: T, read: T) -> bool:
    """Did every located input yield its target?"""
    return bool(((follow >= 0) | (read.reshape(follow.shape) < 0)).all())


def _storage(t: T) -> int:
    try:
        return t.untyped_storage().data_ptr()
    except (RuntimeError, NotImplementedError):
        return -1


def _is_scalar(x) -> bool:
    return isinstance(x, (int, float)) or (isinstance(x, T) and x.dim() == 0 and taint_of(x) is None)


def _mask_of(x) -> T | None:
    """A 0/1 or boolean tensor used as a multiplicative mask, else None."""
    if not isinstance(x, T) or taint_of(x) is not None:
        return None
    if x.dtype == torch.bool:
        return x
    if x.is_floating_point() or x.dtype in (torch.int32, torch.int64, torch.uint8):
        return x != 0 if bool(((x == 0) | (x == 1)).all()) else None
    return None


class TraceMode(TorchFunctionMode):
    """Dispatches the calls the ledger needs to the tracer; everything else runs untouched."""

    def __init__(self, tracer: Tracer):
        super().__init__()
        self.t = tracer
        h = {}
        for f in SHAPE:
            h[f] = self._shape
        for f in SAME | MOVE:
            h[f] = self._same
        for f in SIGN | LOG | EXP:
            h[f] = self._unary
        for f in SCALE | ADD:
            h[f] = self._binary
        for f in SELECT2:
            h[f] = self._select2
        h[torch.where] = self._where
        for f in REDUCE:
            h[f] = self._reduce
        for f in LOG_SOFTMAX | SOFTMAX:
            h[f] = self._softmax
        for f in PICK:
            h[f] = self._pick
        for f in BACKWARD:
            h[f] = self._backward
        for f in ACCUM:
            h[f] = self._accum
        h[F.embedding] = self._embedding
        h[F.cross_entropy] = self._cross_entropy
        h[F.nll_loss] = self._nll_loss
        self.handlers = h

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        handler = self.handlers.get(func)
        if handler is not None:
            return handler(func, args, kwargs)
        if self.t.storages and not self.t.in_step and self._inplace(func) and args and self.t.is_state(args[0]):
            out = func(*args, **kwargs)
            self.t.adapt(f"inplace:{getattr(func, '__name__', 'op')}")
            return out
        out = func(*args, **kwargs)
        taints = [x for x in (taint_of(a) for a in args) if x is not None]
        if taints and isinstance(out, T):
            dist = next((x for x in taints if x.dist), None)
            if dist is not None and out.dim() and out.shape[-1] == self.t.vocab:
                _set(out, Taint(dist=dist.dist, mixed=True))
            elif any(x.sources for x in taints):
                _set(out, Taint([(s, None) for x in taints for s, _ in x.sources], pure=False))
        return out

    def _inplace(self, func) -> bool:
        hit = self.t.inplace_cache.get(func)
        if hit is None:
            name = getattr(func, "__name__", "")
            hit = (name.endswith("_") and not name.startswith("__")) or name.startswith("__i") \
                or name in ("__setitem__",)
            self.t.inplace_cache[func] = hit
        return hit

    # -- token reads and scores --------------------------------------------------------------------
    def _embedding(self, func, args, kwargs):
        ids, weight = args[0], args[1] if len(args) > 1 else kwargs.get("weight")
        if isinstance(ids, T) and not ids.is_floating_point():
            self.t.on_embedding(ids, weight)
        return func(*args, **kwargs)

    def _cross_entropy(self, func, args, kwargs):
        out = func(*args, **kwargs)
        logits, target = args[0], args[1] if len(args) > 1 else kwargs["target"]
        if not isinstance(target, T) or target.is_floating_point():
            return out
        pos = self.t.locate_targets(target)
        reduction = kwargs.get("reduction", args[6] if len(args) > 6 else "mean")
        if reduction == "none":
            nll = out
        else:
            with torch.no_grad():
                kw = {k: v for k, v in kwargs.items() if k != "reduction"}
                nll = func(*args[:2], *args[2:6], reduction="none", **{k: v for k, v in kw.items()
                                                                          if k not in ("input", "target")})
        classes = logits.shape[1] if logits.dim() > 1 else logits.shape[0]
        smooth = float(kwargs.get("label_smoothing", 0.0) or 0.0)
        grad = torch.is_grad_enabled() and logits.requires_grad
        hit = self.t.score(pos, nll, normalized=classes == self.t.vocab and smooth == 0.0,
                           counted=reduction != "none", grad=grad, how="cross_entropy")
        return self._tainted(out, hit, reduction != "none")

    def _nll_loss(self, func, args, kwargs):
        out = func(*args, **kwargs)
        inp, target = args[0], args[1] if len(args) > 1 else kwargs["target"]
        dist = taint_of(inp)
        pos = self.t.locate_targets(target)
        reduction = kwargs.get("reduction", "mean")
        with torch.no_grad():
            nll = out if reduction == "none" else func(inp, target, reduction="none")
        normalized = dist is not None and dist.dist == "logp" and (not dist.mixed or _normalized(inp, "logp"))
        hit = self.t.score(pos, nll, normalized=normalized, counted=reduction != "none",
                           grad=torch.is_grad_enabled() and inp.requires_grad, how="nll_loss")
        return self._tainted(out, hit, reduction != "none")

    def _softmax(self, func, args, kwargs):
        out = func(*args, **kwargs)
        dim = kwargs.get("dim", args[1] if len(args) > 1 else None)
        if isinstance(out, T) and out.dim() and out.shape[-1] == self.t.vocab and dim in (-1, out.dim() - 1):
            _set(out, Taint(dist="logp" if func in LOG_SOFTMAX else "p"))
        return out

    def _pick(self, func, args, kwargs):
        out = func(*args, **kwargs)
        src = taint_of(args[0])
        index = args[2] if func in (torch.gather, T.gather) and len(args) > 2 else \
            (args[1] if len(args) > 1 else kwargs.get("index", kwargs.get("indices")))
        if src is None or not src.dist or not isinstance(index, T):
            return self._generic(out, args)
        pos = self.t.locate_targets(index)
        normalized = not src.mixed or _normalized(args[0], src.dist)
        with torch.no_grad():
            nll = -out if src.dist == "logp" else -torch.log(out)
        hit = self.t.score(pos, nll, normalized=normalized, counted=False,
                           grad=torch.is_grad_enabled() and out.requires_grad, how=f"pick:{src.dist}")
        return self._tainted(out, hit, False)

    @staticmethod
    def _tainted(out, hit, aggregate: bool):
        """Taint a scoring call's output: per element (indices into the event) or as an aggregate."""
        if hit is None:
            return out
        seq, index = hit
        return _set(out, Taint([(seq, None if aggregate else index.to(out.device))]))

    def _generic(self, out, args):
        taints = [x for x in (taint_of(a) for a in args) if x is not None and x.sources]
        if taints and isinstance(out, T):
            _set(out, Taint([(s, None) for x in taints for s, _ in x.sources], pure=False))
        return out

    # -- following values ------------------------------------------------------------------------------
    def _shape(self, func, args, kwargs):
        out = func(*args, **kwargs)
        src = taint_of(args[0]) if args else None
        if src is None or not isinstance(out, T):
            return out
        if src.dist:
            return _set(out, Taint(dist=src.dist, mixed=src.mixed)) if out.dim() and out.shape[-1] == self.t.vocab else out
        sources = []
        for seq, posmap in src.sources:
            if posmap is None:
                sources.append((seq, None))
                continue
            try:
                moved = [a.to(posmap.device) if isinstance(a, T) and a.device != posmap.device else a for a in args[1:]]
                sources.append((seq, func(posmap, *moved, **kwargs)))
            except Exception:  # an op that does not apply to a positions tensor: keep it aggregate
                sources.append((seq, None))
        return _set(out, Taint(sources, src.pure))

    def _same(self, func, args, kwargs):
        out = func(*args, **kwargs)
        src = taint_of(args[0]) if args else None
        if src is None or not isinstance(out, T):
            return out
        sources = [(s, p if p is None or p.device == out.device else p.to(out.device)) for s, p in src.sources]
        return _set(out, Taint(sources, src.pure, src.dist, src.mixed))

    def _unary(self, func, args, kwargs):
        out = func(*args, **kwargs)
        src = taint_of(args[0]) if args else None
        if src is None or not isinstance(out, T):
            return out
        dist = src.dist
        if dist and func in LOG:
            dist = "logp" if dist == "p" else None
        elif dist and func in EXP:
            dist = "p" if dist == "logp" else None
        elif dist:
            dist = None
        return _set(out, Taint(src.sources, src.pure, dist, src.mixed))

    def _binary(self, func, args, kwargs):
        out = func(*args, **kwargs)
        a, b = (args + (None, None))[:2]
        ta, tb = taint_of(a), taint_of(b)
        if (ta is None and tb is None) or not isinstance(out, T):
            return out
        if (ta and ta.dist) or (tb and tb.dist):
            d = (ta if ta and ta.dist else tb).dist
            return _set(out, Taint(dist=d, mixed=True)) if out.dim() and out.shape[-1] == self.t.vocab else out
        if ta is not None and tb is not None:
            return _set(out, Taint(ta.sources + tb.sources, pure=False))
        src, other = (ta, b) if ta is not None else (tb, a)
        if _is_scalar(other):
            pure = src.pure and (func in SCALE or (isinstance(other, (int, float)) and other == 0))
            return _set(out, Taint(src.sources, pure))
        mask = _mask_of(other) if func in (T.mul, T.__mul__, T.__rmul__, torch.mul) else None
        if mask is not None:
            sources = [(s, None if p is None else torch.where(mask.to(p.device).expand_as(p), p, -1))
                       for s, p in src.sources]
            return _set(out, Taint(sources, src.pure))
        return _set(out, Taint(src.sources, pure=False))

    def _accum(self, func, args, kwargs):
        """``buf += nll`` or ``buf[i] = nll``: a traced value reaching an accumulator is counted
        (``total += nll.sum()`` was already counted by the sum); a write into model state adapts."""
        value = args[2] if func is T.__setitem__ and len(args) > 2 else (args[1] if len(args) > 1 else None)
        tv = taint_of(value)
        if tv is not None and tv.sources and taint_of(args[0]) is None:
            self.t.count(tv)
        out = func(*args, **kwargs)
        if self.t.storages and not self.t.in_step and self.t.is_state(args[0]):
            self.t.adapt(f"inplace:{getattr(func, '__name__', 'op')}")
        return out

    def _select2(self, func, args, kwargs):
        out = func(*args, **kwargs)
        taints = [x for x in (taint_of(a) for a in args[:2]) if x is not None]
        if taints and isinstance(out, T):
            _set(out, Taint([s for x in taints for s in x.sources], all(x.pure for x in taints)))
        return out

    def _where(self, func, args, kwargs):
        out = func(*args, **kwargs)
        if len(args) < 3 or not isinstance(out, T):
            return out
        cond, a, b = args[:3]
        sources, pure = [], True
        for x, keep in ((a, cond), (b, ~cond if isinstance(cond, T) else None)):
            tx = taint_of(x)
            if tx is None:
                continue
            pure &= tx.pure
            for s, p in tx.sources:
                sources.append((s, None if p is None or keep is None else
                                torch.where(keep.to(p.device).expand_as(p), p, -1)))
        return _set(out, Taint(sources, pure)) if sources else out

    def _reduce(self, func, args, kwargs):
        src = taint_of(args[0]) if args else None
        out = func(*args, **kwargs)
        if src is None or not src.sources:
            return out
        self.t.count(src, use="exported" if func in EXPORT else "counted")
        return _set(out, Taint([(s, None) for s, _ in src.sources], src.pure))

    def _backward(self, func, args, kwargs):
        src = taint_of(args[0]) if args else None
        if src is not None and src.sources:
            self.t.count(src, use="backward")
        return func(*args, **kwargs)


def _normalized(dist: T, space: str, tol: float = 1e-3) -> bool:
    """Does every row of a (.., V) tensor sum to one (as probabilities or as log-probabilities)?"""
    with torch.no_grad():
        rows = dist.detach().reshape(-1, dist.shape[-1]).double()
        if space == "logp" or bool((rows <= 1e-9).all()):
            err = torch.logsumexp(rows, dim=-1).abs().max()
            return bool(err < tol)
        return bool((rows.sum(-1) - 1).abs().max() < tol) and bool((rows >= -1e-9).all())


def install_hooks(tracer: Tracer, mode: TraceMode):
    """Global module/optimizer hooks and collective interception; returns a function that removes
    them all (the child never needs it; an in-process user such as the benchmark does)."""
    from torch.nn.modules.module import register_module_forward_pre_hook
    from torch.optim.optimizer import register_optimizer_step_post_hook, register_optimizer_step_pre_hook

    def pre(opt, args, kwargs):
        tracer.in_step += 1

    def post(opt, args, kwargs):
        tracer.in_step -= 1
        tracer.adapt("optimizer_step", optimizer=type(opt).__name__, collective=tracer.ddp)

    handles = [register_module_forward_pre_hook(lambda module, args: tracer.track_module(module)),
               register_optimizer_step_pre_hook(pre), register_optimizer_step_post_hook(post)]
    restore = _wrap_all_reduce(tracer)

    def remove() -> None:
        for h in handles:
            h.remove()
        restore()

    return remove


def _wrap_all_reduce(tracer: Tracer):
    import torch.distributed as dist

    if not dist.is_available():
        return lambda: None
    original = dist.all_reduce

    def all_reduce(tensor, *args, **kwargs):
        src = taint_of(tensor)
        if src is not None and src.sources:
            tracer.count(src)
        out = original(tensor, *args, **kwargs)
        if tracer.is_state(tensor) and not tracer.in_step:
            tracer.collectives += 1
            tracer.adapt("all_reduce", collective=tracer.collectives)
        return out

    dist.all_reduce = all_reduce

    def restore() -> None:
        dist.all_reduce = original

    return restore


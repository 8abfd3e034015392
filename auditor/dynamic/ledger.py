"""The token ledger: events of every rank merged into one history, the reported pass found in it,
and the four conditions checked against it (DESIGN.md, "The token ledger").

- The **reported pass** is the set of counted scores written between the log line that reports
  the score (a ``mark`` the instrumentation writes when a ``val_bpb`` line is printed; a rounded
  twin printed just before it with no score in between is the same result) and the previous such
  line; scores of a back-propagated loss (training) are not part of it.
- **C1** compares the pass of two runs whose streams agree before ``flip``: a counted score at
  ``t < flip`` that differs is a score that saw the future.
- **C2**: every counted score comes from a normalized distribution over the vocabulary, and the
  counted value is that score (not combined with something else after the gold pick).
- **C3**: no counted score at ``t`` comes from a state that adapted on ``t``. A rank's state has
  seen the positions of its own adapts and, after a collective adapt (parameters all-reduced, or an
  optimizer step of a DDP-wrapped model), every position any rank's state had seen by then.
- **C4**: every position of the covered range has exactly one counted score, and the BPB recomputed
  from the ledger with our byte accounting equals the reported one.

A ``count`` record's positions are *element indices* into its score's position list (a batch of
overlapping windows holds the same position in several rows; only the rows counted are counted).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from auditor.dynamic.events import Event, read_events

NUM = r"([-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)"
VAL_LOSS = re.compile(r"val_loss[:=\s]+" + NUM)
VAL_BPB = re.compile(r"val_bpb[:=\s]+" + NUM)


class LedgerError(ValueError):
    """The ledger cannot support a verdict (nothing traced, no reported line found...)."""


@dataclass
class Score:
    event: Event
    counted: np.ndarray  # bool per position
    pure: np.ndarray  # bool per position: the counted value is the picked score itself
    backward: bool = False
    exported: np.ndarray | None = None  # bool per position: copied out of torch (``.numpy()``)

    @property
    def positions(self) -> np.ndarray:
        return self.event.positions

    @property
    def nll(self) -> np.ndarray:
        return self.event.nll


@dataclass
class Violation:
    """The first offending position, the events around it and the call that scored or adapted."""

    condition: str
    position: int
    message: str
    site: str
    value: float | int | None = None
    limit: float | int | None = None
    context: list[str] = field(default_factory=list)


@dataclass
class ReportedPass:
    mark: Event
    scores: list[Score]
    val_loss: float | None
    val_bpb: float | None

    def counted(self) -> tuple[np.ndarray, np.ndarray]:
        """(positions, nll) of every counted score of the pass, in event order."""
        pos = [s.positions[s.counted] for s in self.scores]
        nll = [s.nll[s.counted] for s in self.scores]
        if not pos:
            return np.zeros(0, np.int64), np.zeros(0)
        return np.concatenate(pos), np.concatenate(nll)


class Ledger:
    """All events of one run (every rank), in time order."""

    def __init__(self, events: list[Event]):
        events = sorted(events, key=lambda e: (e.t_ns, e.rank, e.seq))
        self.events = sorted(events + _hidden_adapts(events), key=lambda e: (e.t_ns, e.rank, e.seq))
        metas = [e for e in self.events if e.kind == "meta"]
        if not metas:
            raise LedgerError("the event files hold no header")
        self.stream_len = int(metas[0].attrs.get("stream_len") or 0)
        self.world_size = int(metas[0].attrs.get("world_size") or 1)
        self.ranks = sorted({e.rank for e in metas})
        self.scores = self._scores()

    @classmethod
    def load(cls, paths) -> "Ledger":
        events: list[Event] = []
        for p in paths:
            events.extend(read_events(p))
        return cls(events)

    @classmethod
    def from_dir(cls, folder: Path, stem: str = "events") -> "Ledger":
        paths = sorted(Path(folder).glob(f"{stem}.rank*"))
        if not paths:
            raise LedgerError(f"no event files {stem}.rank* in {folder}")
        return cls.load(paths)

    def _scores(self) -> dict[tuple[int, int], Score]:
        out: dict[tuple[int, int], Score] = {}
        for e in self.events:
            if e.kind == "score":
                n = e.positions.size
                out[(e.rank, e.seq)] = Score(e, e.counted.copy(), np.ones(n, bool))
            elif e.kind == "count":
                s = out.get((e.rank, int(e.attrs["score"])))
                if s is None:
                    continue
                if e.attrs.get("use") == "backward":
                    s.backward = True
                    continue
                hit = np.zeros(s.positions.size, bool)
                idx = e.positions  # a count record lists element indices into the score's positions
                hit[idx[(idx >= 0) & (idx < hit.size)]] = True
                if e.attrs.get("use") == "exported":
                    s.exported = hit if s.exported is None else (s.exported | hit)
                    continue
                s.counted |= hit
                if not e.attrs.get("pure", True):
                    s.pure &= ~hit
        for s in out.values():  # values only copied out of torch: counted unless torch counted some
            if s.exported is not None and not s.counted.any():
                s.counted = s.exported.copy()
        return out

    # -- the reported pass -------------------------------------------------------------------------
    def log_marks(self) -> list[Event]:
        return [e for e in self.events if e.kind == "mark" and e.attrs.get("name") == "log"]

    def reported_pass(self, line_text: str | None = None) -> ReportedPass:
        """The pass that ends at the log line ``line_text`` (default: the last val_bpb line)."""
        marks = [m for m in self.log_marks() if VAL_LOSS.search(m.attrs.get("text", ""))]
        if not marks:
            raise LedgerError("the script printed no 'val_loss ... val_bpb' line while traced")
        end = marks[-1]
        if line_text is not None:
            hits = [m for m in marks if m.attrs.get("text", "").strip() == line_text.strip()]
            if not hits:
                raise LedgerError(f"the reported line was not printed under the tracer: {line_text.strip()!r}")
            end = hits[-1]
        before = [m for m in marks if m.t_ns < end.t_ns]
        stop = end.t_ns
        while before and not self._scored_between(before[-1].t_ns, stop):
            stop = before.pop().t_ns  # the same result printed twice (rounded, then _exact)
        start = before[-1].t_ns if before else -1
        scores = [s for s in self.scores.values()
                  if start < s.event.t_ns < stop and not s.backward and s.counted.any()]
        scores.sort(key=lambda s: (s.event.t_ns, s.event.rank, s.event.seq))
        text = end.attrs.get("text", "")
        loss, bpb = VAL_LOSS.search(text), VAL_BPB.search(text)
        return ReportedPass(end, scores, float(loss[1]) if loss else None, float(bpb[1]) if bpb else None)

    def _scored_between(self, t0: int, t1: int) -> bool:
        return any(t0 < s.event.t_ns < t1 for s in self.scores.values())

    def around(self, event: Event, n: int = 2) -> list[str]:
        """One line per event near ``event`` on its rank (the context of a violation)."""
        same = [e for e in self.events if e.rank == event.rank and e.kind != "meta"]
        i = next((k for k, e in enumerate(same) if e.seq == event.seq), 0)
        return [describe(e) + ("   <--" if e is event else "") for e in same[max(0, i - n): i + n + 1]]


def _hidden_adapts(events: list[Event]) -> list[Event]:
    """An adapt for every score flagged ``hidden_change`` (its state's fingerprint moved with no
    adapt seen): placed before that score's own read, with the positions read since the previous
    score other than that read (calibration-like reads that were never scored)."""
    out, reads, last_read = [], {}, {}
    for e in events:
        if e.kind == "read" and e.positions.size:
            reads.setdefault(e.rank, []).append(e)
        elif e.kind == "score":
            batch = reads.pop(e.rank, [])
            if e.attrs.get("hidden_change"):
                own = batch[-1] if batch else None
                earlier = [r.positions for r in batch[:-1]]
                pos = np.unique(np.concatenate(earlier)) if earlier else np.zeros(0, np.int64)
                t = (own.t_ns if own else e.t_ns) - 1
                out.append(Event("adapt", -1, e.rank, t, e.site, pos,
                                 {"version": e.attrs.get("version"), "how": "hidden (state fingerprint changed)"}))
    return out


def describe(e: Event) -> str:
    pos = e.positions
    span = f" positions {pos.min()}..{pos.max()} ({pos.size})" if pos.size else ""
    extra = {k: v for k, v in e.attrs.items() if k in ("version", "how", "grad", "name", "use")}
    return f"#{e.seq} rank {e.rank} {e.kind}{span} {extra} at {short_site(e.site)}"


def short_site(site: str) -> str:
    path, _, line = site.rpartition(":")
    return f"{Path(path).name}:{line}" if path else site


# -- the conditions -------------------------------------------------------------------------------------
def check_c2(ledger: Ledger, rp: ReportedPass) -> Violation | None:
    for s in rp.scores:
        bad = s.counted & ~s.pure
        if not s.event.attrs.get("normalized", True):
            bad = s.counted.copy()
            why = f"the score ({s.event.attrs.get('how')}) is not from a normalized distribution over the vocabulary"
        else:
            why = "the counted value was combined with another tensor after the gold-token pick"
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            return Violation("C2", int(s.positions[i]), f"counted score at position {s.positions[i]}: {why}",
                             s.event.site, context=ledger.around(s.event))
    return None


def check_c3(ledger: Ledger, rp: ReportedPass) -> Violation | None:
    seen = {r: np.zeros(ledger.stream_len + 1, bool) for r in ledger.ranks}
    first_adapt: dict[int, dict[int, Event]] = {r: {} for r in ledger.ranks}
    in_pass = {(s.event.rank, s.event.seq): s for s in rp.scores}
    for e in ledger.events:
        if e.kind == "adapt" and e.attrs.get("collective"):
            union = np.logical_or.reduce([seen[r] for r in ledger.ranks])
            union[e.positions] = True
            for r in ledger.ranks:
                for p in np.flatnonzero(union & ~seen[r]).tolist():  # cite the adapt that saw p first
                    first_adapt[r][p] = next((first_adapt[q][p] for q in ledger.ranks if p in first_adapt[q]), e)
            for r in ledger.ranks:
                seen[r] = union.copy()
        elif e.kind == "adapt" and e.positions.size:
            _remember(first_adapt[e.rank], e.positions[~seen[e.rank][e.positions]], e)
            seen[e.rank][e.positions] = True
        elif e.kind == "score" and (e.rank, e.seq) in in_pass:
            s = in_pass[(e.rank, e.seq)]
            bad = s.counted & seen[e.rank][s.positions]
            if bad.any():
                p = int(s.positions[np.flatnonzero(bad)[0]])
                adapt = first_adapt[e.rank].get(p)
                where = f"; the state adapted on it at {short_site(adapt.site)} ({adapt.attrs.get('how')}, " \
                        f"version {adapt.attrs.get('version')})" if adapt else ""
                ctx = ledger.around(e) + ([f"adapt: {describe(adapt)}"] if adapt else [])
                return Violation("C3", p, f"position {p} is scored (state version {e.attrs.get('version')}) by a "
                                 f"model that had already adapted on it{where}", e.site, context=ctx)
    return None


def _remember(index: dict[int, Event], fresh: np.ndarray, e: Event) -> None:
    for p in fresh.tolist():
        index.setdefault(p, e)


def check_c4(ledger: Ledger, rp: ReportedPass, table, stream: np.ndarray, rel_tol: float = 1e-5) -> Violation | None:
    """Exactly one counted score per covered position, and the recomputed loss and BPB (not recomputed
    when the counted values are not the scores themselves: C2 reports that)."""
    from reference_model.bpb import stream_bpb

    pos, nll = rp.counted()
    if pos.size == 0:
        raise LedgerError("no counted score in the reported pass")
    order = np.argsort(pos, kind="stable")
    dup = np.flatnonzero(np.diff(pos[order]) == 0)
    if dup.size:
        p = int(pos[order][dup[0]])
        times = int((pos == p).sum())
        owners = [s for s in rp.scores if (s.positions[s.counted] == p).any()]
        sites = sorted({short_site(s.event.site) for s in owners})
        return Violation("C4", p, f"position {p} has {times} counted scores in the reported pass "
                         f"(scored at {', '.join(sites[:3])})", owners[-1].event.site,
                         value=times, limit=1, context=ledger.around(owners[-1].event))
    lo, hi = int(pos.min()), int(pos.max())
    missing = np.setdiff1d(np.arange(lo, hi + 1), pos)
    first = rp.scores[0].event
    if missing.size or lo > 1:
        p = int(missing[0]) if missing.size else 1
        return Violation("C4", p, f"position {p} has no counted score in the reported pass "
                         f"({missing.size + lo - 1} positions of 1..{hi} are never scored)", first.site,
                         value=int(missing.size + lo - 1), limit=0, context=ledger.around(first))
    if not all(s.pure[s.counted].all() for s in rp.scores):
        return None  # the counted values are not the scores (C2 reports it); nothing to recompute
    res = stream_bpb(nll, stream, pos, table)
    if rp.val_loss is not None and not _close(res.val_loss, rp.val_loss, rel_tol):
        return Violation("C4", lo, f"the reported val_loss {rp.val_loss} is not the mean of the counted scores "
                         f"({res.val_loss:.8f})", rp.mark.site, value=round(res.val_loss, 8), limit=rp.val_loss,
                         context=ledger.around(rp.mark))
    if rp.val_bpb is not None and not _close(res.val_bpb, rp.val_bpb, rel_tol):
        return Violation("C4", lo, f"the reported val_bpb {rp.val_bpb} differs from the BPB recomputed with the "
                         f"tokenizer's byte accounting ({res.val_bpb:.8f}; {res.bytes} bytes for {res.tokens} "
                         f"tokens)", rp.mark.site, value=round(res.val_bpb, 8), limit=rp.val_bpb,
                         context=ledger.around(rp.mark))
    return None


def recomputed(rp: ReportedPass, table, stream: np.ndarray):
    from reference_model.bpb import stream_bpb

    pos, nll = rp.counted()
    return stream_bpb(nll, stream, pos, table)


def _close(a: float, b: float, rel: float) -> bool:
    return math.isfinite(a) and abs(a - b) <= rel * max(abs(b), 1e-12) + 1e-8


def noise_floor(pa: ReportedPass, pb: ReportedPass) -> float:
    """Largest difference of the counted scores of two runs on the same stream (nats)."""
    pos_a, nll_a = pa.counted()
    pos_b, nll_b = pb.counted()
    _, ia, ib = np.intersect1d(pos_a, pos_b, return_indices=True)
    return float(np.abs(nll_a[ia] - nll_b[ib]).max()) if ia.size else 0.0


def check_c1(a: Ledger, pa: ReportedPass, b: Ledger, pb: ReportedPass, flip: int,
             atol: float = 1e-5) -> Violation | None:
    """Counted scores before ``flip`` must be equal in two runs whose streams differ after it."""
    pos_a, nll_a = pa.counted()
    pos_b, nll_b = pb.counted()
    keep_a = pos_a < flip
    common, ia, ib = np.intersect1d(pos_a[keep_a], pos_b, return_indices=True)
    if common.size == 0:
        raise LedgerError("the two runs have no counted score before the flip point in common")
    va, vb = nll_a[keep_a][ia], nll_b[ib]
    diff = np.abs(va - vb)
    bad = np.flatnonzero(diff > atol)
    if bad.size == 0:
        return None
    p = int(common[bad[0]])
    owner = next((s for s in pa.scores if p in set(s.positions[s.counted].tolist())), pa.scores[0])
    return Violation("C1", p, f"the counted score at position {p} changes from {va[bad[0]]:.6f} to "
                     f"{vb[bad[0]]:.6f} nats when only tokens after position {flip - 1} change "
                     f"({bad.size} of {common.size} positions before the flip differ)", owner.event.site,
                     value=float(diff[bad[0]]), limit=atol, context=a.around(owner.event))


def compare_native(rp: ReportedPass, native: Ledger) -> dict:
    """Cross-check the traced reported pass against a script's own ledger (the reference model's
    eval writes one when ``GOLF_LEDGER_PATH`` is set): same counted positions, same NLLs?"""
    pos, nll = rp.counted()
    npos, nnll = [], []
    for s in native.scores.values():
        npos.append(s.positions[s.counted])
        nnll.append(s.nll[s.counted])
    npos = np.concatenate(npos) if npos else np.zeros(0, np.int64)
    nnll = np.concatenate(nnll) if nnll else np.zeros(0)
    same = np.array_equal(np.sort(pos), np.sort(npos))
    diff = None
    if same and pos.size:
        diff = float(np.abs(nll[np.argsort(pos, kind="stable")] - nnll[np.argsort(npos, kind="stable")]).max())
    return {"traced": int(pos.size), "native": int(npos.size), "same_positions": bool(same),
            "max_abs_nll_diff": diff}

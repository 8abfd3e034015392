"""Runs and claims: which logs are runs, which of them back the submission's score, and how.

Rules about claims, caps, seeds and statistics all need the same facts: the distinct runs in the
folder (one per log content), the headline claim, and the set of runs whose mean the claim is.
A record often ships more than one family of logs (originals and re-runs, end-to-end runs and
eval-only re-evaluations in a sub-folder, a designated run among trials), so the claim is matched
against every natural set of runs and every final-score kind, and the outcome says which matched.

Agreement "within printed precision": when the runs print at least as many decimals as the claim,
the claim must equal their mean rounded to the claim's decimals; otherwise the claim must lie
within half a unit of the runs' last printed decimal of their mean.
"""

from __future__ import annotations

import enum
import itertools
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import PurePosixPath

from auditor.parsers.evalkind import RANK, EvalKind
from auditor.parsers.numbers import Num
from auditor.parsers.submission import Claim

SEED_IN_NAME = re.compile(r"(?:seed|_s)[_-]?(\d{1,12})(?!\d)", re.IGNORECASE)
PR_IN_NAME = re.compile(r"(?<![a-z])pr[_-]?(\d{1,6})(?!\d)", re.IGNORECASE)
FINAL_KINDS = [k for k in sorted(RANK, key=RANK.get, reverse=True) if k is not EvalKind.PERIODIC]
MAX_COMBINATIONS = 64


@dataclass(frozen=True)
class Run:
    """A log that records a run (training and/or a final evaluation), deduplicated by content."""

    log: object  # auditor.context.LogFile

    @property
    def rel(self) -> str:
        return self.log.rel

    @property
    def run(self):
        return self.log.run

    @property
    def seed(self) -> int | None:
        return None if self.run.seed is None else int(self.run.seed.value)

    @property
    def named_seed(self) -> int | None:
        """The seed the file name states (``train_seed42.log``, ``train_seed_42.txt``)."""
        m = SEED_IN_NAME.search(PurePosixPath(self.rel).name)
        return int(m[1]) if m else None

    @property
    def trained(self) -> bool:
        t = self.run.training
        return t.train_time is not None or t.steps is not None

    def score(self, kind: EvalKind | None = None):
        """The final evaluation of ``kind`` (default: the reported one), or None."""
        return self.run.reported if kind is None else self.run.final_scores().get(kind)


class Outcome(enum.Enum):
    MEAN = "mean"  # the claim is the mean of a set of runs
    SINGLE = "single"  # the claim is one run's score while several runs exist
    NON_FINAL = "non_final"  # the claim is a periodic or pre-quantization score
    UNSUPPORTED = "unsupported"
    NO_CLAIM = "no_claim"
    NO_RUNS = "no_runs"


@dataclass(frozen=True)
class RunSet:
    label: str
    runs: tuple[Run, ...]


@dataclass(frozen=True)
class Match:
    outcome: Outcome
    claim: Claim | None = None
    runs: tuple[Run, ...] = ()
    kind: EvalKind | None = None
    label: str = ""
    value: float | None = None  # the mean (or the single value) that matched
    line: int | None = None  # for SINGLE / NON_FINAL: the log line of the matched value


def agrees(claim_value: float, claim_decimals: int | None, values: list[Num], floor: float = 1e-9) -> bool:
    """Is ``claim_value`` the mean of ``values`` within printed precision (module docstring)?"""
    if not values:
        return False
    mean = sum(float(v.value) for v in values) / len(values)
    run_dec = min(v.decimals for v in values)
    if claim_decimals is None:
        claim_decimals = run_dec
    if run_dec >= claim_decimals:
        return abs(claim_value - mean) <= 0.5 * 10.0 ** -claim_decimals + floor
    return abs(claim_value - mean) <= 0.5 * 10.0 ** -run_dec + floor


def mean(values: list[Num]) -> float:
    return sum(float(v.value) for v in values) / len(values)


def family(rel: str) -> str:
    """A log's naming family: the file name without seeds, PR numbers and digits
    (``train_seed42_pr1851_original.log`` and ``train_seed314_original.log`` -> ``train_original``)."""
    stem = PurePosixPath(rel).stem
    stem = PR_IN_NAME.sub("", SEED_IN_NAME.sub("", stem))
    return re.sub(r"_+", "_", re.sub(r"\d+", "", stem)).strip("_-") or "log"


class Evidence:
    """Computed once per context (``ctx.evidence``)."""

    def __init__(self, ctx):
        self.ctx = ctx

    @cached_property
    def runs(self) -> list[Run]:
        out = []
        for log in self.ctx.logs:
            if log.duplicate_of is None and _is_run(log.run):
                out.append(Run(log))
        return out

    @cached_property
    def scored_runs(self) -> list[Run]:
        return [r for r in self.runs if r.score() is not None]

    @cached_property
    def claim(self) -> Claim | None:
        doc = self.ctx.submission
        return None if doc is None or doc.data is None else doc.score_claim()

    @cached_property
    def run_sets(self) -> list[RunSet]:
        """Natural sets of runs, most inclusive first: all, per folder, per naming family, per
        JSON seed list (one run per seed, every combination when a seed has several logs)."""
        runs = self.scored_runs
        sets = [RunSet("all logs", tuple(runs))]
        sets += _grouped(runs, lambda r: str(PurePosixPath(r.rel).parent), "folder {}")
        sets += _grouped(runs, lambda r: (str(PurePosixPath(r.rel).parent), family(r.rel)), "logs named {}")
        sets += self._seed_sets(runs)
        seen, unique = set(), []
        for s in sets:
            key = frozenset(r.rel for r in s.runs)
            if s.runs and key not in seen:
                seen.add(key)
                unique.append(s)
        return unique

    def _seed_sets(self, runs: list[Run]) -> list[RunSet]:
        claimed = sorted({c.seed for c in self.ctx.submission.seed_claims() if c.seed is not None}) \
            if self.ctx.submission is not None and self.ctx.submission.data is not None else []
        per_seed = [[r for r in runs if r.seed == s] for s in claimed]
        if not claimed or not all(per_seed):
            return []
        combos = itertools.islice(itertools.product(*per_seed), MAX_COMBINATIONS)
        return [RunSet(f"the JSON's seeds {', '.join(map(str, claimed))}", tuple(c)) for c in combos]

    @cached_property
    def match(self) -> Match:
        claim = self.claim
        if claim is None:
            return Match(Outcome.NO_CLAIM)
        if not self.runs:
            return Match(Outcome.NO_RUNS, claim)
        return (self._match_mean(claim) or self._match_single(claim) or self._match_non_final(claim)
                or Match(Outcome.UNSUPPORTED, claim))

    def _match_mean(self, claim: Claim) -> Match | None:
        for s in self.run_sets:
            for kind in FINAL_KINDS:
                vals = [r.score(kind).val_bpb for r in s.runs if r.score(kind) is not None]
                if len(vals) == len(s.runs) and agrees(claim.value, claim.decimals, vals):
                    return Match(Outcome.MEAN, claim, s.runs, kind, s.label, mean(vals))
        return None

    def _match_single(self, claim: Claim) -> Match | None:
        for r in self.scored_runs:
            for kind, ev in r.run.final_scores().items():
                if agrees(claim.value, claim.decimals, [ev.val_bpb]):
                    return Match(Outcome.SINGLE, claim, (r,), kind, r.rel, float(ev.val_bpb.value), ev.line)
        return None

    def _match_non_final(self, claim: Claim) -> Match | None:
        for r in self.runs:
            for ev in reversed(r.run.evaluations):
                if ev.val_bpb is not None and agrees(claim.value, claim.decimals, [ev.val_bpb]) \
                        and ev.kind in (EvalKind.PERIODIC, EvalKind.PRE_QUANT):
                    return Match(Outcome.NON_FINAL, claim, (r,), ev.kind, r.rel, float(ev.val_bpb.value), ev.line)
        return None

    @cached_property
    def claimed_runs(self) -> list[Run]:
        """The runs the claim rests on: the matched set (or single run), else every run."""
        m = self.match
        return list(m.runs) if m.outcome in (Outcome.MEAN, Outcome.SINGLE, Outcome.NON_FINAL) else list(self.runs)

    def in_claim(self, run: Run) -> bool:
        return any(r.rel == run.rel for r in self.claimed_runs)


def _is_run(run) -> bool:
    t = run.training
    return bool(run.evaluations) or t.train_time is not None or t.steps is not None


def _grouped(runs: list[Run], key, label: str) -> list[RunSet]:
    groups: dict = {}
    for r in runs:
        groups.setdefault(key(r), []).append(r)
    if len(groups) < 2:
        return []  # one group is the same set as "all logs"
    return [RunSet(label.format(k if isinstance(k, str) else f"{k[1]} in {k[0]}"), tuple(g))
            for k, g in groups.items()]

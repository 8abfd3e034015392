"""Significance tests for record claims, in pure Python (the static path imports no SciPy).

Two policies (RULES.md §STAT-SIG, §8):
- ``readme``: the README's bar, an improvement of at least ``min_delta`` nats at p < ``alpha``;
  tested one-sided as H0: improvement <= min_delta.
- ``welch-one-sided``: the maintainers' final practice, one-sided Welch t-test of the new per-seed
  values against the previous frontier's at p < ``alpha`` (0.25), with ``min_delta`` = 0.

Nats and BPB: for one validation set ``val_bpb = val_loss / ln 2 * tokens / bytes``, so
``bpb = r * nats`` with ``r = val_bpb / val_loss`` fixed by the tokenizer and data. Differences
convert the same way: ``Δnats = Δbpb / r``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import fmean, variance


@dataclass(frozen=True)
class TestResult:
    delta: float  # mean(baseline) - mean(candidate): positive is an improvement
    margin: float  # the improvement required under H1 (same units as delta)
    t: float
    df: float
    p_value: float
    n_candidate: int
    n_baseline: int

    def significant(self, alpha: float) -> bool:
        return self.p_value < alpha


def welch_one_sided(candidate: list[float], baseline: list[float], margin: float = 0.0) -> TestResult:
    """One-sided Welch test of H1: mean(baseline) - mean(candidate) > margin (lower is better).

    Needs at least two values on each side; with a zero pooled variance the p-value is 0 or 1.
    """
    if len(candidate) < 2 or len(baseline) < 2:
        raise ValueError("Welch's test needs at least two values on each side")
    delta = fmean(baseline) - fmean(candidate)
    va, vb = variance(candidate) / len(candidate), variance(baseline) / len(baseline)
    se = math.sqrt(va + vb)
    if se == 0.0:
        p = 0.0 if delta > margin else 1.0
        return TestResult(delta, margin, math.copysign(math.inf, delta - margin), math.inf, p,
                          len(candidate), len(baseline))
    t = (delta - margin) / se
    df = (va + vb) ** 2 / (va**2 / (len(candidate) - 1) + vb**2 / (len(baseline) - 1))
    return TestResult(delta, margin, t, df, student_t_sf(t, df), len(candidate), len(baseline))


def one_sample_one_sided(candidate: list[float], reference: float, margin: float = 0.0) -> TestResult:
    """One-sided t-test of H1: reference - mean(candidate) > margin, for a baseline known only as
    one number (a leaderboard row without per-seed values)."""
    if len(candidate) < 2:
        raise ValueError("a t-test needs at least two values")
    delta = reference - fmean(candidate)
    se = math.sqrt(variance(candidate) / len(candidate))
    df = float(len(candidate) - 1)
    if se == 0.0:
        return TestResult(delta, margin, math.copysign(math.inf, delta - margin), df,
                          0.0 if delta > margin else 1.0, len(candidate), 1)
    t = (delta - margin) / se
    return TestResult(delta, margin, t, df, student_t_sf(t, df), len(candidate), 1)


def student_t_sf(t: float, df: float) -> float:
    """P(T > t) for Student's t with ``df`` degrees of freedom."""
    if math.isinf(t):
        return 0.0 if t > 0 else 1.0
    x = df / (df + t * t)
    tail = 0.5 * regularized_beta(x, df / 2.0, 0.5)
    return tail if t > 0 else 1.0 - tail


def regularized_beta(x: float, a: float, b: float) -> float:
    """I_x(a, b), by the continued fraction (Numerical Recipes' betacf, modified Lentz)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _beta_cf(x, a, b) / a
    return 1.0 - math.exp(log_front) * _beta_cf(1.0 - x, b, a) / b


def _beta_cf(x: float, a: float, b: float, eps: float = 1e-15, max_iter: int = 500) -> float:
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, max_iter + 1):
        for num in (m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                    -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))):
            d = 1.0 + num * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + num / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < eps:
            break
    return h

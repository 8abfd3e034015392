import math

import pytest
from hypothesis import given, settings, strategies as st
from scipy import stats as sps

from auditor.stats import (one_sample_one_sided, regularized_beta, student_t_sf,
                           welch_one_sided)


@pytest.mark.parametrize("t,df", [(0.0, 2), (1.5, 2), (-2.0, 3.7), (10.0, 4), (0.3, 100), (3.1, 1)])
def test_t_tail_matches_scipy(t, df):
    assert student_t_sf(t, df) == pytest.approx(sps.t.sf(t, df), rel=1e-9, abs=1e-14)


@settings(max_examples=200, deadline=None)
@given(st.floats(0.001, 0.999), st.floats(0.05, 50), st.floats(0.05, 50))
def test_regularized_beta_matches_scipy(x, a, b):
    from scipy.special import betainc
    assert regularized_beta(x, a, b) == pytest.approx(betainc(a, b, x), rel=1e-8, abs=1e-12)


def test_welch_matches_scipy_one_sided():
    new = [1.0599, 1.0612, 1.0621]
    old = [1.0628, 1.0631, 1.0640]
    ours = welch_one_sided(new, old)
    ref = sps.ttest_ind(old, new, equal_var=False, alternative="greater")
    assert ours.p_value == pytest.approx(ref.pvalue, rel=1e-9)
    assert ours.t == pytest.approx(ref.statistic, rel=1e-12)
    assert ours.delta == pytest.approx(sum(old) / 3 - sum(new) / 3)


def test_welch_with_margin_shifts_the_null():
    new = [2.00, 2.01, 2.02]
    old = [2.02, 2.03, 2.04]
    shifted = welch_one_sided(new, old, margin=0.005)
    ref = sps.ttest_ind([o - 0.005 for o in old], new, equal_var=False, alternative="greater")
    assert shifted.p_value == pytest.approx(ref.pvalue, rel=1e-9)


def test_zero_variance_is_decided_by_the_sign():
    assert welch_one_sided([1.0, 1.0], [2.0, 2.0]).p_value == 0.0
    assert welch_one_sided([2.0, 2.0], [1.0, 1.0]).p_value == 1.0


def test_one_sample_matches_scipy():
    new = [1.0599, 1.0612, 1.0621]
    ours = one_sample_one_sided(new, 1.0630, margin=0.0002)
    ref = sps.ttest_1samp([1.0630 - 0.0002 - x for x in new], 0.0, alternative="greater")
    assert ours.p_value == pytest.approx(ref.pvalue, rel=1e-9)


def test_needs_two_values():
    with pytest.raises(ValueError):
        welch_one_sided([1.0], [1.0, 2.0])

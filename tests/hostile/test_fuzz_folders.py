"""Fuzzing the whole static path: Context, every static rule and every renderer, on real record
folders with files mutated, dropped, added and oddly named. No rule may crash (UNVERIFIED with an
internal error), no report may carry a raw control character, JSON and SARIF must parse."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hostile import inputs


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_mutated_record_folders_audit_without_crash(seed):
    inputs.target_folder(inputs.gen_folder(random.Random(seed)))


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(files=st.dictionaries(
    st.sampled_from(inputs.ODD_NAMES + ["submission.json", "README.md", "train_seed42.log", "train_gpt.py"]),
    st.binary(max_size=2000), max_size=6))
def test_random_files_audit_without_crash(files):
    inputs.target_folder(files)

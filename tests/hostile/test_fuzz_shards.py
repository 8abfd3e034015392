"""Fuzzing token-shard headers (``reference_model/data.py``): wrong magic, version, counts, sizes,
truncated and padded files. Each is read whole or refused with a ShardError naming the file."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.hostile import inputs

pytest.importorskip("numpy")


@settings(max_examples=300, deadline=None, derandomize=True)
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_mutated_shards_are_read_or_refused_clearly(seed):
    inputs.target_shard(inputs.gen_shard(random.Random(seed)))


@settings(max_examples=200, deadline=None, derandomize=True)
@given(raw=st.binary(max_size=3000))
def test_random_bytes_are_refused_clearly(raw):
    inputs.target_shard(raw)

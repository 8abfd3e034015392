"""Fuzzing code unwrapping and indexing (``auditor/code``): self-extracting stubs over every
decoder, nested, corrupted, decompression and parse bombs. Each ends as a payload or an error
entry (X012), never an exception; see also ``test_memory.py`` for the memory bound."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hostile import inputs


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_wrapped_code_never_crashes_the_unwrapper_or_the_index(seed):
    inputs.target_code(inputs.gen_code(random.Random(seed)))


@settings(max_examples=100, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(source=st.text(max_size=2000))
def test_arbitrary_text_never_crashes_the_unwrapper(source):
    inputs.target_code(source)


def test_many_exec_calls_are_capped_and_linear():
    import time

    from auditor.code.unwrap import MAX_EXECS, unwrap_source

    stub = "import zlib, base64\n" + "exec(zlib.decompress(base64.b64decode('eJwrKMrMK9Ew1OQCABDPAro=')))\n"
    source = stub + "x = 1\n" * 10_000 + stub.split("\n", 1)[1] * 2000
    start = time.perf_counter()
    result = unwrap_source(source, "train_gpt.py")
    assert time.perf_counter() - start < 10
    assert len(result.payloads) == MAX_EXECS
    assert result.errors[0][1] == f"more than {MAX_EXECS} exec calls: the rest not decoded"

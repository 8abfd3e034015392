"""Fuzzing every parser: no input makes one raise, hang or swallow an internal error.

Two sources of input per parser: the real records mutated by a seeded mutator (``inputs.py``;
hypothesis draws the seed, so a failure shrinks to a seed and reproduces), and inputs hypothesis
builds itself (raw bytes, JSON trees). ``bench/fuzz.py`` runs the same targets 10,000+ times.
"""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hostile import inputs

FUZZ = settings(max_examples=300, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SEEDS = st.integers(min_value=0, max_value=2**32 - 1)


@pytest.mark.parametrize("name", ["submission", "log", "readme", "line"])
@FUZZ
@given(seed=SEEDS)
def test_mutated_real_inputs_never_crash(name, seed):
    gen, target = inputs.TARGETS[name]
    target(gen(random.Random(seed)))


@FUZZ
@given(raw=st.one_of(st.binary(max_size=3000), st.text(max_size=3000).map(lambda t: t.encode("utf-8", "surrogatepass"))))
def test_raw_bytes_never_crash_any_text_parser(raw):
    inputs.target_submission(raw)
    inputs.target_log(raw)
    inputs.target_readme(raw)
    inputs.target_line(raw.decode("utf-8", "replace"))


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30)
    | st.sampled_from(inputs.KEYS),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.sampled_from(inputs.KEYS) | st.text(max_size=8),
                                                                inner, max_size=6),
    max_leaves=40)


@FUZZ
@given(doc=st.dictionaries(st.sampled_from(inputs.KEYS), JSON, max_size=8))
def test_json_trees_never_crash_the_submission_parser(doc):
    raw = json.dumps(doc, allow_nan=True).encode()
    inputs.target_submission(raw)


@pytest.mark.parametrize("depth", [50, 900, 5000, 200_000])
def test_deep_json_is_a_clear_error_or_parsed(depth):
    from auditor.parsers.submission import SubmissionDoc

    raw = ("[" * depth + "]" * depth).encode()
    doc = SubmissionDoc.parse("submission.json", raw)
    assert doc.data is None and doc.error
    wrapped = ('{"seeds": ' + "[" * depth + "1" + "]" * depth + "}").encode()
    doc = SubmissionDoc.parse("submission.json", wrapped)
    assert (doc.data is None) == bool(doc.error)
    inputs.target_submission(wrapped)


def test_huge_numbers_in_json_are_a_clear_error():
    from auditor.parsers.submission import SubmissionDoc

    doc = SubmissionDoc.parse("submission.json", b'{"val_bpb": 1' + b"0" * 6000 + b"}")
    assert doc.data is None and "JSON" in doc.error
    doc = SubmissionDoc.parse("submission.json", b'{"val_bpb": 1e999, "val_loss": NaN}')
    inputs.target_submission(b'{"val_bpb": 1e999, "val_loss": NaN}')
    assert doc.data is not None


def test_readme_nproc_with_huge_or_unicode_digits_is_none():
    from auditor.parsers.readme import parse_readme

    for value in ("9" * 5000, "\u00b2", "\u0663"):
        doc = parse_readme(f"```bash\ntorchrun --nproc_per_node={value} train_gpt.py\n"
                           f"torchrun --nproc_per_node {value} train_gpt.py\n```\n")
        assert [c.nproc_per_node for c in doc.commands] == [None, None]


def test_long_periodic_lines_keep_their_scores():
    """Found by bench/fuzz.py: periodic lines are kept short for memory; one whose scores come
    after the kept part is parsed when read, not lost (nor a crash)."""
    from auditor.parsers.runlog import parse_log

    pad = "-inf" * 300
    log = parse_log(f"step:100/200 train_loss:2.1 {pad} val_loss:2.0 val_bpb:1.25\n"
                    f"step:200/200 val_loss:1.9 val_bpb:1.2 {pad}\n".encode())
    assert [(e.val_bpb.value, e.step) for e in log.periodic] == [(1.25, 100), (1.2, 200)]
    assert not [w for w in log.warnings if "internal" in w.message]

"""Evaluation kinds from log labels and README headers."""
from __future__ import annotations

import pytest

from auditor.parsers.evalkind import EvalKind, classify, classify_stage


@pytest.mark.parametrize("label, kind", [
    ("step:0/20000", EvalKind.PERIODIC),
    ("4000/20000", EvalKind.PERIODIC),
    ("final_int8_zlib_roundtrip_exact", EvalKind.ROUNDTRIP),
    ("diagnostic quantized", EvalKind.ROUNDTRIP),
    ("diagnostic pre-quantization post-ema", EvalKind.PRE_QUANT),
    ("DIAGNOSTIC post_ema", EvalKind.PRE_QUANT),
    ("post-prequant-ttt", EvalKind.PRE_QUANT),
    ("quantized_sliding_window", EvalKind.SLIDING),
    ("final_int6_sliding_window_exact", EvalKind.SLIDING),
    ("final_int8_zlib_roundtrip sliding", EvalKind.SLIDING),
    ("quantized_ttt_phased", EvalKind.TTT),
    ("legal_ttt_exact", EvalKind.TTT),
    ("ttt_sliding:done", EvalKind.TTT),
    ("final_int6_sliding_window_ngram9", EvalKind.TTT),
    ("temp_search: temp=0.9", EvalKind.OTHER),
])
def test_log_labels(label, kind):
    assert classify(label) is kind


@pytest.mark.parametrize("header, kind", [
    ("Pre-TTT BPB", EvalKind.OTHER), ("Pre-TTT sliding bpb", EvalKind.SLIDING),
    ("Quantized BPB (no TTT)", EvalKind.ROUNDTRIP), ("Post-TTT BPB", EvalKind.TTT),
    ("Post-EMA BPB (pre-quant)", EvalKind.PRE_QUANT), ("RT bpb", EvalKind.ROUNDTRIP),
])
def test_readme_stage_words(header, kind):
    assert classify_stage(header) is kind

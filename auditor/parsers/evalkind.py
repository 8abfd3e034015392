"""What an evaluation measured, from the label a log line or a README column gives it.

Records print dozens of spellings (``final_int8_zlib_roundtrip_exact``, ``quantized_sliding_window``,
``legal_ttt_exact``, ``diagnostic pre-quantization post-ema``, ``Post-TTT BPB``...). They fall into a
few kinds, ordered by how much processing produced the score: a record reports the most processed
one (RANK).
"""
from __future__ import annotations

import re
from enum import Enum


class EvalKind(Enum):
    """Kind of an evaluation; see RANK for the order used to pick the reported score."""

    PERIODIC = "periodic"    # step-wise val_loss/val_bpb during training
    PRE_QUANT = "pre_quant"  # final eval of the unquantized (EMA/SWA/raw) model
    ROUNDTRIP = "roundtrip"  # quantized + compressed + decompressed model, plain eval
    SLIDING = "sliding"      # quantized model, sliding-window eval
    TTT = "ttt"              # test-time adaptation at eval: TTT, LoRA-TTT, SLOT, n-gram/PPM caches, ETLB
    OTHER = "other"          # any other val_bpb line (sweeps, summaries, ablations)


RANK = {
    EvalKind.PERIODIC: 0, EvalKind.OTHER: 1, EvalKind.PRE_QUANT: 2,
    EvalKind.ROUNDTRIP: 3, EvalKind.SLIDING: 4, EvalKind.TTT: 5,
}

_STEP = re.compile(r"^\s*(?:step[:\s]*)?\d+\s*/\s*\d+\b|\bstep[:=\s]\s*\d+")
_FINAL_WORDS = re.compile(r"final|quant|roundtrip|ttt|slid|exact|ema|swa")
_PRE_QUANT = re.compile(
    r"pre[-_ ]?quant|^diagnostic post|post[-_ ]?(?:ema|swa|average)|\b(?:ema|swa)[-_ ]?eval"
    r"|\braw[-_ ]model|best_averaging"
)
# 'pre-TTT' and 'no TTT' name the score before adaptation, not an adapted one.
_ADAPTIVE = re.compile(
    r"(?<!pre-)(?<!pre_)(?<!pre )(?<!no )(?:ttt|slot|n-?gram|ppm|cache|mixer|adapt|etlb|two_pass)"
)
_SLIDING = re.compile(r"slid|stride|window|(?:^|[^a-z])sw(?:[^a-z]|$)")
_ROUNDTRIP = re.compile(
    r"roundtrip|quant|\bint\d|_int\d|\brt\b|zlib|zstd|lzma|brotli|ternary|binary|xnor|gptq|export"
    r"|compress|^final"
)


_STAGES = (
    (_PRE_QUANT, EvalKind.PRE_QUANT),
    (_ADAPTIVE, EvalKind.TTT),
    (_SLIDING, EvalKind.SLIDING),
    (_ROUNDTRIP, EvalKind.ROUNDTRIP),
)


def classify(label: str) -> EvalKind:
    """The kind of a log evaluation labelled ``label`` (the text before ``val_loss``)."""
    text = label.lower().strip()
    if _STEP.search(text) and not _FINAL_WORDS.search(_STEP.sub("", text)):
        return EvalKind.PERIODIC
    return classify_stage(text)


def classify_stage(text: str) -> EvalKind:
    """The kind named by a label that is not a training step (also used for README headers)."""
    text = text.lower()
    for pattern, kind in _STAGES:
        if pattern.search(text):
            return kind
    return EvalKind.OTHER

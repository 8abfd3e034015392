"""Markdown table of training and evaluation speed from train_gpt.py-style logs.

    python bench/throughput_table.py ours=run1/logs/x.txt baseline=run2/logs/y.txt

Per log: ms/step (train_time / steps of the last step line, warmup/compile excluded as the log
excludes it), training tokens/s (train_batch_tokens / step time), peak CUDA memory allocated, and
evaluation tokens/s (validation tokens / eval_time of the final int8 round-trip evaluation).
"""

from __future__ import annotations

import re
import sys

from auditor.parsers.runlog import EvalKind, parse_log

_PEAK = re.compile(r"^peak memory allocated: (\d+) MiB", re.MULTILINE)
_BATCH = re.compile(r"\btrain_batch_tokens:(\d+)")


def row(label: str, path: str) -> str:
    log = parse_log(path)
    text = open(path, encoding="utf-8", errors="replace").read()
    steps = float(log.training.steps.value) if log.training.steps else 0.0
    ms = log.training.train_time_ms / steps if steps and log.training.train_time_ms else float("nan")
    batch = int(_BATCH.findall(text)[-1]) if _BATCH.search(text) else 0
    peak = _PEAK.findall(text)
    rt = log.final_scores().get(EvalKind.ROUNDTRIP)
    eval_ms = rt.eval_time.to_ms() if rt is not None and rt.eval_time is not None else float("nan")
    val_tokens = float(log.val_tokens.value) if log.val_tokens else float("nan")
    return (f"| {label} | {int(steps)} | {ms:.1f} | {batch / ms * 1000 / 1e6:.3f} | "
            f"{peak[-1] if peak else '?'} | {val_tokens / eval_ms * 1000 / 1e6:.3f} |")


def table(pairs: list[tuple[str, str]]) -> str:
    head = ["| run | timed steps | ms/step | train M tokens/s | peak MiB allocated | eval M tokens/s |",
            "|-----|-------------|---------|------------------|--------------------|-----------------|"]
    return "\n".join(head + [row(label, path) for label, path in pairs])


if __name__ == "__main__":
    print(table([tuple(a.split("=", 1)) for a in sys.argv[1:]]))

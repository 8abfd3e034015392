"""Write train/val shards of uniformly random token ids in the challenge's format (throughput runs).

    python bench/make_random_shards.py OUT_DIR --vocab-size 1024 --train-tokens 33554432 \
        --train-shards 2 --val-tokens 2097153 [--seed 0]

The shards are valid (header, uint16 ids below the vocabulary size) but carry no text, so no
tokenizer is needed; scores on them mean nothing, only speeds do.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from reference_model.data import write_shard


def make_random_shards(out_dir, *, vocab_size: int, train_tokens: int, train_shards: int, val_tokens: int,
                       seed: int = 0) -> list[Path]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    paths = [write_shard(out / "fineweb_val_000000.bin", rng.integers(0, vocab_size, val_tokens, dtype=np.uint16))]
    for i, n in enumerate(np.diff(np.linspace(0, train_tokens, train_shards + 1).astype(np.int64))):
        tokens = rng.integers(0, vocab_size, int(n), dtype=np.uint16)
        paths.append(write_shard(out / f"fineweb_train_{i:06d}.bin", tokens))
    return paths


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out_dir")
    ap.add_argument("--vocab-size", type=int, default=1024)
    ap.add_argument("--train-tokens", type=int, default=32 * 2**20)
    ap.add_argument("--train-shards", type=int, default=2)
    ap.add_argument("--val-tokens", type=int, default=2 * 2**20 + 1)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    if min(a.vocab_size, a.train_tokens, a.train_shards, a.val_tokens) <= 0 or a.vocab_size > 65536:
        print("error: sizes must be positive and the vocabulary at most 65536", file=sys.stderr)
        return 2
    paths = make_random_shards(a.out_dir, vocab_size=a.vocab_size, train_tokens=a.train_tokens,
                               train_shards=a.train_shards, val_tokens=a.val_tokens, seed=a.seed)
    print(f"{len(paths)} shards in {a.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Probe data: what the submission's script is run on when its causality is proven.

The probe writes, in the challenge's layout and format, a tokenizer (the folder's own when it ships
one, else a generated one), train shards, and a validation stream in which every 8-token window
is unique, so that the instrumentation can locate any token tensor by content. The C1 check runs
the script a second time on a stream that agrees with the first up to ``flip`` and differs after.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from auditor.dynamic.instrument.locate import repeated_windows

# A tiny configuration in the challenge's environment variables (scripts ignore what they lack).
TINY_ENV = {
    "ITERATIONS": "20", "WARMUP_STEPS": "0", "VAL_LOSS_EVERY": "0", "TRAIN_LOG_EVERY": "10",
    "MAX_WALLCLOCK_SECONDS": "0", "SEED": "1337", "RUN_ID": "prove", "NUM_LAYERS": "2",
    "MODEL_DIM": "64", "NUM_HEADS": "2", "NUM_KV_HEADS": "2", "MLP_MULT": "2", "TRAIN_SEQ_LEN": "64",
    "EVAL_SEQ_LEN": "64", "TRAIN_BATCH_TOKENS": "4096", "VAL_BATCH_SIZE": "8192",
}
VAL_TOKENS = 8193  # 1 + 128 sequences of 64
TRAIN_TOKENS = 60_000


@dataclass
class Probe:
    """One probe data set on disk and the environment that points a script at it."""

    root: Path
    data_path: Path
    tokenizer_path: Path
    vocab_size: int
    stream: np.ndarray
    stream_file: Path
    flip: int | None = None
    generated_tokenizer: bool = True
    env_overrides: dict = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        return {**TINY_ENV, **self.env_overrides, "DATA_PATH": str(self.data_path),
                "TOKENIZER_PATH": str(self.tokenizer_path), "VOCAB_SIZE": str(self.vocab_size),
                "GOLF_PROBE_STREAM": str(self.stream_file), "GOLF_PROBE_VOCAB": str(self.vocab_size)}


def find_tokenizer(folder: Path) -> Path | None:
    """A sentencepiece model shipped in the folder (top level or one folder down), if any."""
    for pattern in ("*.model", "*/*.model"):
        for p in sorted(folder.glob(pattern)):
            if p.is_file() and not p.is_symlink():
                return p
    return None


def ordinary_ids(tokenizer_path: Path) -> tuple[np.ndarray, int, int]:
    """(ids that carry text, the BOS id or -1, vocabulary size) of a sentencepiece model."""
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=str(tokenizer_path))
    n = int(sp.vocab_size())
    ids = [i for i in range(n) if not (sp.is_control(i) or sp.is_unknown(i) or sp.is_unused(i))]
    return np.asarray(ids, dtype=np.int64), int(sp.bos_id()), n


def unique_stream(n: int, ids: np.ndarray, bos: int, rng: np.random.Generator,
                  prefix: np.ndarray | None = None, doc_len: int = 256) -> np.ndarray:
    """``n`` tokens (documents starting with BOS) whose 8-token windows are all distinct.

    With ``prefix`` the stream starts with it and only the rest is drawn (and redrawn)."""
    keep = 0 if prefix is None else len(prefix)
    s = rng.choice(ids, size=n).astype(np.int64)
    if bos >= 0:
        s[::doc_len] = bos
    if prefix is not None:
        s[:keep] = prefix
    for _ in range(100):
        bad = repeated_windows(s)
        bad = bad[bad >= keep - 7] + 7
        bad = bad[(bad >= keep) & (bad < n)]
        if bad.size == 0:
            return s
        s[bad] = rng.choice(ids, size=bad.size)
    raise RuntimeError("could not draw a stream with unique 8-token windows")


def make_probe(work: Path, folder: Path | None = None, *, val_tokens: int = VAL_TOKENS,
               train_tokens: int = TRAIN_TOKENS, seed: int = 0, base: "Probe | None" = None,
               flip: int | None = None, cache: Path | None = None, env: dict | None = None) -> Probe:
    """Write probe data under ``work``. With ``base`` and ``flip``, reuse base's tokenizer and train
    shards and write a validation stream equal to base's before ``flip`` and redrawn after it."""
    from reference_model.data import write_shard

    work.mkdir(parents=True, exist_ok=True)
    if base is None:
        data_path, tok, generated = _train_data(work, folder, train_tokens, seed, cache)
    else:
        data_path = work / base.data_path.name
        shutil.copytree(base.data_path, data_path, dirs_exist_ok=True)
        tok, generated = base.tokenizer_path, base.generated_tokenizer
    ids, bos, vocab = ordinary_ids(tok)
    rng = np.random.default_rng(seed + (0 if base is None else 7919))
    prefix = None if base is None else base.stream[:flip]
    stream = unique_stream(val_tokens if base is None else len(base.stream), ids, bos, rng, prefix)
    for old in data_path.glob("fineweb_val_*.bin"):
        old.unlink()
    write_shard(data_path / "fineweb_val_000000.bin", stream.astype(np.uint16))
    np.save(work / "probe_stream.npy", stream)
    return Probe(work, data_path, tok, vocab, stream, work / "probe_stream.npy", flip, generated, dict(env or {}))


def _train_data(work: Path, folder: Path | None, train_tokens: int, seed: int,
                cache: Path | None) -> tuple[Path, Path, bool]:
    """Tokenizer and train shards, from ``cache`` when it already holds them."""
    from reference_model.datamaker import make_dataset

    own = find_tokenizer(folder) if folder is not None else None
    key = "generated" if own is None else own.stem
    src = (cache / key) if cache is not None else None
    if src is not None and (src / "done").exists():
        shutil.copytree(src, work / "data", dirs_exist_ok=True)
    else:
        out = src or (work / "data")
        ds = make_dataset(out, train_tokens=train_tokens, val_tokens=64, train_shards=1, seed=seed,
                          tokenizer_path=own)
        if own is not None:
            (out / "tokenizers").mkdir(parents=True, exist_ok=True)
            shutil.copy2(own, out / "tokenizers" / own.name)
        (out / "done").write_text(f"{ds.vocab_size}\n")
        if src is not None:
            shutil.copytree(src, work / "data", dirs_exist_ok=True)
    data = work / "data"
    data_path = next(p for p in (data / "datasets").iterdir() if p.is_dir())
    tok = next((data / "tokenizers").glob("*.model"))
    return data_path, tok, own is None

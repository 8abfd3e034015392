"""Offline data maker: a small sentencepiece BPE tokenizer and shards in the challenge's layout.

Nothing is downloaded. The text is generated deterministically from a seed: English-like documents
with a Zipf-distributed vocabulary, punctuation, digits, capitals and some non-ASCII characters (so
byte-fallback tokens occur). The tokenizer is trained with the challenge's settings (BPE, byte
fallback, split digits, nmt_nfkc, no dummy prefix, pad/bos/eos/unk = 0/1/2/3) and every document is
encoded with a leading BOS, validation documents first, as the challenge's export does.

Layout written under ``out_dir``::

    tokenizers/fineweb_{V}_bpe.model
    datasets/fineweb10B_sp{V}/fineweb_val_000000.bin
    datasets/fineweb10B_sp{V}/fineweb_train_00000{i}.bin
"""

from __future__ import annotations

import argparse
import itertools
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

from reference_model.data import write_shard

_COMMON = (
    "the of and to in a is that for it as was with be by on not he this are or his from at which "
    "but have an they you were her she there been one all we their has would when if more will no "
    "can out so what up said about other into than its time only could new them these may some "
    "first two any like then now made over did such people also most after between many must where "
    "through before model data token byte train test value small large over under each every where "
    "river city music water light garden window morning paper market story number system language"
).split()
_ONSETS = ["b", "c", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "st", "tr",
           "pl", "gr", "ch", "sh", "th", "br", "cl"]
_VOWELS = ["a", "e", "i", "o", "u", "ai", "ea", "ou", "io"]
_CODAS = ["", "", "n", "r", "s", "t", "l", "nd", "st", "ng", "ck"]
_EXTRA = ["café", "naïve", "über", "façade", "Zürich", "São", "—", "“", "”", "…", "€", "東京", "😀", "π"]


@dataclass(frozen=True)
class Dataset:
    root: Path
    data_path: Path
    tokenizer_path: Path
    vocab_size: int
    train_tokens: int
    val_tokens: int


def _lexicon(rng: np.random.Generator, size: int) -> list[str]:
    words = list(dict.fromkeys(_COMMON))
    while len(words) < size:
        n = int(rng.integers(1, 4))
        w = "".join(rng.choice(_ONSETS) + rng.choice(_VOWELS) for _ in range(n)) + rng.choice(_CODAS)
        if w not in words:
            words.append(w)
    return words


def iter_documents(seed: int = 0, n_docs: int | None = None) -> Iterator[str]:
    """Deterministic English-like documents (endless unless ``n_docs`` is given)."""
    rng = np.random.default_rng(seed)
    words = _lexicon(rng, 3000)
    ranks = np.arange(1, len(words) + 1, dtype=np.float64)
    p = 1.0 / ranks**1.1
    p /= p.sum()
    made = 0
    while n_docs is None or made < n_docs:
        sentences = []
        for _ in range(int(rng.integers(2, 12))):
            idx = rng.choice(len(words), size=int(rng.integers(4, 18)), p=p)
            toks = [words[i] for i in idx]
            if rng.random() < 0.25:
                toks.insert(int(rng.integers(0, len(toks))), str(int(rng.integers(0, 100_000))))
            if rng.random() < 0.08:
                toks.insert(int(rng.integers(0, len(toks))), str(rng.choice(_EXTRA)))
            s = " ".join(toks)
            s = s[0].upper() + s[1:]
            if rng.random() < 0.2:
                cut = int(rng.integers(1, len(toks)))
                s = " ".join(s.split(" ")[:cut]) + ", " + " ".join(s.split(" ")[cut:])
            sentences.append(s + str(rng.choice([".", ".", ".", "?", "!"])))
        yield " ".join(sentences)
        made += 1


def generated_text(n_chars: int, seed: int = 0) -> str:
    """At least ``n_chars`` characters of generated documents, one per line."""
    out, total = [], 0
    for doc in iter_documents(seed):
        out.append(doc)
        total += len(doc) + 1
        if total >= n_chars:
            break
    return "\n".join(out)


def train_tokenizer(docs: list[str], model_prefix: str | Path, vocab_size: int = 1024) -> Path:
    """Train a sentencepiece BPE with the challenge's settings; returns the ``.model`` path."""
    import sentencepiece as spm

    model_prefix = Path(model_prefix)
    model_prefix.parent.mkdir(parents=True, exist_ok=True)
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(docs), model_prefix=str(model_prefix), model_type="bpe",
        vocab_size=vocab_size, character_coverage=0.999, byte_fallback=True, split_digits=True,
        normalization_rule_name="nmt_nfkc", add_dummy_prefix=False, pad_id=0, bos_id=1, eos_id=2,
        unk_id=3, hard_vocab_limit=False, num_threads=1, minloglevel=2,
    )
    return model_prefix.with_suffix(".model")


def make_dataset(out_dir: str | Path, *, vocab_size: int = 1024, train_tokens: int = 200_000,
                 val_tokens: int = 50_000, train_shards: int = 2, seed: int = 0,
                 text: str | None = None, tokenizer_path: str | Path | None = None) -> Dataset:
    """Write a tokenizer (unless ``tokenizer_path`` is given) and train/val shards under ``out_dir``.

    ``text`` (documents separated by blank lines or newlines) replaces the generated text; it is
    reused cyclically when it holds fewer tokens than asked for.
    """
    import sentencepiece as spm

    if train_tokens <= 0 or val_tokens <= 0 or train_shards <= 0:
        raise ValueError("train_tokens, val_tokens and train_shards must be positive")
    root = Path(out_dir)
    data_path = root / "datasets" / f"fineweb10B_sp{vocab_size}"
    data_path.mkdir(parents=True, exist_ok=True)
    if text is not None:
        source = [d.strip() for d in text.splitlines() if d.strip()]
        if not source:
            raise ValueError("text holds no documents")
        docs_iter = itertools.cycle(source)
    else:
        docs_iter = iter_documents(seed)
    tok_docs = [next(docs_iter) for _ in range(400)]
    if tokenizer_path is None:
        tokenizer_path = train_tokenizer(tok_docs, root / "tokenizers" / f"fineweb_{vocab_size}_bpe",
                                         vocab_size)
    sp = spm.SentencePieceProcessor(model_file=str(tokenizer_path))
    bos = sp.bos_id()

    def take(n_tokens: int, first: list[str]) -> np.ndarray:
        chunks, have = [], 0
        pending = iter(first)
        while have < n_tokens:
            doc = next(pending, None)
            if doc is None:
                doc = next(docs_iter)
            ids = [bos, *sp.encode(doc)]
            chunks.append(np.asarray(ids, dtype=np.uint16))
            have += len(ids)
        return np.concatenate(chunks)[:n_tokens]

    # validation documents are fresh ones; training starts with the tokenizer's documents
    val = take(val_tokens, [])
    train = take(train_tokens, tok_docs)
    write_shard(data_path / "fineweb_val_000000.bin", val)
    for i, part in enumerate(np.array_split(train, train_shards)):
        write_shard(data_path / f"fineweb_train_{i:06d}.bin", part)
    return Dataset(root, data_path, Path(tokenizer_path), int(sp.vocab_size()), int(train.size),
                   int(val.size))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m reference_model.datamaker",
                                 description="Write a generated tokenizer and shards (offline).")
    ap.add_argument("out_dir")
    ap.add_argument("--vocab-size", type=int, default=1024)
    ap.add_argument("--train-tokens", type=int, default=200_000)
    ap.add_argument("--val-tokens", type=int, default=50_000)
    ap.add_argument("--train-shards", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--text", help="a UTF-8 text file, one document per line, instead of generated text")
    args = ap.parse_args(argv)
    text = None
    if args.text:
        try:
            text = Path(args.text).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            print(f"error: cannot read {args.text}: {exc}", file=sys.stderr)
            return 2
    try:
        ds = make_dataset(args.out_dir, vocab_size=args.vocab_size, train_tokens=args.train_tokens,
                          val_tokens=args.val_tokens, train_shards=args.train_shards, seed=args.seed,
                          text=text)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"DATA_PATH={ds.data_path}")
    print(f"TOKENIZER_PATH={ds.tokenizer_path}")
    print(f"VOCAB_SIZE={ds.vocab_size} train_tokens={ds.train_tokens} val_tokens={ds.val_tokens}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

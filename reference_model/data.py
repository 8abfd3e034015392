"""Token shards in the challenge's binary format.

A shard is a header of 256 little-endian int32 (``magic``, ``version``, ``num_tokens``, then zeros)
followed by ``num_tokens`` little-endian uint16 token ids. Shards of a split are named
``fineweb_{split}_{index:06d}.bin`` and read in name order.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAGIC = 20240520
VERSION = 1
HEADER_INTS = 256
HEADER_BYTES = HEADER_INTS * 4
TOKEN_DTYPE = np.dtype("<u2")
MAX_TOKEN = np.iinfo(np.uint16).max


class ShardError(ValueError):
    """A file that is not a valid shard; the message names the file and what is wrong."""


@dataclass(frozen=True)
class ShardHeader:
    magic: int
    version: int
    num_tokens: int


def write_shard(path: str | os.PathLike, tokens) -> Path:
    """Write ``tokens`` (ids in [0, 65535]) as a shard; returns the path."""
    arr = np.asarray(tokens)
    if arr.ndim != 1:
        raise ValueError(f"tokens must be 1-D, got shape {arr.shape}")
    if arr.size and (arr.min() < 0 or arr.max() > MAX_TOKEN):
        raise ValueError(f"token ids must lie in [0, {MAX_TOKEN}]")
    header = np.zeros(HEADER_INTS, dtype="<i4")
    header[:3] = (MAGIC, VERSION, arr.size)
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as fh:
        fh.write(header.tobytes())
        fh.write(arr.astype(TOKEN_DTYPE, copy=False).tobytes())
    os.replace(tmp, path)
    return path


def read_header(path: str | os.PathLike) -> ShardHeader:
    """Read and check a shard's header and size, without reading its tokens."""
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            raw = fh.read(HEADER_BYTES)
            size = os.fstat(fh.fileno()).st_size
    except OSError as exc:
        raise ShardError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if len(raw) < HEADER_BYTES:
        raise ShardError(f"{path}: {len(raw)} bytes, shorter than the {HEADER_BYTES}-byte header")
    magic, version, num_tokens = (int(v) for v in np.frombuffer(raw, dtype="<i4", count=3))
    if magic != MAGIC:
        raise ShardError(f"{path}: magic {magic}, expected {MAGIC}: not a shard")
    if version != VERSION:
        raise ShardError(f"{path}: version {version}, expected {VERSION}")
    if num_tokens < 0:
        raise ShardError(f"{path}: negative token count {num_tokens}")
    expected = HEADER_BYTES + num_tokens * TOKEN_DTYPE.itemsize
    if size != expected:
        have = (size - HEADER_BYTES) / TOKEN_DTYPE.itemsize
        raise ShardError(f"{path}: header says {num_tokens:,} tokens ({expected:,} bytes) but the file "
                         f"has {size:,} bytes ({have:,.1f} tokens)")
    return ShardHeader(magic, version, num_tokens)


def read_shard(path: str | os.PathLike) -> np.ndarray:
    """All tokens of one shard as uint16, after checking the header against the file size."""
    header = read_header(path)
    with open(path, "rb") as fh:
        fh.seek(HEADER_BYTES)
        tokens = np.fromfile(fh, dtype=TOKEN_DTYPE, count=header.num_tokens)
    if tokens.size != header.num_tokens:  # the file shrank under us
        raise ShardError(f"{path}: read {tokens.size:,} of {header.num_tokens:,} tokens")
    return tokens.astype(np.uint16, copy=False)


def shard_paths(data_path: str | os.PathLike, split: str) -> list[Path]:
    """The shards of ``split`` ("train" or "val") under ``data_path``, in name order."""
    return sorted(Path(data_path).glob(f"fineweb_{split}_*.bin"))


def load_tokens(data_path: str | os.PathLike, split: str) -> np.ndarray:
    """Every token of a split, shards concatenated in name order."""
    paths = shard_paths(data_path, split)
    if not paths:
        raise ShardError(f"{data_path}: no fineweb_{split}_*.bin shards")
    parts = [read_shard(p) for p in paths]
    return parts[0] if len(parts) == 1 else np.concatenate(parts)

import numpy as np
import pytest

from reference_model.data import (HEADER_BYTES, MAGIC, ShardError, load_tokens, read_header,
                                  read_shard, shard_paths, write_shard)


def test_round_trip(tmp_path):
    toks = np.array([0, 1, 65535, 42, 7], dtype=np.uint16)
    p = write_shard(tmp_path / "fineweb_val_000000.bin", toks)
    assert p.stat().st_size == HEADER_BYTES + 2 * toks.size
    h = read_header(p)
    assert (h.magic, h.version, h.num_tokens) == (MAGIC, 1, 5)
    np.testing.assert_array_equal(read_shard(p), toks)


def test_split_order_and_concat(tmp_path):
    write_shard(tmp_path / "fineweb_train_000001.bin", [3, 4])
    write_shard(tmp_path / "fineweb_train_000000.bin", [1, 2])
    write_shard(tmp_path / "fineweb_val_000000.bin", [9])
    assert [p.name for p in shard_paths(tmp_path, "train")] == ["fineweb_train_000000.bin",
                                                                "fineweb_train_000001.bin"]
    np.testing.assert_array_equal(load_tokens(tmp_path, "train"), [1, 2, 3, 4])
    with pytest.raises(ShardError, match="no fineweb_test"):
        load_tokens(tmp_path, "test")


@pytest.mark.parametrize("mutate, message", [
    (lambda b: b[:100], "shorter than the 1024-byte header"),
    (lambda b: (123).to_bytes(4, "little") + b[4:], "magic 123"),
    (lambda b: b[:4] + (2).to_bytes(4, "little") + b[8:], "version 2"),
    (lambda b: b[:-2], "header says 3 tokens"),
    (lambda b: b + b"\0\0", "header says 3 tokens"),
    (lambda b: b[:8] + (-1).to_bytes(4, "little", signed=True) + b[12:], "negative token count"),
])
def test_bad_shards_are_named_errors(tmp_path, mutate, message):
    p = write_shard(tmp_path / "s.bin", [1, 2, 3])
    p.write_bytes(mutate(p.read_bytes()))
    with pytest.raises(ShardError, match=message) as exc:
        read_shard(p)
    assert str(p) in str(exc.value)


def test_write_rejects_out_of_range(tmp_path):
    with pytest.raises(ValueError):
        write_shard(tmp_path / "s.bin", [70000])
    with pytest.raises(ValueError):
        write_shard(tmp_path / "s.bin", [[1, 2]])

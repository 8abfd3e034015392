import numpy as np
import pytest

from reference_model.data import load_tokens, read_header, shard_paths
from reference_model.datamaker import main, make_dataset


def test_layout_counts_and_bos_per_document(tiny_dataset):
    assert tiny_dataset.tokenizer_path.name == "fineweb_1024_bpe.model"
    assert tiny_dataset.data_path.name == "fineweb10B_sp1024"
    assert [p.name for p in shard_paths(tiny_dataset.data_path, "train")] == ["fineweb_train_000000.bin",
                                                                             "fineweb_train_000001.bin"]
    assert sum(read_header(p).num_tokens for p in shard_paths(tiny_dataset.data_path, "train")) == 60_000
    val = load_tokens(tiny_dataset.data_path, "val")
    assert val.size == 16_384 and val[0] == 1 and (val == 1).sum() > 10  # BOS (id 1) opens every document


def test_same_seed_same_data_and_given_text(tmp_path, tiny_dataset):
    again = make_dataset(tmp_path / "again", train_tokens=60_000, val_tokens=16_384, train_shards=2, seed=0,
                         tokenizer_path=tiny_dataset.tokenizer_path)
    np.testing.assert_array_equal(load_tokens(again.data_path, "val"), load_tokens(tiny_dataset.data_path, "val"))
    own = make_dataset(tmp_path / "own", train_tokens=500, val_tokens=300, train_shards=1,
                       text="the cat sat\nthe dog ran\n", tokenizer_path=tiny_dataset.tokenizer_path)
    assert (own.train_tokens, own.val_tokens) == (500, 300)
    with pytest.raises(ValueError, match="no documents"):
        make_dataset(tmp_path / "empty", text="\n\n", tokenizer_path=tiny_dataset.tokenizer_path)


def test_cli_reports_bad_text_file(tmp_path, capsys):
    assert main([str(tmp_path / "out"), "--text", str(tmp_path / "missing.txt")]) == 2
    assert "cannot read" in capsys.readouterr().err

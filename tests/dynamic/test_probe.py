"""Probe data: unique 8-token windows, the flipped stream, the folder's own tokenizer."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

pytest.importorskip("sentencepiece")

from auditor.dynamic.instrument.locate import StreamIndex, repeated_windows  # noqa: E402
from auditor.dynamic.probe import make_probe  # noqa: E402
from reference_model.data import load_tokens  # noqa: E402


@pytest.fixture(scope="module")
def probes(tmp_path_factory):
    root = tmp_path_factory.mktemp("probe")
    a = make_probe(root / "a", None, val_tokens=3001, cache=root / "cache")
    b = make_probe(root / "b", None, base=a, flip=1500)
    return a, b


def test_stream_is_written_as_the_val_split_with_unique_windows(probes):
    a, _ = probes
    assert load_tokens(a.data_path, "val").tolist() == a.stream.tolist()
    assert repeated_windows(a.stream).size == 0 and a.stream.size == 3001
    assert a.env()["VOCAB_SIZE"] == str(a.vocab_size) and a.env()["GOLF_PROBE_STREAM"].endswith(".npy")


def test_flipped_stream_agrees_before_the_flip_only(probes):
    a, b = probes
    assert b.stream[:1500].tolist() == a.stream[:1500].tolist()
    assert (b.stream[1500:] != a.stream[1500:]).mean() > 0.9
    assert repeated_windows(b.stream).size == 0
    assert b.tokenizer_path == a.tokenizer_path


def test_any_slice_is_located_by_content(probes):
    a, _ = probes
    ix = StreamIndex(a.stream)
    rows = np.stack([a.stream[10:74], a.stream[2000:2064]])
    assert ix.locate(rows).tolist() == [list(range(10, 74)), list(range(2000, 2064))]
    assert (ix.locate(np.zeros((2, 16), np.int64)) == -1).all()


def test_the_folders_tokenizer_is_used(probes, tmp_path):
    a, _ = probes
    folder = tmp_path / "sub"
    folder.mkdir()
    shutil.copy2(a.tokenizer_path, folder / "my_tok.model")
    p = make_probe(tmp_path / "w", folder, val_tokens=1025)
    assert not p.generated_tokenizer and p.tokenizer_path.name == "my_tok.model"

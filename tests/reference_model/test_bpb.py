import math

import numpy as np
import pytest

from reference_model.bpb import ByteTable, bpb_from_nll, stream_bpb


class FakeSP:
    """A hand-made vocabulary: 0 <pad>, 1 <s> (control), 2 <0x41> (byte), 3 '▁the', 4 'é', 5 '▁', 6 <unk>."""

    pieces = ["<pad>", "<s>", "<0x41>", "\u2581the", "\u00e9", "\u2581", "<unk>"]

    def vocab_size(self):
        return len(self.pieces)

    def is_control(self, i):
        return i in (0, 1)

    def is_unknown(self, i):
        return i == 6

    def is_unused(self, i):
        return False

    def is_byte(self, i):
        return i == 2

    def id_to_piece(self, i):
        return self.pieces[i]


def test_table_by_hand():
    t = ByteTable.from_tokenizer(FakeSP(), vocab_size=9)
    assert t.base_bytes.tolist() == [0, 0, 1, 3, 2, 0, 0, 0, 0]
    assert t.has_leading_space.tolist() == [False, False, False, True, False, True, False, False, False]
    assert t.is_boundary.tolist() == [True, True, False, False, False, False, True, True, True]


def test_leading_space_counts_unless_after_boundary():
    t = ByteTable.from_tokenizer(FakeSP())
    # "▁the" after BOS: 3 bytes; after a normal token: 4; "é" 2; byte token 1; "▁" alone 0 or 1
    assert t.token_bytes([1, 4, 3, 3, 1, 4], [3, 3, 4, 2, 5, 5]).tolist() == [3, 4, 2, 1, 0, 1]


def test_bpb_by_hand():
    t = ByteTable.from_tokenizer(FakeSP())
    stream = np.array([1, 3, 3, 4])  # <s> ▁the ▁the é  -> targets at 1..3: 3 + 4 + 2 = 9 bytes
    nll = np.array([math.log(2), 2 * math.log(2), 0.0])
    r = stream_bpb(nll, stream, [1, 2, 3], t)
    assert (r.tokens, r.bytes) == (3, 9)
    assert r.bits == pytest.approx(3.0)
    assert r.val_bpb == pytest.approx(3.0 / 9)
    assert r.val_loss == pytest.approx(math.log(2))


def test_shape_and_range_errors():
    t = ByteTable.from_tokenizer(FakeSP())
    with pytest.raises(ValueError):
        bpb_from_nll([1.0, 2.0], [1], [3], t)
    with pytest.raises(ValueError):
        t.token_bytes([1], [99])
    with pytest.raises(ValueError):
        stream_bpb([1.0], [1, 3], [0], t)


def test_real_tokenizer_matches_decoded_bytes(tiny_dataset):
    """Over a whole validation stream, the byte total equals the UTF-8 length of the decoded docs."""
    import sentencepiece as spm

    from reference_model.data import load_tokens

    sp = spm.SentencePieceProcessor(model_file=str(tiny_dataset.tokenizer_path))
    t = ByteTable.from_tokenizer(sp)
    val = load_tokens(tiny_dataset.data_path, "val").astype(np.int64)
    starts = np.flatnonzero(val == sp.bos_id())
    ends = np.append(starts[1:], len(val))
    total = sum(len(sp.decode(val[s + 1:e].tolist()).encode("utf-8")) for s, e in zip(starts, ends))
    counted = int(t.token_bytes(val[:-1], val[1:]).sum())
    # the last document may be cut mid-piece, and byte-fallback runs cut at the end decode to U+FFFD
    assert abs(counted - total) <= 8
    assert counted > 10_000

"""The ledger's conditions on hand-written event files (no child process)."""

from __future__ import annotations

import numpy as np
import pytest

from auditor.dynamic.events import EventWriter
from auditor.dynamic.ledger import Ledger, LedgerError, check_c3, check_c4

LINE = "final_int8_zlib_roundtrip_exact val_loss:2.00000000 val_bpb:1.00000000"


def two_ranks(tmp_path, collective: bool) -> Ledger:
    """Rank 1 trains on positions 1..8 (its own); rank 0 then scores them."""
    w0 = EventWriter(tmp_path / "e.rank0", rank=0, world_size=2, stream_len=32)
    w1 = EventWriter(tmp_path / "e.rank1", rank=1, world_size=2, stream_len=32)
    w0.mark("log", text="step:0/1 val_loss:9.0 val_bpb:9.0")
    w1.adapt(np.arange(1, 9), version=1, how="optimizer_step", collective=False)
    if collective:
        w0.adapt([], version=1, how="all_reduce", collective=1)
    w0.score(np.arange(1, 9), np.full(8, 2.0), version=1)
    w0.mark("log", text=LINE)
    w0.close(), w1.close()
    return Ledger.load([tmp_path / "e.rank0", tmp_path / "e.rank1"])


@pytest.mark.parametrize("collective", [False, True])
def test_other_ranks_adapts_count_only_after_a_collective(tmp_path, collective):
    ledger = two_ranks(tmp_path, collective)
    v = check_c3(ledger, ledger.reported_pass(LINE))
    assert (v is not None) == collective
    if collective:
        assert v.position == 1 and "optimizer_step" in v.message


def test_scores_of_a_backpropagated_loss_are_not_in_the_pass(tmp_path):
    with EventWriter(tmp_path / "e.rank0", stream_len=32) as w:
        train = w.score(np.arange(1, 9), np.ones(8), version=0, counted=np.ones(8, bool))
        w.count([], score=train, use="backward")
        w.score(np.arange(1, 9), np.full(8, 2.0), version=0, counted=np.zeros(8, bool))
        w.count([0, 1, 2, 3], score=train + 2, use="counted")
        w.mark("log", text=LINE)
    ledger = Ledger.load([tmp_path / "e.rank0"])
    rp = ledger.reported_pass()
    pos, nll = rp.counted()
    assert pos.tolist() == [1, 2, 3, 4] and nll.tolist() == [2.0] * 4


def test_no_reported_line_is_a_ledger_error(tmp_path):
    with EventWriter(tmp_path / "e.rank0", stream_len=32) as w:
        w.score(np.arange(1, 9), np.ones(8), version=0)
    with pytest.raises(LedgerError, match="printed no"):
        Ledger.load([tmp_path / "e.rank0"]).reported_pass()


def test_a_gap_in_the_counted_positions_is_c4(tmp_path):
    from reference_model.bpb import ByteTable

    with EventWriter(tmp_path / "e.rank0", stream_len=32) as w:
        w.score(np.r_[1:5, 6:9], np.ones(7), version=0)
        w.mark("log", text=LINE)
    ledger = Ledger.load([tmp_path / "e.rank0"])
    table = ByteTable(np.ones(8, np.int16), np.zeros(8, bool), np.zeros(8, bool))
    v = check_c4(ledger, ledger.reported_pass(), table, np.arange(32) % 8)
    assert v.position == 5 and "no counted score" in v.message

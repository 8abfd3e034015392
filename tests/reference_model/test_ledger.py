"""The shipped ledger writer writes what the auditor's reader reads."""

import numpy as np

from auditor.dynamic.events import from_ranges, read_events, to_ranges
from reference_model.ledger import LedgerWriter, position_ranges


def test_every_kind_round_trips_through_the_auditor_reader(tmp_path):
    w = LedgerWriter(tmp_path / "l.rank1", rank=1, world_size=2, stream_len=100, mode="ttt", seq_len=np.int64(8))
    w.read([3, 4, 5, 9], grad=False, site="x.py:1")
    w.score([4, 5, 6], [0.5, 1.5, 2.5], version=2, counted=[True, False, True], site="x.py:2")
    w.adapt(np.arange(0, 10), version=3, site="x.py:3")
    w.mark("reported", val_bpb=1.25, tokens=3)
    w.close()
    ev = list(read_events(tmp_path / "l.rank1"))
    assert [e.kind for e in ev] == ["meta", "read", "score", "adapt", "mark"]
    assert [e.seq for e in ev] == list(range(5)) and {e.rank for e in ev} == {1}
    assert ev[0].attrs == {"stream_len": 100, "world_size": 2, "source": "reference_model", "mode": "ttt",
                           "seq_len": 8}
    assert ev[1].positions.tolist() == [3, 4, 5, 9] and ev[1].attrs["grad"] is False and ev[1].site == "x.py:1"
    s = ev[2]
    assert s.positions.tolist() == [4, 5, 6] and s.nll.tolist() == [0.5, 1.5, 2.5]
    assert s.counted.tolist() == [True, False, True] and s.attrs == {"version": 2, "normalized": True}
    assert ev[3].positions.tolist() == list(range(10)) and ev[3].attrs["version"] == 3
    assert ev[4].attrs == {"name": "reported", "val_bpb": 1.25, "tokens": 3}
    assert ev[0].t_ns <= ev[4].t_ns


def test_ranges_agree_with_the_auditor():
    rng = np.random.default_rng(0)
    for _ in range(50):
        pos = np.cumsum(rng.integers(-3, 4, rng.integers(0, 40))) + 100
        assert np.array_equal(position_ranges(pos), to_ranges(pos))
        assert np.array_equal(from_ranges(position_ranges(pos)), pos)

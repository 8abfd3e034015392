import numpy as np
import pytest

from auditor.dynamic.events import (EventWriter, LedgerFormatError, from_ranges, read_events,
                                    to_ranges)


def test_ranges_round_trip_keeps_order():
    pos = np.array([5, 6, 7, 9, 3, 4, 100])
    assert to_ranges(pos).tolist() == [5, 8, 9, 10, 3, 5, 100, 101]
    assert from_ranges(to_ranges(pos)).tolist() == pos.tolist()
    assert to_ranges(np.array([], dtype=np.int64)).size == 0


def test_write_and_read_every_kind(tmp_path):
    path = tmp_path / "ev.bin"
    with EventWriter(path, rank=1, world_size=2, stream_len=50, source="test") as w:
        w.read(np.arange(0, 8), grad=False)
        w.score(np.arange(1, 9), np.linspace(1, 2, 8), version=0,
                counted=np.arange(8) >= 4)
        w.adapt(np.arange(0, 9), version=1, how="optimizer_step")
        w.mark("reported", val_bpb=1.25)
    events = list(read_events(path))
    assert [e.kind for e in events] == ["meta", "read", "score", "adapt", "mark"]
    assert events[0].attrs["stream_len"] == 50 and events[0].rank == 1
    score = events[2]
    assert score.positions.tolist() == list(range(1, 9))
    assert score.counted.tolist() == [False] * 4 + [True] * 4
    assert score.attrs == {"version": 0, "normalized": True}
    assert score.site.endswith("test_events.py:" + str(score.site.rsplit(":", 1)[1]))
    assert "test_events.py" in score.site
    assert events[3].attrs["how"] == "optimizer_step"
    assert events[4].attrs == {"name": "reported", "val_bpb": 1.25}


def test_truncated_tail_is_tolerated(tmp_path):
    path = tmp_path / "ev.bin"
    with EventWriter(path) as w:
        w.read(np.arange(4), grad=True)
        w.score(np.arange(4), np.ones(4), version=0)
    data = path.read_bytes()
    path.write_bytes(data[:-3])
    assert [e.kind for e in read_events(path)] == ["meta", "read"]


def test_foreign_file_is_rejected(tmp_path):
    path = tmp_path / "x.bin"
    path.write_bytes(b"hello world")
    with pytest.raises(LedgerFormatError, match="not a golf-audit event file"):
        list(read_events(path))


def test_mismatched_value_count_is_refused(tmp_path):
    with EventWriter(tmp_path / "e.bin") as w, pytest.raises(ValueError, match="nll"):
        w.score(np.arange(4), np.ones(3), version=0)

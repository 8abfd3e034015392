import datetime as dt
import json

import pytest

from auditor.leaderboard import BaselineError, frontier, load_rows, parse_values


def test_values_parse():
    b = parse_values("1.0810, 1.0815,1.0820")
    assert b.bpb == (1.081, 1.0815, 1.082) and b.nats is None
    assert b.mean_bpb == pytest.approx(1.0815)


@pytest.mark.parametrize("bad", ["", "abc", "1.0,,2", "1.0;2.0", "99"])
def test_bad_values_are_refused(bad):
    with pytest.raises(BaselineError):
        parse_values(bad)


def write(tmp_path, data):
    p = tmp_path / "lb.json"
    p.write_text(json.dumps(data))
    return p


ROWS = {"track": "10min_16mb", "rows": [
    {"pr": 100, "folder": "a", "date": "2026-03-20", "val_bpb": 1.20},
    {"pr": 200, "folder": "b", "date": "2026-03-25", "val_bpb": 1.15,
     "seeds": [{"seed": 1, "val_bpb": 1.149, "val_loss": 1.94}, {"seed": 2, "val_bpb": 1.151, "val_loss": 1.95}]},
    {"pr": 250, "folder": "removed", "date": "2026-03-26", "val_bpb": 1.00, "status": "removed"},
    {"pr": 300, "folder": "c", "date": "2026-04-01", "val_bpb": 1.10},
]}


def test_frontier_is_best_accepted_row_with_a_smaller_pr(tmp_path):
    _, rows = load_rows(write(tmp_path, ROWS))
    assert frontier(rows, pr=299, date=None, exclude=None).folder == "b"
    assert frontier(rows, pr=301, date=None, exclude=None).folder == "c"
    assert frontier(rows, pr=100, date=None, exclude=None) is None
    b = frontier(rows, pr=299, date=None, exclude=None).baseline("lb")
    assert b.bpb == (1.149, 1.151) and b.nats == (1.94, 1.95)


def test_frontier_by_date_when_no_pr(tmp_path):
    _, rows = load_rows(write(tmp_path, ROWS))
    assert frontier(rows, pr=None, date=dt.date(2026, 3, 30), exclude=None).folder == "b"
    assert frontier(rows, pr=None, date=dt.date(2026, 4, 2), exclude="c").folder == "b"


def test_invalid_leaderboard_file(tmp_path):
    with pytest.raises(BaselineError, match=r"\$.rows\[0\]: 'val_bpb' is a required property"):
        load_rows(write(tmp_path, {"track": "t", "rows": [{"folder": "x"}]}))
    with pytest.raises(BaselineError, match="not a JSON object"):
        load_rows(write(tmp_path, [1, 2]))
    (tmp_path / "bad.json").write_bytes(b"\xff\xfe")
    with pytest.raises(BaselineError, match="cannot read"):
        load_rows(tmp_path / "bad.json")

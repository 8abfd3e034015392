from __future__ import annotations

import io

from auditor.rerun.progress import PlainReporter, SeedProgress, fmt_duration, make_reporter, Reporter

LINES = ["val_loader:shards tokens:16383", "warmup_step:1/20", "warmup_step:20/20",
         "step:1/2000 train_loss:6.9 train_time:400ms step_avg:400.00ms",
         "step:200/2000 val_loss:3.1 val_bpb:1.9 train_time:60000ms step_avg:300.00ms",
         "Serialized model int8+zlib: 15815847 bytes", "final_int8_zlib_roundtrip val_loss:2.07 val_bpb:1.2244"]


def test_phases_steps_and_eta():
    p = SeedProgress(42)
    phases = []
    for line in LINES:
        p.feed(line)
        phases.append(p.phase)
        if line.startswith("step:200"):
            assert (p.step, p.total, p.train_ms) == (200, 2000, 60000.0)
            assert p.eta_s() == 1800 * 300 / 1000  # 1,800 steps left at 300 ms
            assert p.describe() == "train step 200/2000 eta 9m00s"
    assert phases == ["setup", "warmup", "warmup", "train", "train", "serialize", "eval"]


def test_eta_stops_at_the_wallclock_cap():
    p = SeedProgress(1, max_wallclock_s=120)
    p.feed("step:200/2000 train_loss:3 train_time:60000ms step_avg:300.00ms")
    assert p.eta_s() == 60.0


def test_plain_reporter_prints_phase_changes_and_throttles():
    now = [0.0]
    out = io.StringIO()
    rep = PlainReporter(out, every_s=10, clock=lambda: now[0])
    rep.start([42])
    rep.begin_seed(42)
    for i, line in enumerate(LINES):
        now[0] = i * 1.0
        rep.line(42, "stdout", line)
    rep.line(42, "stderr", "warning: ignored for progress")
    rep.end_seed(42, True, "finished in 9.0 s")
    text = out.getvalue().splitlines()
    assert text[0] == "[seed 42] started (0s)"
    assert text[1:] == ["[seed 42] warmup step 1/20 (1s)", "[seed 42] train step 1/2000 eta 13m20s (3s)",
                        "[seed 42] serialize (5s)", "[seed 42] eval (6s)", "[seed 42] finished in 9.0 s (6s)"]


def test_reporter_choice_and_durations():
    assert type(make_reporter(quiet=True)) is Reporter
    assert isinstance(make_reporter(tty=False), PlainReporter)
    assert [fmt_duration(s) for s in (5, 65, 3700)] == ["5s", "1m05s", "1h01m"]


def test_rich_reporter_draws_a_row_per_seed():
    from rich.console import Console

    from auditor.rerun.progress import RichReporter

    buf = io.StringIO()
    rep = RichReporter(Console(file=buf, width=120, force_terminal=False, color_system=None))
    rep.start([1, 2], max_wallclock_s=600)
    rep.begin_seed(1)
    for line in LINES[:5]:
        rep.line(1, "stdout", line)
    rep.end_seed(1, False, "exited with code 1 after 3.0 s")
    table = rep._table()
    rep.close()
    rows = [[c._cells[i] for c in table.columns] for i in range(table.row_count)]
    assert rows[0][:3] == ["1", "failed", "200/2000"] and rows[0][5] == "exited with code 1 after 3.0 s"
    assert rows[1][:2] == ["2", "setup"]
    assert "golf-audit rerun" in buf.getvalue()

"""README parser: per-seed results tables and run commands, on small fixtures that reproduce the
shapes real record READMEs take (fixtures/readmes/)."""
from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.parsers.evalkind import EvalKind
from auditor.parsers.readme import ColumnKind, Readme, parse_readme

READMES = Path(__file__).resolve().parents[2] / "fixtures" / "readmes"


def readme(name: str) -> Readme:
    return parse_readme(READMES / name)


def test_basic_seed_table():
    (table,) = readme("basic_seed_table.md").tables
    assert table.line == 5 and not table.transposed
    assert [c.kind for c in table.columns] == [
        ColumnKind.SEED, ColumnKind.LOSS, ColumnKind.BPB, ColumnKind.STEPS, ColumnKind.STEP_AVG,
        ColumnKind.BYTES]
    assert [(s.value, s.line) for s in table.seeds()] == [(1337, 7), (42, 8), (7, 9)]
    bpb = table.primary_bpb()
    assert bpb.header == "val_bpb" and bpb.stage is None
    first = table.rows[0]
    assert table.value(first, bpb).raw == "1.17558517" and table.value(first, bpb).decimals == 8
    size = table.value(first, table.columns_of(ColumnKind.BYTES)[0])
    assert size.value == 15374243 and size.line == 7
    (mean,) = table.summaries
    assert mean.label == "Mean" and table.value(mean, bpb).raw == "1.17475315"


def test_basic_run_command():
    (cmd,) = readme("basic_seed_table.md").commands
    assert cmd.line == 15 and cmd.program == "torchrun" and cmd.script == "train_gpt.py"
    assert cmd.nproc_per_node == 8 and cmd.is_launch
    assert {k: (v.value, v.line) for k, v in cmd.env.items()} == {
        "SEED": ("42", 15), "MAX_WALLCLOCK_SECONDS": ("600", 15)}


def test_bold_headline_column_units_and_summary_label():
    doc = readme("headline_column.md")
    (table,) = doc.tables  # the '| Config | val_bpb |' comparison has no seed column
    bpb = table.primary_bpb()
    assert bpb.header == "Post-TTT BPB" and bpb.emphasized and bpb.stage is EvalKind.TTT
    pre = table.columns_of(ColumnKind.BPB)[0]
    assert pre.header == "Pre-TTT BPB" and pre.stage is None
    assert [table.value(r, bpb).raw for r in table.rows] == ["1.08210", "1.08315", "1.08314"]
    gain = table.value(table.rows[0], table.columns_of(ColumnKind.DELTA)[0])
    assert gain.value == -0.00187
    ttt_time = table.value(table.rows[1], table.columns_of(ColumnKind.EVAL_TIME)[0])
    assert ttt_time.to_seconds() == 289.9
    train = [table.value(r, table.columns_of(ColumnKind.TRAIN_TIME)[0]) for r in table.rows]
    assert [(t.raw, t.unit) for t in train] == [("588.0", "s"), ("588", "s"), ("588.1", "s")]
    size = table.value(table.rows[0], table.columns_of(ColumnKind.BYTES)[0])
    assert (size.raw, size.unit) == ("15.99", "MB")
    assert table.rows[0].cells[1].value.value == 5082  # '5,082'
    (mean,) = table.summaries
    assert mean.label == "3-seed mean" and table.value(mean, bpb).raw == "1.08279"


def test_transposed_table():
    (table,) = readme("transposed.md").tables
    assert table.transposed and table.line == 3
    assert [(r.label, r.seed.value) for r in table.rows] == [
        ("Seed 42", 42), ("Seed 314", 314), ("Run 3 (seed=999)", 999)]
    bpb = table.primary_bpb()
    assert bpb.header == "val_bpb (int8 roundtrip)" and bpb.stage is EvalKind.ROUNDTRIP
    assert [(table.value(r, bpb).raw, table.value(r, bpb).line) for r in table.rows] == [
        ("1.6642", 5), ("1.6694", 5), ("1.6632", 5)]
    size = table.value(table.rows[1], table.columns_of(ColumnKind.BYTES)[0])
    assert (size.value, size.unit, size.line) == (8785874, "bytes", 8)
    train = table.value(table.rows[0], table.columns_of(ColumnKind.TRAIN_TIME)[0])
    assert train.to_seconds() == 4800.0
    assert [s.label for s in table.summaries] == ["Mean"]


def test_table_without_outer_pipes_and_escaped_pipe():
    (table,) = readme("odd_shapes.md").tables  # the table inside the fenced block is not read
    assert [(r.label, r.seed.value) for r in table.rows] == [("1337", 1337), ("42 (rerun)", 42)]
    assert table.rows[0].cells[2].text == "first run | warm cache"
    assert [s.label for s in table.summaries] == ["3-seed mean"]


def test_commands_loops_exports_and_wrappers():
    doc = readme("odd_shapes.md")
    assert [(loop.variable, loop.values, loop.line) for loop in doc.loops] == [
        ("SEED", ("1337", "42", "2025"), 27)]
    lines = [c.line for c in doc.commands]
    assert lines == [28, 32, 33, 35, 39]  # python block and 'pip install' are not run commands
    looped = doc.commands[0]
    assert looped.env["SEED"].value == "$SEED" and looped.env["MAX_WALLCLOCK_SECONDS"].line == 29
    assert looped.env["DATA_PATH"].line == 26  # from 'export', carried to later commands
    assert looped.args == ("--standalone", "--nproc_per_node=8", "train_gpt.py")
    module = doc.commands[1]
    assert module.program == "python3" and module.nproc_per_node == 8 and module.is_launch
    assert module.env["NCCL_IB_DISABLE"].value == "1"
    assert doc.commands[2].program == "torchrun" and doc.commands[2].nproc_per_node == 8  # 'uv run'
    assert doc.commands[3].env["FORCE_STOP_STEP"].value == "4945"  # '$ ' prompt stripped
    escaped = doc.commands[4]
    assert escaped.env["RUN_ID"].value == "escaped_run" and escaped.env["MAX_WALLCLOCK_SECONDS"].line == 40
    assert escaped.nproc_per_node == 8 and "DATA_PATH" not in escaped.env  # exports stay in their block
    assert len(doc.launches()) == 5


def test_missing_and_empty_inputs(tmp_path):
    assert parse_readme(b"").tables == () and parse_readme("").commands == ()
    missing = parse_readme(tmp_path / "README.md")
    assert missing.tables == () and "cannot parse" in missing.warnings[0].message


def test_unclosed_fence_and_ragged_rows():
    text = "| Seed | BPB |\n|---|---|\n| 1 | 1.5 | extra |\n| 2 |\n```bash\nSEED=3 torchrun train_gpt.py\n"
    doc = parse_readme(text)
    (table,) = doc.tables
    assert [r.seed.value for r in table.rows] == [1, 2]
    assert table.value(table.rows[1], table.primary_bpb()) is None
    assert doc.commands[0].env["SEED"].value == "3"


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=3000), st.text(max_size=3000)))
def test_arbitrary_input_never_raises(data):
    doc = parse_readme(data)
    assert isinstance(doc, Readme)
    assert not [w for w in doc.warnings if "cannot parse" in w.message]


_MARKDOWN = st.sampled_from([
    "|", "Seed", "seed 4", " val_bpb ", "---", ":--", "\n", "```", "~~~", "bash", "1.2345", "15,000",
    "**", "`", "\\|", "SEED=1 ", "torchrun ", "train_gpt.py", " \\\n", "export ", "for SEED in 1 2; do ",
    "done", "'", '"', " && ", "; ", " | tee x", "Metric", "Mean", "2>&1", "\xff",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(_MARKDOWN, max_size=80).map("".join))
def test_markdown_shaped_noise_never_raises(text):
    assert not [w for w in parse_readme(text).warnings if "cannot parse" in w.message]

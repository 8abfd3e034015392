"""Bad input to 'rerun' and 'verify-receipt' is one clear line and exit 2, before anything runs."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def folder(tmp_path):
    f = tmp_path / "sub"
    f.mkdir()
    (f / "train_gpt.py").write_text("print('x')\n")
    return f


@pytest.fixture
def data(tmp_path):
    d = tmp_path / "data"
    d.mkdir()
    for name in ("fineweb_train_000000.bin", "fineweb_val_000000.bin"):
        (d / name).write_bytes(b"\0" * 1024)
    tok = tmp_path / "fineweb_1024_bpe.model"
    tok.write_bytes(b"x")
    return d, tok


@pytest.mark.parametrize("extra,message", [
    (["--seeds", "42,x"], "expected integers"),
    (["--seeds", "42,42"], "distinct"),
    (["--env", "NOPE"], "expected NAME=VALUE"),
    (["--work-dir", "NONEMPTY"], "not an empty folder"),
])
def test_usage_errors(run_cli, folder, data, tmp_path, extra, message):
    full = {"--seeds": "42", "--data-path": data[0], "--tokenizer-path": data[1]}
    args = []
    for k, v in full.items():
        if k not in extra:
            args += [k, v]
    if "NONEMPTY" in extra:
        (tmp_path / "busy").mkdir()
        (tmp_path / "busy" / "f").write_text("x")
        extra = ["--work-dir", tmp_path / "busy"]
    code, out, err = run_cli("rerun", folder, *args, *extra, "--quiet")
    assert code == 2 and message in err and "Traceback" not in err and out == ""


def test_data_path_without_shards(run_cli, folder, data, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = run_cli("rerun", folder, "--seeds", "1", "--data-path", empty, "--tokenizer-path", data[1])
    assert code == 2 and "no fineweb_train_*.bin shards" in err


def test_missing_tokenizer(run_cli, folder, data, tmp_path):
    code, _, err = run_cli("rerun", folder, "--seeds", "1", "--data-path", data[0], "--tokenizer-path", tmp_path / "no")
    assert code == 2 and "--tokenizer-path" in err and "not a file" in err


def test_folder_without_a_script_could_not_be_verified(run_cli, data, tmp_path):
    empty = tmp_path / "nothing"
    empty.mkdir()
    (empty / "README.md").write_text("# no code\n")
    code, _, err = run_cli("rerun", empty, "--seeds", "1", "--data-path", data[0], "--tokenizer-path", data[1])
    assert code == 3 and "no train_gpt.py" in err


def test_verify_receipt_of_something_else(run_cli, tmp_path):
    f = tmp_path / "x.json"
    f.write_text(json.dumps({"hello": 1}))
    code, _, err = run_cli("verify-receipt", f)
    assert code == 2 and "not a valid receipt" in err


def test_work_dir_inside_the_folder(run_cli, folder, data):
    code, _, err = run_cli("rerun", folder, "--seeds", "1", "--data-path", data[0], "--tokenizer-path", data[1],
                           "--work-dir", folder / "work")
    assert code == 2 and "inside the submission folder" in err


def test_claimed_seeds(tmp_path):
    from auditor.context import Context
    from auditor.rerun.command import RerunUsageError, claimed_seeds, parse_seeds

    assert parse_seeds("claimed") is None and parse_seeds(" 42, 7") == [42, 7]
    f = tmp_path / "s"
    f.mkdir()
    (f / "submission.json").write_text('{"val_bpb": 1.2, "seeds": {"314": {"val_bpb": 1.2}, "42": {"val_bpb": 1.2}}}')
    assert claimed_seeds(Context.load(f)) == [42, 314]
    (f / "submission.json").write_text('{"val_bpb": 1.2}')
    (f / "train_seed7.log").write_text("seed:7\nstep:1/1 train_time:5ms\nfinal_int8_zlib_roundtrip_exact val_loss:2.0 "
                                       "val_bpb:1.2\n")
    assert claimed_seeds(Context.load(f)) == [7]
    (f / "train_seed7.log").unlink()
    with pytest.raises(RerunUsageError, match="claims no seeds"):
        claimed_seeds(Context.load(f))

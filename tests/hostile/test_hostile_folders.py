"""Hostile record folders: each ends in a finding or a clear one-line error, never a traceback,
a hang, a read outside the folder or a write anywhere but the requested output."""

from __future__ import annotations

import builtins
import errno
import json
import os
import socket
from pathlib import Path

import pytest

from tests.hostile import inputs
from tests.hostile.conftest import golf_audit


def findings(run) -> list[tuple[str, str, str]]:
    return [(f["rule_id"], f["location"]["path"] if f["location"] else None, f["message"])
            for f in json.loads(run.out)["findings"]]


def of_rule(run, rule: str) -> list[tuple[str, str]]:
    return sorted((path, msg) for r, path, msg in findings(run) if r == rule)


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Every path under ``root`` (links not followed) with its size and mtime."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            st = os.lstat(os.path.join(dirpath, name))
            out[os.path.relpath(os.path.join(dirpath, name), root)] = (st.st_size, st.st_mtime_ns)
    return out


# -- links, special files ---------------------------------------------------------------------------------

def test_links_out_of_the_folder_are_reported_not_followed(record):
    os.symlink("/nonexistent-golf-audit-target/secret.log", record / "dangling.log")
    os.symlink("/etc/passwd", record / "passwd.log")
    os.symlink("/", record / "root")
    os.symlink("..", record / "up")
    os.symlink("../../../../../../../../etc/hostname", record / "rel.txt")
    os.symlink("train.log", record / "train_copy.log")  # inside: allowed
    run = golf_audit("audit", record, "--format", "json")
    assert run.rc == 1
    assert of_rule(run, "F002") == [
        ("dangling.log", "dangling.log: symbolic link pointing outside the folder (not followed)"),
        ("passwd.log", "passwd.log: symbolic link pointing outside the folder (not followed)"),
        ("rel.txt", "rel.txt: symbolic link pointing outside the folder (not followed)"),
        ("root", "root: symbolic link pointing outside the folder (not followed)"),
        ("up", "up: symbolic link pointing outside the folder (not followed)"),
    ]
    assert "root:x:0" not in run.out


def test_fifo_socket_and_device_are_never_opened(record, monkeypatch):
    os.mkfifo(record / "train_seed1.log")  # opening it for reading would block forever
    sock = socket.socket(socket.AF_UNIX)
    monkeypatch.chdir(record)  # a socket path is limited to 107 bytes: bind by a relative name
    sock.bind("train_seed2.log")
    made_device = True
    try:
        os.mknod(record / "train_seed3.log", 0o600 | 0o020000, os.makedev(1, 3))  # like /dev/null
    except (PermissionError, OSError):
        made_device = False
    try:
        run = golf_audit("audit", record, "--format", "json", timeout=60)
    finally:
        sock.close()
    expected = ["train_seed1.log", "train_seed2.log"] + (["train_seed3.log"] if made_device else [])
    assert of_rule(run, "F002") == [(n, f"{n}: not a regular file (device, socket or pipe)") for n in expected]
    assert run.rc == 1


# -- unreadable files -----------------------------------------------------------------------------------------

def _audit_in_process(folder: Path):
    from auditor.context import Context
    from auditor.engine import audit

    return audit(Context.load(folder))


def test_unreadable_files_are_findings_not_skipped(record, monkeypatch):
    """We run as root, where chmod 000 does not stop a read: the refusal is mocked at open()."""
    (record / "README.md").write_text("# run\n")
    (record / "train_seed7.log").write_bytes((record / "train.log").read_bytes())
    denied = {"README.md", "train_seed7.log", "submission.json"}
    real_open = builtins.open

    def deny(file, *args, **kwargs):
        if isinstance(file, (str, os.PathLike)) and Path(file).name in denied:
            raise PermissionError(errno.EACCES, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", deny)
    result = _audit_in_process(record)
    got = sorted((f.rule_id, f.location.path, f.message) for f in result.findings if f.rule_id in ("F002", "J001"))
    assert got == [
        ("F002", "README.md", "README.md: could not be read: Permission denied"),
        ("F002", "train_seed7.log", "train_seed7.log: could not be read: Permission denied"),
        ("J001", "submission.json", "Permission denied"),
    ] or got[2][2].startswith("[Errno 13]")
    assert all(v.status.value != "unverified" for v in result.verdicts)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads chmod-000 files; covered by the mocked test above")
def test_chmod_000_file_is_a_finding(record):
    (record / "train_seed7.log").write_bytes(b"x")
    (record / "train_seed7.log").chmod(0)
    run = golf_audit("audit", record, "--format", "json")
    assert ("train_seed7.log", "train_seed7.log: could not be read: Permission denied") in of_rule(run, "F002")


def test_unreadable_folder_is_a_clear_error(tmp_path, monkeypatch):
    from auditor import cli

    def refuse(path):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(os, "scandir", refuse)
    with pytest.raises(cli.AuditorError, match="cannot list the folder"):
        cli.audit.callback(tmp_path, "text", None, "error", None, None, None, None, None, None, None, None, None,
                           "", False, False, 100)


# -- JSON -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("body, message", [
    (b'[{"val_bpb": 1.2}]', "the top level is a JSON array, not an object"),
    (b"[" * 100_000 + b"]" * 100_000, "unreadable JSON"),
    (b'{"seeds": ' + b"[" * 50_000 + b"]" * 50_000 + b"}", "unreadable JSON"),
    (b'{"val_bpb": 1' + b"0" * 10_000 + b"}", "unreadable JSON"),
    (b'{"name": "x", "val_bpb": 1.2\xff\xfe}', "not valid UTF-8"),
    (b'{"a": "' + b"x" * (2 * 1024 * 1024) + b'"}', "larger than 1,048,576 bytes"),
    (b'{"seeds": [' + b",".join([b"1"] * 60_000) + b"]}", "too large: more than 50,000 JSON values"),
    (b'{"seeds": ' + b"[" * 70 + b"]" * 70 + b"}", "nested deeper than 64 levels"),
    (b"\x00" * 100, "malformed JSON"),
    (b"", "malformed JSON"),
])
def test_bad_submission_json_is_a_j001_finding(record, body, message):
    (record / "submission.json").write_bytes(body)
    run = golf_audit("audit", record, "--format", "json")
    assert run.rc == 1
    assert any(message in m for _, m in of_rule(run, "J001")), of_rule(run, "J001")


# -- odd names, odd bytes ----------------------------------------------------------------------------------------

NAMES = ["train_seed7\n\x1b[31mred.log", "train_seed8\r\x07.log", "\u202etrain_seed9.log", "train seed 10 |x|.log"]


def test_control_characters_in_names_are_rendered_safely_in_every_format(record):
    log = (record / "train.log").read_bytes()
    for i, name in enumerate(NAMES):
        (record / name).write_bytes(log[: 20_000 + i])  # no final score: each name appears in a finding
    os.symlink("/nonexistent-golf-audit", os.fsencode(record) + b"/bad\xff\n\x1b]0;title\x07.log")
    reports = inputs.audit_folder(record)  # raises on a raw control character in text or markdown
    for fmt, text in reports.items():
        assert "\x1b" not in text and "\x07" not in text, fmt
    text = reports["text"]
    assert "train_seed7\\n\\x1b[31mred.log" in text
    assert "bad\\udcff\\n\\x1b]0;title\\x07.log" in text
    sarif = json.loads(reports["sarif"])
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"]
            for res in sarif["runs"][0]["results"] for loc in res.get("locations", [])}
    assert "train_seed7%0A%1B%5B31mred.log" in uris


def test_invalid_utf8_everywhere_is_findings_not_errors(record):
    (record / "README.md").write_bytes(b"# \xff\xfe run\n| Seed | val_bpb |\n|---|---|\n| 1337 | 1.22\xc3 |\n")
    log = (record / "train.log").read_bytes()
    (record / "train.log").write_bytes(log.replace(b"val_bpb", b"val_\xffbpb", 3))
    (record / "train_gpt.py").write_bytes(b"print('\xff\xfe')\n" * 10)
    run = golf_audit("audit", record, "--format", "json")
    assert run.rc == 0 and run.err == ""  # warnings only: below the default --fail-on error
    assert of_rule(run, "F002") == [
        ("README.md", "README.md: not valid UTF-8 (undecodable bytes replaced)"),
        ("train.log", "train.log: line 47: not valid UTF-8 (undecodable bytes replaced)"),
    ]


# -- sizes: README over the read limit, deep folders, many files ----------------------------------------------------

def test_readme_over_the_read_limit_is_reported(record):
    from auditor.context import MAX_README_BYTES

    with open(record / "README.md", "wb") as fh:
        fh.truncate(MAX_README_BYTES + 1)  # sparse: costs no disk
    run = golf_audit("audit", record, "--format", "json")
    assert of_rule(run, "F002") == [("README.md", f"README.md: could not be read: larger than {MAX_README_BYTES:,} "
                                                 "bytes; not read whole")]


def test_deep_and_wide_folders_are_bounded(record):
    from auditor.safefs import MAX_DEPTH, MAX_FILES

    deep = record / "/".join(["d"] * (MAX_DEPTH + 4))
    deep.mkdir(parents=True)
    (deep / "x.log").write_text("x")
    wide = record / "many"
    wide.mkdir()
    for i in range(MAX_FILES + 10):
        (wide / f"f{i:05}.bin").touch()
    run = golf_audit("audit", record, "--format", "json")
    msgs = [m for _, m in of_rule(run, "F002")]
    assert any(f"deeper than {MAX_DEPTH} levels" in m for m in msgs)
    assert any(f"more than {MAX_FILES:,} files" in m for m in msgs)


# -- nothing written ----------------------------------------------------------------------------------------------------

def test_audit_writes_nothing_but_the_requested_output(record, tmp_path):
    (record / "train_gpt.py").write_text("print('hi')\n")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    before = snapshot(record)
    before_tmp = set(os.listdir(os.environ.get("TMPDIR", "/tmp")))
    for fmt in ("text", "json", "markdown", "sarif"):
        golf_audit("audit", record, "--format", fmt, "--output", out_dir / f"report.{fmt}")
    assert snapshot(record) == before
    assert sorted(os.listdir(out_dir)) == ["report.json", "report.markdown", "report.sarif", "report.text"]
    leftover = set(os.listdir(os.environ.get("TMPDIR", "/tmp"))) - before_tmp
    assert not [n for n in leftover if n.startswith(".report.")]


def test_output_to_an_unwritable_place_is_a_clear_error(record):
    run = golf_audit("audit", record, "--output", "/nonexistent-dir/report.txt")
    assert run.rc == 3
    assert run.err.strip().splitlines() == ["golf-audit: error: cannot write /nonexistent-dir/report.txt: "
                                            "No such file or directory"]


@pytest.mark.parametrize("make, code", [
    (lambda p: p / "missing", 2),
    (lambda p: (p / "file.txt").write_text("x") and p / "file.txt", 2),
    (lambda p: (os.mkfifo(p / "pipe"), p / "pipe")[1], 3),
])
def test_a_bad_folder_argument_is_one_clear_line(tmp_path, make, code):
    run = golf_audit("audit", make(tmp_path), timeout=30)
    assert run.rc == code and run.out == ""
    last = run.err.strip().splitlines()[-1]  # click's usage lines, then one error line naming the path
    assert str(tmp_path) in last
    assert last.startswith("Error: Invalid value for 'FOLDER'") if code == 2 else \
        last == f"golf-audit: error: {tmp_path / 'pipe'}: not a folder"

"""The safe walk: links never followed out of the folder, limits reported, reads bounded."""

import os

import pytest

from auditor.safefs import FileTree, InputError, UnsafePath


def test_link_to_an_outside_folder_is_not_followed(tmp_path):
    outside = tmp_path / "outside"
    (outside / "deep").mkdir(parents=True)
    (outside / "deep" / "secret.log").write_text("secret")
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "train.log").write_text("ok")
    os.symlink(outside, sub / "escape")
    tree = FileTree.walk(sub)
    assert [e.rel for e in tree.entries] == ["train.log"]
    assert [(p.rel, p.problem) for p in tree.problems] == [
        ("escape", "symbolic link pointing outside the folder (not followed)")]


def test_link_loop_inside_the_folder_is_not_followed(tmp_path):
    (tmp_path / "a").mkdir()
    os.symlink(tmp_path / "a", tmp_path / "a" / "loop")
    tree = FileTree.walk(tmp_path)
    assert tree.entries == [] and tree.problems[0].problem.startswith("symbolic link to a folder")


def test_reads_refuse_unlisted_and_oversized_files(tmp_path):
    (tmp_path / "big.json").write_bytes(b"x" * 100)
    tree = FileTree.walk(tmp_path)
    with pytest.raises(UnsafePath, match="larger than 10 bytes"):
        tree.read_bytes("big.json", limit=10)
    with pytest.raises(UnsafePath, match="not a listed file"):
        tree.read_bytes("../etc/passwd")


def test_not_a_folder(tmp_path):
    f = tmp_path / "f"
    f.write_text("x")
    with pytest.raises(InputError, match="not a folder"):
        FileTree.walk(f)
    with pytest.raises(InputError, match="cannot read"):
        FileTree.walk(tmp_path / "missing")


def test_deep_nesting_is_cut_and_reported(tmp_path):
    d = tmp_path
    for i in range(12):
        d = d / f"d{i}"
    d.mkdir(parents=True)
    (d / "x.log").write_text("x")
    tree = FileTree.walk(tmp_path)
    assert tree.entries == [] and "deeper than" in tree.problems[0].problem

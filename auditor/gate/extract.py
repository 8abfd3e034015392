"""Write the candidate record folder, as the PR head commit has it, into a temporary folder.

Blobs are read straight from the object database (``ls-tree`` + ``cat-file``): no checkout, no
attributes, filters or hooks, nothing executed. Entries the gate rules report as unsafe (bad
names, submodules, links that leave the folder) are not written; files are created exclusively,
links last, so no write can go through a link.
"""

from __future__ import annotations

import os
from pathlib import Path

from auditor.gate.changes import MODE_LINK, _head, bad_link, unsafe_reason
from auditor.gate.git import Git
from auditor.safefs import MAX_FILES

MAX_TOTAL_BYTES = 1024 * 1024 * 1024


class ExtractError(Exception):
    """The folder cannot be materialised whole (too many files, too large): could not verify."""


def materialize(git: Git, head: str, folder: str, dest: Path) -> Path:
    """Write ``folder`` of commit ``head`` under ``dest`` (same relative path); return its path."""
    root = dest / folder
    root.mkdir(parents=True)
    files, links = [], []
    for mode, kind, blob, size, path in git.ls_tree(head, folder):
        if kind != "blob" or unsafe_reason(path):
            continue
        (links if mode == MODE_LINK else files).append((blob, path[len(folder) + 1:], size))
    if len(files) + len(links) > MAX_FILES:
        raise ExtractError(f"{folder}: more than {MAX_FILES:,} files at {head[:12]}")
    total = sum(size for _, _, size in files)
    if total > MAX_TOTAL_BYTES:
        raise ExtractError(f"{folder}: {total:,} bytes at {head[:12]}, over the {MAX_TOTAL_BYTES:,} the gate reads")
    _write_files(git, root, files)
    _write_links(git, root, folder, links)
    return root


def _write_files(git: Git, root: Path, files: list[tuple[str, str, int]]) -> None:
    for (_blob, chunks), (_b, rel, _size) in zip(git.cat_blobs([b for b, _, _ in files]), files):
        out = root / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        with open(out, "xb") as fh:
            for chunk in chunks:
                fh.write(chunk)


def _write_links(git: Git, root: Path, folder: str, links: list[tuple[str, str, int]]) -> None:
    for (_blob, chunks), (_b, rel, _size) in zip(git.cat_blobs([b for b, _, _ in links]), links):
        target = _head(chunks).decode("utf-8", "surrogateescape")
        if bad_link(f"{folder}/{rel}", target):
            continue  # reported by G006; never written
        out = root / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.symlink(target, out)
        except OSError:
            continue

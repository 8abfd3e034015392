"""A safe, bounded view of an untrusted submission folder.

The walk never follows a symbolic link out of the folder, never descends more than
``MAX_DEPTH`` levels, and stops listing after ``MAX_FILES`` entries; reads are capped in size.
Every refusal is recorded as a ``TreeProblem`` so that rules can report it: nothing is skipped
silently.
"""

from __future__ import annotations

import fnmatch
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

MAX_DEPTH = 8
MAX_FILES = 5000
MAX_SMALL_READ = 16 * 1024 * 1024  # JSON, README, code: bigger than this is not read whole


class UnsafePath(Exception):
    """A path that resolves outside the folder or is not a regular file."""


class InputError(Exception):
    """The folder itself cannot be audited (missing, not a directory, unreadable)."""


@dataclass(frozen=True)
class Entry:
    """A regular file inside the folder (links that stay inside are resolved to their target)."""

    rel: str  # POSIX path relative to the folder root
    size: int
    link: bool = False

    @property
    def name(self) -> str:
        return self.rel.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class TreeProblem:
    rel: str
    problem: str


@dataclass
class FileTree:
    root: Path
    entries: list[Entry] = field(default_factory=list)
    problems: list[TreeProblem] = field(default_factory=list)
    truncated: bool = False

    @classmethod
    def walk(cls, root: str | os.PathLike) -> "FileTree":
        root = Path(root)
        try:
            st = os.stat(root)
        except OSError as exc:
            raise InputError(f"{root}: cannot read the folder ({exc.strerror or exc})") from None
        if not stat.S_ISDIR(st.st_mode):
            raise InputError(f"{root}: not a folder")
        tree = cls(Path(os.path.realpath(root)))
        tree._scan(tree.root, "", 0)
        tree.entries.sort(key=lambda e: e.rel)
        return tree

    def _scan(self, folder: Path, prefix: str, depth: int) -> None:
        try:
            with os.scandir(folder) as it:
                items = sorted(it, key=lambda d: d.name)
        except OSError as exc:
            if depth == 0:
                raise InputError(f"{folder}: cannot list the folder ({exc.strerror or exc})") from None
            self.problems.append(TreeProblem(prefix.rstrip("/"), f"unreadable folder: {exc.strerror}"))
            return
        for item in items:
            if len(self.entries) >= MAX_FILES:
                self.truncated = True
                return
            self._visit(item, prefix + item.name, depth)

    def _visit(self, item: os.DirEntry, rel: str, depth: int) -> None:
        if item.name == ".git":
            return
        try:
            is_link = item.is_symlink()
            target = Path(os.path.realpath(item.path)) if is_link else Path(item.path)
            if is_link and not _inside(target, self.root):
                self.problems.append(TreeProblem(rel, "symbolic link pointing outside the folder (not followed)"))
                return
            st = os.stat(target)
        except OSError as exc:
            self.problems.append(TreeProblem(rel, f"unreadable: {exc.strerror or exc}"))
            return
        if stat.S_ISDIR(st.st_mode):
            if is_link:
                self.problems.append(TreeProblem(rel, "symbolic link to a folder (not followed)"))
            elif depth + 1 >= MAX_DEPTH:
                self.problems.append(TreeProblem(rel, f"deeper than {MAX_DEPTH} levels (not listed)"))
            else:
                self._scan(Path(item.path), rel + "/", depth + 1)
        elif stat.S_ISREG(st.st_mode):
            self.entries.append(Entry(rel, st.st_size, is_link))
        else:
            self.problems.append(TreeProblem(rel, "not a regular file (device, socket or pipe)"))

    # -- queries ------------------------------------------------------------------------------------
    def get(self, rel: str) -> Entry | None:
        return next((e for e in self.entries if e.rel == rel), None)

    def glob(self, pattern: str) -> list[Entry]:
        """Entries whose relative path matches ``pattern`` (fnmatch; ``*`` does not cross ``/``)."""
        depth = pattern.count("/")
        return [e for e in self.entries
                if e.rel.count("/") == depth and fnmatch.fnmatchcase(e.rel.lower(), pattern.lower())]

    def path_of(self, rel: str) -> Path:
        """The real path of a listed file, checked again to lie inside the folder."""
        entry = self.get(rel)
        if entry is None:
            raise UnsafePath(f"{rel}: not a listed file of the folder")
        real = Path(os.path.realpath(self.root / rel))
        if not _inside(real, self.root):
            raise UnsafePath(f"{rel}: resolves outside the folder")
        return real

    def read_bytes(self, rel: str, limit: int = MAX_SMALL_READ) -> bytes:
        """Read a listed file whole, refusing files over ``limit`` bytes."""
        path = self.path_of(rel)
        with open(path, "rb") as fh:
            data = fh.read(limit + 1)
        if len(data) > limit:
            raise UnsafePath(f"{rel}: larger than {limit:,} bytes; not read whole")
        return data

    def read_text(self, rel: str, limit: int = MAX_SMALL_READ) -> tuple[str, bool]:
        """Decode a listed file as UTF-8; returns (text, had_invalid_bytes)."""
        data = self.read_bytes(rel, limit)
        try:
            return data.decode("utf-8"), False
        except UnicodeDecodeError:
            return data.decode("utf-8", errors="replace"), True


def sha256_file(path: str | os.PathLike) -> str:
    """Hex SHA-256 of a file, read in 1 MiB blocks (any size, bounded memory)."""
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def printable(name: str) -> str:
    """A file name with control characters escaped, safe to print in any report."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in name)

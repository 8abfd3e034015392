"""A small, read-only git client for the gate: plumbing commands only, output as bytes.

Nothing here checks anything out or runs code from the repository: no hooks, no external diff
drivers, no text conversion filters. Paths come back as raw bytes (``-z``) and are decoded with
``surrogateescape``, so a name that is not UTF-8 survives to be reported, never crashes.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Iterator

CHUNK = 1 << 20


class GitError(Exception):
    """A git command failed; the message is git's own first line."""


class UnknownRevision(GitError):
    """A revision the user named does not exist in the repository (a usage error)."""


def decode_path(raw: bytes) -> str:
    return raw.decode("utf-8", errors="surrogateescape")


def encode_path(path: str) -> bytes:
    return path.encode("utf-8", errors="surrogateescape")


class Git:
    def __init__(self, repo: str | os.PathLike):
        self.repo = Path(repo)

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(GIT_TERMINAL_PROMPT="0", LC_ALL="C", GIT_OPTIONAL_LOCKS="0", GIT_LITERAL_PATHSPECS="1")
        env.pop("GIT_EXTERNAL_DIFF", None)
        return env

    def run(self, *args: str | bytes, ok: tuple[int, ...] = (0,)) -> bytes:
        try:
            proc = subprocess.run(["git", "-C", str(self.repo), *args], capture_output=True,
                                  env=self._env(), check=False)
        except FileNotFoundError:
            raise GitError("git is not installed (needed by the gate)") from None
        if proc.returncode not in ok:
            first = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            raise GitError(f"git {args[0]!s} failed: {first[0] if first else f'exit {proc.returncode}'}")
        return proc.stdout

    # -- revisions ---------------------------------------------------------------------------------
    def check_repository(self) -> None:
        try:
            self.run("rev-parse", "--git-dir")
        except GitError:
            raise UnknownRevision(f"{self.repo}: not a git repository") from None

    def resolve(self, rev: str) -> str:
        """The full commit id of ``rev`` (UnknownRevision if there is none)."""
        if rev.startswith("-"):
            raise UnknownRevision(f"{rev!r} is not a revision")
        try:
            return self.run("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").decode().strip()
        except GitError:
            raise UnknownRevision(f"unknown revision {rev!r} in {self.repo}"
                                  " (fetch it first: actions/checkout with fetch-depth: 0)") from None

    def merge_base(self, a: str, b: str) -> str:
        out = self.run("merge-base", a, b, ok=(0, 1)).decode().strip()
        if not out:
            raise UnknownRevision(f"{a[:12]} and {b[:12]} have no common ancestor (shallow clone?)")
        return out.splitlines()[0]

    # -- trees -------------------------------------------------------------------------------------
    def diff_raw(self, old: str, new: str) -> list[tuple[str, str, str, str, str]]:
        """``(status, old_mode, new_mode, new_blob, path)`` for every changed path, renames split."""
        out = self.run("diff", "--raw", "-z", "--no-renames", "--no-abbrev", "--no-ext-diff",
                       "--no-textconv", "--ignore-submodules=none", old, new)
        fields = out.split(b"\0")
        rows = []
        for head, path in zip(fields[0::2], fields[1::2]):
            if not head.startswith(b":"):
                break
            old_mode, new_mode, _old_blob, new_blob, status = head[1:].decode().split()
            rows.append((status[0], old_mode, new_mode, new_blob, decode_path(path)))
        return rows

    def binary_paths(self, old: str, new: str) -> set[str]:
        """Paths git counts as binary in the diff (numstat ``-	-``)."""
        out = self.run("diff", "--numstat", "-z", "--no-renames", "--no-ext-diff", "--no-textconv", old, new)
        paths = set()
        for item in out.split(b"\0"):
            parts = item.split(b"\t", 2)
            if len(parts) == 3 and parts[0] == b"-" and parts[1] == b"-":
                paths.add(decode_path(parts[2]))
        return paths

    def existing_dirs(self, rev: str, paths: list[str]) -> set[str]:
        """Which of ``paths`` are folders in ``rev``'s tree."""
        if not paths:
            return set()
        out = self.run("ls-tree", "-z", "--full-tree", rev, "--", *map(encode_path, paths))
        found = set()
        for item in out.split(b"\0"):
            if b"\t" in item:
                meta, name = item.split(b"\t", 1)
                if meta.split()[1] == b"tree":
                    found.add(decode_path(name))
        return found

    def ls_tree(self, rev: str, folder: str) -> list[tuple[str, str, str, int, str]]:
        """``(mode, type, blob, size, path)`` of every entry under ``folder`` in ``rev``."""
        out = self.run("ls-tree", "-r", "-z", "-l", "--full-tree", rev, "--", encode_path(folder + "/"))
        rows = []
        for item in out.split(b"\0"):
            if b"\t" not in item:
                continue
            meta, name = item.split(b"\t", 1)
            mode, kind, blob, size = meta.decode().split()
            rows.append((mode, kind, blob, int(size) if size.isdigit() else 0, decode_path(name)))
        return rows

    def show_file(self, rev: str, path: str, limit: int = 4 * 1024 * 1024) -> bytes | None:
        """The bytes of ``path`` in ``rev``, or None when it is not a file there."""
        out = self.run("ls-tree", "-z", "-l", "--full-tree", rev, "--", encode_path(path))
        meta = out.split(b"\t", 1)[0].split()
        if len(meta) != 4 or meta[1] != b"blob" or meta[0] == b"120000" or int(meta[3]) > limit:
            return None
        return self.run("cat-file", "blob", meta[2].decode())

    def log(self, *args: str) -> bytes:
        return self.run("log", *args)

    def cat_blobs(self, blobs: list[str]) -> Iterator[tuple[str, Iterator[bytes]]]:
        """Stream blobs through one ``git cat-file --batch``, one request at a time (no pipe
        deadlock): yields (blob id, chunks); each chunk iterator must be read to its end."""
        proc = subprocess.Popen(["git", "-C", str(self.repo), "cat-file", "--batch"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=self._env())
        try:
            for blob in blobs:
                proc.stdin.write(f"{blob}\n".encode())
                proc.stdin.flush()
                header = proc.stdout.readline().split()
                if len(header) != 3:
                    raise GitError(f"git cat-file: object {blob} is missing")
                yield blob, _chunks(proc.stdout, int(header[2]))
        finally:
            proc.stdin.close()
            proc.stdout.close()
            proc.kill()
            proc.wait()


def _chunks(stream, size: int) -> Iterator[bytes]:
    left = size
    while left:
        data = stream.read(min(CHUNK, left))
        if not data:
            raise GitError("git cat-file: truncated object")
        left -= len(data)
        yield data
    stream.read(1)  # the newline after each object

"""Process helpers for the tests that check a sandboxed run's whole process group dies."""

from __future__ import annotations

import os
import time


def pids_with_cmdline(cmdline: str) -> list[int]:
    """Pids of the processes whose command line (arguments joined by spaces) is ``cmdline``."""
    out = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                if fh.read().replace(b"\0", b" ").strip() == cmdline.encode():
                    out.append(int(entry))
        except (OSError, ValueError):
            continue
    return out


def all_gone(pids: list[int], wait_s: float = 5.0) -> bool:
    """Every process of ``pids`` has stopped (absent, or a zombie waiting for init to reap it)."""
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if not [pid for pid in pids if _running(pid)]:
            return True
        time.sleep(0.05)
    return False


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except FileNotFoundError:
        return False

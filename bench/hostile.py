"""Hostile-input benchmark: peak memory of a static audit on huge and hostile folders.

    python bench/hostile.py [--log-gb 2] [--attack-mb 200] [--keep]

Writes, in a temporary folder (deleted afterwards unless ``--keep``): a record whose log is a real
one grown to ``--log-gb`` GB, five attack logs of ``--attack-mb`` MB each built to make the parsers
keep what they read, a README and submission JSON at their caps, and (separately) a folder of code
and artifact bombs. Each is audited by ``python -P -m auditor audit`` in a child process whose peak
RSS is measured around it. Prints a Markdown table for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.hostile import inputs  # noqa: E402


def audit(folder: Path, out: Path) -> tuple[float, int, float, dict]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    argv = [sys.executable, "-P", "-m", "auditor", "audit", str(folder), "--format", "json"]
    peak, rc, wall = inputs.peak_rss_mb(argv, REPO, env, timeout=3600, stdout=out)
    return peak, rc, wall, json.loads(out.read_text())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--log-gb", type=float, default=2.0)
    ap.add_argument("--attack-mb", type=int, default=200)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="golf-hostile-bench-"))
    rows = []
    try:
        big = tmp / "records" / "track_10min_16mb" / "2026-03-20_Huge"
        big.mkdir(parents=True)
        start = time.perf_counter()
        inputs.write_big_log(big / "train_seed42.log", int(args.log_gb * (1 << 30)))
        attacks = inputs.write_attack_logs(big, args.attack_mb << 20)
        inputs.write_big_neighbours(big)
        size = sum(p.stat().st_size for p in big.iterdir())
        print(f"wrote {size / 2**30:.2f} GiB in {time.perf_counter() - start:.0f} s", file=sys.stderr)
        peak, rc, wall, report = audit(big, tmp / "big.json")
        t001 = next(r for r in report["rules"] if r["rule_id"] == "T001")
        rows.append((f"{args.log_gb:g} GB log + {len(attacks)} attack logs of {args.attack_mb} MB + README/JSON at caps",
                     size, peak, wall, rc, report["summary"]["unverified"],
                     "final score read" if any("train_seed42.log" in e["text"] for e in t001["evidence"]) else "MISSED"))
        bombs = tmp / "records" / "track_10min_16mb" / "2026-03-20_Bombs"
        bombs.mkdir(parents=True)
        inputs.write_code_bombs(bombs)
        size = sum(p.stat().st_size for p in bombs.iterdir())
        peak, rc, wall, report = audit(bombs, tmp / "bombs.json")
        x012 = [f for f in report["findings"] if f["rule_id"] == "X012" and f["severity"] == "error"]
        rows.append(("code bombs (64 MB zlib, parse over the cap, 7 nested wrappers) + 256 MB artifact bomb",
                     size, peak, wall, rc, report["summary"]["unverified"], f"{len(x012)} X012 errors"))
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"hostile folders: python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs, "
          f"{time.strftime('%Y-%m-%d')}\n")
    print("| folder | bytes on disk | peak RSS | wall | exit | unverified rules | outcome |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for name, size, peak, wall, rc, unverified, outcome in rows:
        print(f"| {name} | {size / 2**20:,.0f} MiB | {peak:.0f} MB | {wall:.1f} s | {rc} | {unverified} | {outcome} |")


if __name__ == "__main__":
    main()

"""Fuzz benchmark: 10,000+ generated hostile inputs across every parser and the whole static audit.

    python bench/fuzz.py [--inputs 12000] [--seed 0] [--only log,readme] [--save DIR]

Inputs are the real records and rule fixtures mutated by a seeded mutator (``tests/hostile/inputs.py``:
bit flips, spliced pieces of other files, extreme numbers, shuffled lines, structure-aware JSON
edits, deep nesting, odd file names), so a run is reproducible from its seed. Each target runs one
parser on one input and reads everything the result offers. Counted as a failure: an exception,
an internal error the parser swallowed, a rule that crashed (UNVERIFIED), a report with a raw
control character, or an input that takes longer than ``--timeout`` seconds (a hang). Prints a
Markdown table for BENCHMARKS.md; exits 1 if anything failed.
"""

from __future__ import annotations

import argparse
import platform
import random
import resource
import signal
import sys
import time
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.hostile import inputs  # noqa: E402

# Share of the inputs per target (whole-folder audits cost ~30 ms each, parsers ~1 ms).
SHARES = {"submission": 0.25, "log": 0.2, "readme": 0.2, "line": 0.2, "folder": 0.05, "shard": 0.05, "unwrap": 0.05}


class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang()


def run_target(name: str, count: int, rng: random.Random, timeout: float, save: Path | None) -> dict:
    gen, target = inputs.TARGETS[name]
    failures: dict[str, int] = {}
    start = time.perf_counter()
    for i in range(count):
        data = gen(rng)
        signal.alarm(int(timeout))
        try:
            target(data)
        except Hang:
            _record(failures, f"hang over {timeout:.0f} s", name, i, data, save)
        except Exception as exc:  # noqa: BLE001 - every escape is a failure to count
            where = traceback.extract_tb(exc.__traceback__)[-1]
            _record(failures, f"{type(exc).__name__} at {Path(where.filename).name}:{where.lineno}: {str(exc)[:120]}",
                    name, i, data, save)
        finally:
            signal.alarm(0)
    return {"target": name, "inputs": count, "failures": failures, "seconds": time.perf_counter() - start}


def _record(failures: dict, key: str, name: str, i: int, data, save: Path | None) -> None:
    failures[key] = failures.get(key, 0) + 1
    if save is not None and failures[key] == 1:
        save.mkdir(parents=True, exist_ok=True)
        (save / f"{name}_{i}.repr").write_text(repr(data)[:2_000_000])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--inputs", type=int, default=12_000, help="total inputs, shared among the targets")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--only", help="comma-separated targets (default: all available)")
    ap.add_argument("--timeout", type=float, default=30.0, help="seconds one input may take")
    ap.add_argument("--save", type=Path, help="write the first input of each failure kind here")
    args = ap.parse_args()
    signal.signal(signal.SIGALRM, _alarm)
    names = [n for n in (args.only.split(",") if args.only else SHARES) if n in inputs.TARGETS]
    missing = [n for n in SHARES if n not in inputs.TARGETS]
    weight = sum(SHARES[n] for n in names)
    rows = []
    for name in names:
        count = max(1, round(args.inputs * SHARES[name] / weight))
        rows.append(run_target(name, count, random.Random(f"{args.seed}:{name}"), args.timeout, args.save))
    print_table(rows, args, missing)
    return 1 if any(r["failures"] for r in rows) else 0


def print_table(rows: list[dict], args, missing: list[str]) -> None:
    total = sum(r["inputs"] for r in rows)
    fails = sum(sum(r["failures"].values()) for r in rows)
    secs = sum(r["seconds"] for r in rows)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"fuzz: seed {args.seed}, {total:,} inputs, {fails} failures, {secs:.1f} s, peak RSS {peak:.0f} MB; "
          f"python {platform.python_version()}, {platform.machine()}, {time.strftime('%Y-%m-%d')}")
    if missing:
        print(f"targets not available in this checkout: {', '.join(missing)}")
    print("\n| target | inputs | failures | seconds | inputs/s |\n| --- | ---: | ---: | ---: | ---: |")
    for r in rows:
        n = sum(r["failures"].values())
        print(f"| {r['target']} | {r['inputs']:,} | {n} | {r['seconds']:.1f} | {r['inputs'] / r['seconds']:.0f} |")
    print(f"| **all** | **{total:,}** | **{fails}** | **{secs:.1f}** | {total / secs:.0f} |")
    for r in rows:
        for key, n in sorted(r["failures"].items()):
            print(f"FAIL {r['target']}: {n} x {key}")


if __name__ == "__main__":
    sys.exit(main())

"""Static audit speed: one folder with interpreter start, and the whole real-records set.

    python bench/static_audit.py [--repeat 7] [--records fixtures/real-records]

Each figure is the median of ``--repeat`` runs, measured side by side in one invocation with the
bare interpreter start (``python -c pass``) and a ``python -c 'import auditor.cli'`` import-only run
as references, so the ratios hold on a busy machine too. Peak RSS comes from ``/usr/bin/time``-like
``resource.getrusage`` of the children. Prints a Markdown table for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def timed(cmd: list[str], repeat: int) -> tuple[float, float]:
    """(median wall seconds, max peak RSS MB of the children) over ``repeat`` runs."""
    walls = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        walls.append(time.perf_counter() - start)
    rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return statistics.median(walls), rss_mb


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--records", default="fixtures/real-records")
    args = ap.parse_args()
    py = sys.executable
    folders = sorted(p for p in (REPO / args.records).glob("track_*/*") if p.is_dir())
    bare, _ = timed([py, "-c", "pass"], args.repeat)
    imports, _ = timed([py, "-c", "import auditor.cli"], args.repeat)
    per = {f.name: timed([py, "-m", "auditor", "audit", str(f), "--format", "json"], args.repeat)[0] for f in folders}
    loop = ("import sys\nfrom pathlib import Path\nfrom auditor.context import Context\nfrom auditor.engine import audit\n"
            "for p in sorted(Path(sys.argv[1]).glob('track_*/*')):\n    audit(Context.load(p))\n")
    whole, rss = timed([py, "-c", loop, str(REPO / args.records)], args.repeat)
    worst = max(per, key=per.get)
    print(f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, Python {platform.python_version()}")
    print("| measure | median wall (s) | ratio to bare interpreter |\n|---|---|---|")
    print(f"| `python -c pass` | {bare:.3f} | 1.00 |")
    print(f"| `import auditor.cli` | {imports:.3f} | {imports / bare:.2f} |")
    print(f"| `golf-audit audit` one folder, median of {len(per)} folders | {statistics.median(per.values()):.3f} | "
          f"{statistics.median(per.values()) / bare:.2f} |")
    print(f"| `golf-audit audit` slowest folder ({worst[:40]}) | {per[worst]:.3f} | {per[worst] / bare:.2f} |")
    print(f"| all {len(folders)} real-record folders, one process | {whole:.3f} | {whole / bare:.2f} |")
    print(f"\npeak RSS of any child: {rss:.0f} MB")


if __name__ == "__main__":
    main()

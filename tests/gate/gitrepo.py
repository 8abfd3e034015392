"""Temporary git repositories shaped like the challenge's: a records tree on main, PR branches.

``legal_files`` is a complete, realistic record folder (README, submission JSON with three seeds,
a small train_gpt.py, three train logs whose final lines match the claims), so that it passes
the file and JSON rules today and gives rules that land later real content to read.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

TRACK = "records/track_10min_16mb"
SEEDS = {"1337": (1.2180, 2.0566), "42": (1.2190, 2.0583), "2025": (1.2200, 2.0600)}


def _log(seed: str, bpb: float, loss: float) -> str:
    return (f"seed:{seed}\nworld_size:8 device:NVIDIA H100 80GB HBM3\n"
            "step:1/20000 train_loss:6.9312 train_time:412ms step_avg:412.00ms\n"
            "step:13780/20000 val_loss:2.0701 val_bpb:1.2260 train_time:599812ms step_avg:43.53ms\n"
            "stopping_early: wallclock_cap train_time:599812ms step:13780/20000\n"
            "Serialized model int8+zlib: 15815847 bytes\nTotal submission size int8+zlib: 15863489 bytes\n"
            f"final_int8_zlib_roundtrip val_loss:{loss:.4f} val_bpb:{bpb:.4f} eval_time:1520ms\n"
            f"final_int8_zlib_roundtrip_exact val_loss:{loss:.8f} val_bpb:{bpb:.8f}\n")


def legal_files(date: str = "2026-04-01", name: str = "New record") -> dict[str, str]:
    mean = round(sum(b for b, _ in SEEDS.values()) / len(SEEDS), 8)
    sub = {"name": name, "github_id": "golfer", "author": "A Golfer", "date": date, "val_bpb": mean,
           "val_loss": round(sum(v for _, v in SEEDS.values()) / len(SEEDS), 8), "bytes_total": 15863489,
           "seeds": {s: {"val_bpb": b, "val_loss": v, "bytes_total": 15863489} for s, (b, v) in SEEDS.items()}}
    files = {"README.md": f"# {name}\n\nThree seeds; logs produced by train_gpt.py.\n",
             "submission.json": json.dumps(sub, indent=2) + "\n",
             "train_gpt.py": "import os\n\nSEED = int(os.environ.get('SEED', 1337))\nprint('seed', SEED)\n"}
    files.update({f"train_seed{s}.log": _log(s, b, v) for s, (b, v) in SEEDS.items()})
    return files


class Repo:
    def __init__(self, root: Path):
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")
        self.git("config", "user.name", "Test")
        self.git("config", "user.email", "test@example.com")
        self.git("config", "commit.gpgsign", "false")

    def git(self, *args: str) -> str:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
        out = subprocess.run(["git", "-C", str(self.root), *args], capture_output=True, env=env, check=True)
        return out.stdout.decode("utf-8", "replace").strip()

    def write(self, rel: str | bytes, content: str | bytes = "x\n") -> None:
        path = Path(os.fsdecode(os.path.join(os.fsencode(self.root), os.fsencode(rel))))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)

    def add_folder(self, folder: str, files: dict[str, str]) -> None:
        for rel, text in files.items():
            self.write(f"{folder}/{rel}", text)

    def symlink(self, rel: str, target: str) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, path)

    def commit(self, message: str) -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "--no-verify", "-m", message)
        return self.git("rev-parse", "HEAD")

    def merge_pr(self, number: int, folder: str, files: dict[str, str]) -> None:
        """A record merged the way GitHub merges: a branch, then a merge commit naming the PR."""
        self.git("checkout", "-q", "-b", f"pr-{number}", "main")
        self.add_folder(folder, files)
        self.commit(f"Add {folder}")
        self.git("checkout", "-q", "main")
        self.git("merge", "-q", "--no-ff", f"pr-{number}", "-m", f"Merge pull request #{number} from golfer/pr-{number}")

    def branch(self, name: str) -> None:
        self.git("checkout", "-q", "-b", name, "main")

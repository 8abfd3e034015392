"""Submissions for the re-run tests, built once per session on the shared tiny dataset.

``tiny_submission`` is ``tests/rerun/data/tiny_submission`` with real evidence: its script was run
directly (no torchrun) for seeds 1 and 2, the logs are kept as ``train_seed<N>.log`` and the
submission JSON states what they print. A re-run must confirm it; copies with doctored claims
must be refuted.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data"
SEEDS = (1, 2)


def run_script(folder: Path, seed: int, dataset, extra: dict | None = None) -> Path:
    """Run the folder's train_gpt.py once, directly; returns the log it wrote."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DATA_PATH": str(dataset.data_path),
           "TOKENIZER_PATH": str(dataset.tokenizer_path), "SEED": str(seed), "RUN_ID": f"train_seed{seed}",
           "OMP_NUM_THREADS": "1", "PYTHONHASHSEED": "0", **(extra or {})}
    subprocess.run([sys.executable, "train_gpt.py"], cwd=folder, env=env, check=True, capture_output=True,
                   timeout=300)
    return folder / "logs" / f"train_seed{seed}.txt"


@pytest.fixture(scope="session")
def tiny_submission(tmp_path_factory, tiny_dataset) -> Path:
    from auditor.parsers.runlog import parse_log

    folder = tmp_path_factory.mktemp("tiny") / "submission"
    shutil.copytree(DATA / "tiny_submission", folder)
    seeds = {}
    for seed in SEEDS:
        log = run_script(folder, seed, tiny_dataset)
        shutil.move(log, folder / f"train_seed{seed}.log")
        run = parse_log(folder / f"train_seed{seed}.log")
        seeds[str(seed)] = {"val_bpb": float(run.reported.val_bpb.raw), "val_loss": float(run.reported.val_loss.raw),
                            "bytes_total": int(run.artifact.total.bytes)}
    shutil.rmtree(folder / "logs")
    (folder / "final_model.int8.ptz").unlink()
    mean = round(sum(s["val_bpb"] for s in seeds.values()) / len(seeds), 8)
    claims = {"name": "tiny bigram", "track": "non-record", "val_bpb": mean,
              "bytes_total": max(s["bytes_total"] for s in seeds.values()), "seeds": seeds}
    (folder / "submission.json").write_text(json.dumps(claims, indent=2) + "\n")
    return folder


@pytest.fixture
def doctored(tiny_submission, tmp_path):
    """A copy of the tiny submission whose JSON claims a better val_bpb and a smaller artifact."""
    folder = tmp_path / "doctored"
    shutil.copytree(tiny_submission, folder)
    claims = json.loads((folder / "submission.json").read_text())
    for s in claims["seeds"].values():
        s["val_bpb"] = round(s["val_bpb"] - 0.05, 8)
        s["bytes_total"] = s["bytes_total"] - 20_000
    claims["val_bpb"] = round(claims["val_bpb"] - 0.05, 8)
    (folder / "submission.json").write_text(json.dumps(claims, indent=2) + "\n")
    return folder


@pytest.fixture
def rerun_args(tiny_dataset, tmp_path):
    """The common command-line arguments of a re-run on the tiny dataset, with a fresh work dir."""
    def args(*seeds, work="work"):
        return ["--seeds", ",".join(map(str, seeds)), "--data-path", tiny_dataset.data_path,
                "--tokenizer-path", tiny_dataset.tokenizer_path, "--work-dir", tmp_path / work, "--quiet"]
    return args

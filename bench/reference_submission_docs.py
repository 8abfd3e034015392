"""Write README.md and submission.json of fixtures/reference_submission/ from its seed logs.

    python bench/reference_submission_docs.py fixtures/reference_submission

Every number comes from a ``train_seed*.log`` read with the auditor's own log parser; the run
configuration comes from the logs' hyperparameter dumps. Run by bench/make_reference_submission.sh.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from auditor.parsers.runlog import parse_log

CONFIG_KEYS = ("vocab_size", "num_layers", "model_dim", "num_heads", "num_kv_heads", "mlp_mult",
               "train_seq_len", "train_batch_tokens", "grad_accum_steps", "iterations", "warmup_steps",
               "warmdown_iters", "val_loss_every", "train_log_every", "val_batch_size", "eval_mode",
               "eval_stride", "ttt_chunk_tokens", "ttt_lr", "ttt_epochs")


def seed_rows(folder: Path) -> list[dict]:
    rows = []
    for path in sorted(folder.glob("train_seed*.log")):
        log = parse_log(path)
        score = log.reported
        if score is None or log.seed is None or log.artifact.total is None:
            raise SystemExit(f"{path}: no final score, seed or artifact size in the log")
        steps = log.training.steps.value
        rows.append({"seed": int(log.seed.value), "val_loss": score.val_loss.raw, "val_bpb": score.val_bpb.raw,
                     "steps": int(steps), "ms_per_step": log.training.train_time_ms / steps,
                     "bytes_total": int(log.artifact.total.size.value),
                     "bytes_code": int(log.artifact.code.size.value), "tag": score.tag, "log": path.name,
                     "hp": {k: log.hyperparameter(k).value for k in CONFIG_KEYS}})
    if not rows:
        raise SystemExit(f"{folder}: no train_seed*.log")
    return rows


def mean(values) -> float:
    values = [float(v) for v in values]
    return round(sum(values) / len(values), 8)


def readme(rows: list[dict]) -> str:
    hp = rows[0]["hp"]
    env = " ".join(f"{k.upper()}={v}" for k, v in hp.items())
    table = ["| Seed | val_loss | val_bpb | Steps | ms/step | Artifact (bytes) |",
             "|------|----------|---------|-------|---------|------------------|"]
    table += [f"| {r['seed']} | {r['val_loss']} | {r['val_bpb']} | {r['steps']} | {r['ms_per_step']:.2f} | "
              f"{r['bytes_total']:,} |" for r in rows]
    table.append(f"| **Mean** | {mean(r['val_loss'] for r in rows):.8f} | "
                 f"**{mean(r['val_bpb'] for r in rows):.8f}** | | | |")
    return f"""# Reference submission: golf-audit's reference model, tiny CPU configuration

Non-record submission. The challenge baseline's model family (GQA attention with RoPE and QK-norm,
relu² MLP, U-Net skips, tied embeddings, logit softcap 30; Muon + Adam; int8 per-row + zlib
artifact) from golf-audit's `reference_model/`, bundled into this one `train_gpt.py` by
`python -m reference_model.bundle`. It is scaled down to {hp['num_layers']} layers × {hp['model_dim']}
and run on **one CPU thread** on *generated* offline data (`python -m reference_model.datamaker`,
seed 0: a 1024-piece sentencepiece BPE and 50,000 validation tokens), so neither the hardware nor
the validation set is the challenge's: its scores are not comparable to FineWeb scores.

The reported score is legal score-first test-time training (`EVAL_MODE=ttt`): each chunk of
{hp['ttt_chunk_tokens']} validation tokens is scored with sliding windows (stride {hp['eval_stride']})
under the current weights, then the weights take an SGD step on that chunk. With `GOLF_LEDGER_PATH`
set the script writes the token-ledger events of its final evaluation (`$GOLF_LEDGER_PATH.rank<r>`).

## Results ({rows[0]['tag'].replace('_exact', '')})

{chr(10).join(table)}

## How to run

```bash
python -m reference_model.datamaker /tmp/golf-reference-submission/data --seed 0
DATA_PATH=/tmp/golf-reference-submission/data/datasets/fineweb10B_sp1024 \\
TOKENIZER_PATH=/tmp/golf-reference-submission/data/tokenizers/fineweb_1024_bpe.model \\
OMP_NUM_THREADS=1 DEVICE=cpu {env} \\
SEED=1337 python train_gpt.py
```

The logs were made by `bench/make_reference_submission.sh` in the golf-audit repository, which
runs exactly this for seeds {', '.join(str(r['seed']) for r in rows)} and then writes this README and
`submission.json` from the logs.
"""


def submission(rows: list[dict]) -> dict:
    biggest = max(rows, key=lambda r: r["bytes_total"])
    return {
        "name": "golf-audit reference model (tiny CPU, score-first TTT)",
        "author": "golf-audit",
        "github_id": "golf-audit",
        "date": "2026-11-29",
        "track": "non-record-16mb",
        "blurb": "Reference stack of the golf-audit project at a tiny scale on one CPU thread and generated "
                 "data; legal score-first TTT eval; a fixture for auditing, proving and re-running.",
        "val_bpb": mean(r["val_bpb"] for r in rows),
        "val_loss": mean(r["val_loss"] for r in rows),
        "bytes_total": biggest["bytes_total"],
        "bytes_code": biggest["bytes_code"],
        "seeds": {str(r["seed"]): {"val_bpb": float(r["val_bpb"]), "val_loss": float(r["val_loss"]),
                                   "bytes_total": r["bytes_total"]} for r in rows},
    }


def main(argv: list[str]) -> int:
    folder = Path(argv[0])
    rows = seed_rows(folder)
    (folder / "README.md").write_text(readme(rows), encoding="utf-8")
    (folder / "submission.json").write_text(json.dumps(submission(rows), indent=2) + "\n", encoding="utf-8")
    print(f"{folder}: README.md and submission.json from {len(rows)} logs")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

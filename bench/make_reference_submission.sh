#!/usr/bin/env bash
# Regenerate fixtures/reference_submission/ exactly as it is committed:
#   1. generated offline data (reference_model.datamaker, seed 0) in $WORK/data;
#   2. train_gpt.py bundled from reference_model/ (python -m reference_model.bundle);
#   3. three REAL CPU runs of that train_gpt.py (seeds 1337, 42, 2024), one thread each, tiny config;
#      each log (logs/<RUN_ID>.txt) is copied to train_seed<SEED>.log;
#   4. README.md's results table and submission.json written from those logs by
#      bench/reference_submission_docs.py (every number comes from a log).
# Usage: bench/make_reference_submission.sh [PYTHON]     (default /work/venv/bin/python)
# Takes about 1-2 minutes on an idle 2-core machine; torch (CPU) and sentencepiece are needed.
set -euo pipefail
PY=${1:-/work/venv/bin/python}
REPO=$(cd "$(dirname "$0")/.." && pwd)
OUT=$REPO/fixtures/reference_submission
WORK=${WORK:-/tmp/golf-reference-submission}
rm -rf "$WORK" && mkdir -p "$WORK" "$OUT"
cd "$REPO"
PYTHONPATH=$REPO "$PY" -m reference_model.datamaker "$WORK/data" --vocab-size 1024 \
    --train-tokens 200000 --val-tokens 50000 --train-shards 2 --seed 0
PYTHONPATH=$REPO "$PY" -m reference_model.bundle "$OUT/train_gpt.py"

# The tiny configuration (also printed in README.md by the docs script).
export DATA_PATH=$WORK/data/datasets/fineweb10B_sp1024
export TOKENIZER_PATH=$WORK/data/tokenizers/fineweb_1024_bpe.model
export VOCAB_SIZE=1024 NUM_LAYERS=3 MODEL_DIM=64 NUM_HEADS=4 NUM_KV_HEADS=2 MLP_MULT=2
export TRAIN_SEQ_LEN=128 TRAIN_BATCH_TOKENS=4096 GRAD_ACCUM_STEPS=1 ITERATIONS=100 WARMUP_STEPS=2
export WARMDOWN_ITERS=30 VAL_LOSS_EVERY=50 TRAIN_LOG_EVERY=10 VAL_BATCH_SIZE=16384
export EVAL_MODE=ttt EVAL_STRIDE=64 TTT_CHUNK_TOKENS=8192 TTT_LR=0.01 TTT_EPOCHS=1
export OMP_NUM_THREADS=1 DEVICE=cpu

for SEED in 1337 42 2024; do
    RUN=$WORK/run_seed$SEED
    mkdir -p "$RUN" && cp "$OUT/train_gpt.py" "$RUN/"
    # -I: isolated mode, nothing from this repository is importable; the script stands alone.
    (cd "$RUN" && SEED=$SEED RUN_ID=seed$SEED "$PY" -I train_gpt.py > stdout.txt)
    cp "$RUN/logs/seed$SEED.txt" "$OUT/train_seed$SEED.log"
done
PYTHONPATH=$REPO "$PY" bench/reference_submission_docs.py "$OUT"

#!/usr/bin/env bash
# Training/eval throughput on one GPU: our reference stack vs the challenge's baseline train_gpt.py,
# same configuration (9x512, vocab 1024, seq 1024, 524,288 tokens a step through 8 accumulation
# steps as the baseline does on one GPU), same random-token shards, same tokenizer.
#
#   bench/refmodel_throughput.sh [BASELINE_TRAIN_GPT_PY]      # baseline part skipped without it
#
# Each run: WARMUP_STEPS priming steps (torch.compile happens there, then the state is reset),
# ITERATIONS timed steps, one validation at the last step and the final int8+zlib round-trip
# evaluation, over VAL_TOKENS random validation tokens. Prints a markdown table (throughput_table.py).
# Defaults take about 3-4 minutes on one H100 including compilation.
# MICRO=1 shrinks everything (CPU, seconds) to check the script itself; env vars override any knob.
set -euo pipefail
BASELINE=${1:-}
PY=${PY:-python3}
REPO=$(cd "$(dirname "$0")/.." && pwd)
WORK=${WORK:-$(mktemp -d /tmp/refmodel_throughput.XXXXXX)}
export PYTHONPATH=$REPO${PYTHONPATH:+:$PYTHONPATH}

if [[ "${MICRO:-0}" == 1 ]]; then
    : "${NUM_LAYERS:=2}" "${MODEL_DIM:=64}" "${NUM_HEADS:=4}" "${NUM_KV_HEADS:=2}" "${TRAIN_SEQ_LEN:=128}"
    : "${TRAIN_BATCH_TOKENS:=4096}" "${ITERATIONS:=4}" "${WARMUP_STEPS:=1}" "${VAL_TOKENS:=8193}"
    : "${TRAIN_TOKENS:=65536}" "${VAL_BATCH_SIZE:=16384}"
fi
export VOCAB_SIZE=${VOCAB_SIZE:-1024} NUM_LAYERS=${NUM_LAYERS:-9} MODEL_DIM=${MODEL_DIM:-512}
export NUM_HEADS=${NUM_HEADS:-8} NUM_KV_HEADS=${NUM_KV_HEADS:-4} MLP_MULT=${MLP_MULT:-2}
export TRAIN_SEQ_LEN=${TRAIN_SEQ_LEN:-1024} TRAIN_BATCH_TOKENS=${TRAIN_BATCH_TOKENS:-524288}
export ITERATIONS=${ITERATIONS:-60} WARMUP_STEPS=${WARMUP_STEPS:-5} VAL_BATCH_SIZE=${VAL_BATCH_SIZE:-524288}
export MAX_WALLCLOCK_SECONDS=0 VAL_LOSS_EVERY=0 TRAIN_LOG_EVERY=${TRAIN_LOG_EVERY:-10} SEED=${SEED:-1337}
export EVAL_MODE=plain
VAL_TOKENS=${VAL_TOKENS:-2097153}
TRAIN_TOKENS=${TRAIN_TOKENS:-33554432}

echo "work dir: $WORK" >&2
"$PY" "$REPO/bench/make_random_shards.py" "$WORK/data" --vocab-size "$VOCAB_SIZE" \
    --train-tokens "$TRAIN_TOKENS" --train-shards 2 --val-tokens "$VAL_TOKENS" >&2
# The baseline insists on a sentencepiece model of VOCAB_SIZE pieces; a small generated one will do
# (it only feeds the byte count of val_bpb, meaningless on random tokens anyway).
"$PY" -m reference_model.datamaker "$WORK/tok" --vocab-size "$VOCAB_SIZE" --train-tokens 1000 \
    --val-tokens 1000 --train-shards 1 >&2
export DATA_PATH=$WORK/data TOKENIZER_PATH=$WORK/tok/tokenizers/fineweb_${VOCAB_SIZE}_bpe.model

run() {  # label, script
    mkdir -p "$WORK/$1" && cp "$2" "$WORK/$1/train_gpt.py"
    local t0=$SECONDS
    (cd "$WORK/$1" && RUN_ID=$1 "$PY" train_gpt.py > stdout.txt 2> stderr.txt) \
        || { echo "$1 failed; tail of $WORK/$1/stderr.txt:" >&2; tail -20 "$WORK/$1/stderr.txt" >&2; exit 1; }
    echo "$1: $((SECONDS - t0)) s wall including compile" >&2
}

"$PY" -m reference_model.bundle "$WORK/ours.py" >&2
run ours "$WORK/ours.py"
rows=("ours=$WORK/ours/logs/ours.txt")
if [[ -n "$BASELINE" ]]; then
    run baseline "$BASELINE"
    rows+=("baseline=$WORK/baseline/logs/baseline.txt")
fi
"$PY" "$REPO/bench/throughput_table.py" "${rows[@]}"

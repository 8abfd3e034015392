#!/usr/bin/env bash
# Every GPU figure of BENCHMARKS.md in one call of the device tool (2 GPUs), as it was run:
#
#   bash bench/gpu_session.sh BASELINE_TRAIN_GPT_PY      # writes to $OUT (default ./gpu_out)
#
# Phase A, side by side: GPU 0 runs the training-throughput comparison (ours vs the challenge
# baseline), GPU 1 the prove-overhead benchmark and then a full-size re-run on one GPU.
# Phase B: the re-run on both GPUs under the token-ledger instrumentation (torchrun, NCCL).
# Each part is bounded with `timeout`, so one failure still leaves the others' results.
set -uo pipefail
BASELINE=${1:?usage: gpu_session.sh BASELINE_TRAIN_GPT_PY}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-$ROOT/gpu_out}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 PY=${PY:-python3} PYTHON=${PYTHON:-python3}
export NCCL_NVLS_ENABLE=0 TORCH_SYMM_MEM_DISABLE_MULTICAST=1 NVSHMEM_DISABLE_NVLS=1
{ date -u; nvidia-smi -L; nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv
  "$PY" -c 'import torch, sys; print(sys.version.split()[0], torch.__version__, torch.version.cuda, torch.cuda.device_count())'
} > "$OUT/env.txt" 2>&1
unshare -rn true 2>/dev/null && echo "network namespaces: yes" >> "$OUT/env.txt" \
  || { echo "network namespaces: NO (runs not network-isolated)" >> "$OUT/env.txt"; export GOLF_AUDIT_ALLOW_NO_ISOLATION=1; }
start=$SECONDS
( CUDA_VISIBLE_DEVICES=0 timeout "${T_THROUGHPUT:-330}" bash "$ROOT/bench/refmodel_throughput.sh" "$BASELINE" \
    > "$OUT/throughput.txt" 2>&1; echo "exit $? after $((SECONDS - start)) s" >> "$OUT/throughput.txt" ) &
( export CUDA_VISIBLE_DEVICES=1
  timeout "${T_PROVE:-150}" "$PY" "$ROOT/bench/prove_overhead.py" --device cuda > "$OUT/prove_overhead.txt" 2>&1
  echo "exit $? after $((SECONDS - start)) s" >> "$OUT/prove_overhead.txt"
  OUT=$OUT/rerun1 WALLCLOCK=${WALLCLOCK1:-60} TIMEOUT=240 timeout 270 bash "$ROOT/bench/rerun_full.sh" \
    > "$OUT/rerun1.txt" 2>&1; echo "exit $? after $((SECONDS - start)) s" >> "$OUT/rerun1.txt" ) &
wait
echo "phase A took $((SECONDS - start)) s" >> "$OUT/env.txt"
( OUT=$OUT/rerun2 VARIANT=nproc2-instrument WALLCLOCK=${WALLCLOCK2:-45} VAL_TOKENS=${VAL_TOKENS2:-524288} TIMEOUT=200 \
    timeout 230 bash "$ROOT/bench/rerun_full.sh" > "$OUT/rerun2.txt" 2>&1
  echo "exit $? after $((SECONDS - start)) s" >> "$OUT/rerun2.txt" ) &
# prove on both GPUs (torchrun, NCCL): a legal sharded eval, a sharded pre-quant TTT, the reference submission
( for f in sharded_eval sharded_prequant_ttt; do
    t0=$SECONDS
    timeout 200 "$PY" -m auditor prove "$ROOT/fixtures/prove/$f" --device cuda --nproc 2 --format json \
      -o "$OUT/prove_$f.json" --timeout 150 --fail-on never > "$OUT/prove_$f.log" 2>&1
    echo "$f: exit $? in $((SECONDS - t0)) s" >> "$OUT/prove_gpu.txt"
  done
  t0=$SECONDS
  timeout 200 "$PY" -m auditor prove "$ROOT/fixtures/reference_submission" --device cuda --format json \
    -o "$OUT/prove_reference.json" --timeout 150 --fail-on never > "$OUT/prove_reference.log" 2>&1
  echo "reference_submission: exit $? in $((SECONDS - t0)) s" >> "$OUT/prove_gpu.txt"
  cat "$OUT"/prove_*.log >> "$OUT/prove_gpu.txt"; rm -f "$OUT"/prove_*.log ) &
wait
# at most 8 files come back: the summaries above plus one archive of the reports, receipts and logs
(cd "$OUT" && tar -czf artifacts.tgz $(ls -d rerun1 rerun2 prove_*.json 2>/dev/null) && rm -rf rerun1 rerun2 prove_*.json)
echo "total $((SECONDS - start)) s" >> "$OUT/env.txt"

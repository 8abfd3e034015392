"""Cost of the prove instrumentation: the reference model's eval, bare and under the tracer.

    python bench/prove_overhead.py --device cuda               # full size: 9x512, vocab 1024, seq 1024
    python bench/prove_overhead.py --device cpu --micro        # a seconds-long check of the script

Builds the reference model (random weights; the timing does not depend on them) and a random
validation stream with unique 8-token windows, runs ``reference_model.evaluate`` once to warm up,
then alternately bare and instrumented (``--repeat`` times each), and prints the median wall times
and the overhead ratio (goal: at most 1.10 on an H100). The instrumented runs must also count
every position exactly once, which is checked from their ledger.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

FULL = dict(num_layers=9, model_dim=512, num_heads=8, num_kv_heads=4, vocab_size=1024)
MICRO = dict(num_layers=2, model_dim=64, num_heads=2, num_kv_heads=1, vocab_size=1024)


def parse(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", default="cuda", choices=("cuda", "cpu"))
    ap.add_argument("--micro", action="store_true", help="tiny model and stream (CPU smoke run)")
    ap.add_argument("--val-tokens", type=int, default=None, help="default 2M (full) / 16K (micro)")
    ap.add_argument("--seq-len", type=int, default=None, help="default 1024 (full) / 64 (micro)")
    ap.add_argument("--batch-seqs", type=int, default=32)
    ap.add_argument("--stride", type=int, default=0, help="sliding-window stride (0: plain windows)")
    ap.add_argument("--repeat", type=int, default=3)
    return ap.parse_args(argv)


def setup(args):
    import numpy as np
    import torch

    from auditor.dynamic.probe import unique_stream
    from reference_model.bpb import ByteTable
    from reference_model.evaluate import EvalData, EvalSpec
    from reference_model.model import GPT, GPTConfig

    cfg = GPTConfig(**(MICRO if args.micro else FULL))
    seq = args.seq_len or (64 if args.micro else 1024)
    n = args.val_tokens or (16_384 if args.micro else 2_000_000)
    rng = np.random.default_rng(0)
    stream = unique_stream(n + 1, np.arange(4, cfg.vocab_size), 1, rng)
    table = ByteTable(np.full(cfg.vocab_size, 3, np.int16), np.zeros(cfg.vocab_size, bool), np.zeros(cfg.vocab_size, bool))
    device = torch.device(args.device)
    torch.manual_seed(0)
    model = GPT(cfg).to(device).eval()
    spec = EvalSpec(mode="sliding" if args.stride else "plain", seq_len=seq, batch_seqs=args.batch_seqs,
                    stride=args.stride)
    return model, EvalData(stream, table, seq), spec, stream, cfg, device


def timed_eval(model, data, spec, device) -> tuple[float, float]:
    import torch

    from reference_model.evaluate import evaluate

    if device.type == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    res = evaluate(model, data, spec, device=device)
    if device.type == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - start, res.val_bpb


def main(argv=None) -> int:
    args = parse(argv)
    import torch

    from auditor.dynamic.instrument.tracer import TraceMode, Tracer, install_hooks
    from auditor.dynamic.ledger import Ledger

    model, data, spec, stream, cfg, device = setup(args)
    timed_eval(model, data, spec, device)  # warm-up: kernels, allocator, caches
    work = Path(tempfile.mkdtemp(prefix="prove-bench-"))
    tracer = Tracer(stream, str(work / "events.rank0"), vocab_size=cfg.vocab_size, root=str(REPO / "reference_model"))
    mode = TraceMode(tracer)
    remove_hooks = install_hooks(tracer, mode)
    bare, traced, bpbs = [], [], []
    for _ in range(args.repeat):
        t, b = timed_eval(model, data, spec, device)
        bare.append(t)
        bpbs.append(b)
        with mode:
            t, b = timed_eval(model, data, spec, device)
        traced.append(t)
        bpbs.append(b)
    remove_hooks()
    tracer.close()
    ledger = Ledger.load([work / "events.rank0"])
    counted = sum(int(s.counted.sum()) for s in ledger.scores.values())
    out = {"device": torch.cuda.get_device_name() if device.type == "cuda" else "cpu",
           "model": f"{cfg.num_layers}x{cfg.model_dim} vocab {cfg.vocab_size}", "seq_len": spec.seq_len,
           "positions": data.n, "mode": spec.mode, "repeat": args.repeat, "torch": torch.__version__,
           "bare_s": round(statistics.median(bare), 4), "instrumented_s": round(statistics.median(traced), 4),
           "overhead": round(statistics.median(traced) / statistics.median(bare), 4),
           "counted_per_pass": counted / args.repeat, "bpb_equal": len({round(b, 6) for b in bpbs}) == 1}
    print(json.dumps(out))
    return 0 if out["counted_per_pass"] == data.n and out["bpb_equal"] else 1


if __name__ == "__main__":
    sys.exit(main())

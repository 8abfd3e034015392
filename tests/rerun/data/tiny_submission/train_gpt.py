"""A tiny Parameter Golf style submission for the re-run tests: it follows the challenge's script
conventions (hyperparameters from the environment, fineweb_*.bin shards with a 256-int32 header,
a sentencepiece byte table for val_bpb, an int8+zlib artifact, challenge-style log lines, a
log file under logs/<RUN_ID>.txt that starts with the code) but trains a bigram MLP for a few
steps, so a run takes seconds on a CPU. Under torchrun with several processes every rank draws the
same global batch and trains on its share, gradients are averaged and the evaluation is split over
the ranks (gloo on CPU, nccl on CUDA): the result does not depend on the number of processes,
up to the order of floating-point sums.
"""

import glob
import io
import math
import os
import sys
import time
import zlib

import numpy as np
import sentencepiece as spm
import torch
import torch.distributed as dist
import torch.nn.functional as F

DATA_PATH = os.environ.get("DATA_PATH", "./data/datasets/fineweb10B_sp1024")
TOKENIZER_PATH = os.environ.get("TOKENIZER_PATH", "./data/tokenizers/fineweb_1024_bpe.model")
RUN_ID = os.environ.get("RUN_ID", "run")
SEED = int(os.environ.get("SEED", 1337))
VOCAB_SIZE = int(os.environ.get("VOCAB_SIZE", 1024))
ITERATIONS = int(os.environ.get("ITERATIONS", 30))
TRAIN_BATCH_TOKENS = int(os.environ.get("TRAIN_BATCH_TOKENS", 4096))
MODEL_DIM = int(os.environ.get("MODEL_DIM", 32))
LR = float(os.environ.get("LR", 0.02))
TRAIN_LOG_EVERY = int(os.environ.get("TRAIN_LOG_EVERY", 10))
MAX_WALLCLOCK_SECONDS = float(os.environ.get("MAX_WALLCLOCK_SECONDS", 600.0))
STEP_SLEEP_SECONDS = float(os.environ.get("STEP_SLEEP_SECONDS", 0.0))  # slows steps down for tests

MAGIC, VERSION, HEADER_INTS = 20240520, 1, 256


def read_shard(path):
    header = np.fromfile(path, dtype="<i4", count=HEADER_INTS)
    if header.size != HEADER_INTS or header[0] != MAGIC or header[1] != VERSION:
        raise ValueError(f"{path}: not a shard")
    tokens = np.fromfile(path, dtype="<u2", offset=HEADER_INTS * 4)
    if tokens.size != header[2]:
        raise ValueError(f"{path}: {tokens.size} tokens, header says {header[2]}")
    return tokens


def load_split(split):
    files = sorted(glob.glob(os.path.join(DATA_PATH, f"fineweb_{split}_*.bin")))
    if not files:
        raise FileNotFoundError(f"no fineweb_{split}_*.bin in {DATA_PATH}")
    return np.concatenate([read_shard(f) for f in files]), len(files)


def byte_table(sp):
    """Bytes per token: UTF-8 of the piece, '▁' counted as a space only after a non-boundary."""
    n = sp.get_piece_size()
    base = np.zeros(VOCAB_SIZE, dtype=np.int64)
    space = np.zeros(VOCAB_SIZE, dtype=bool)
    boundary = np.ones(VOCAB_SIZE, dtype=bool)
    for i in range(n):
        if sp.is_control(i) or sp.is_unknown(i) or sp.is_unused(i):
            continue
        boundary[i] = False
        if sp.is_byte(i):
            base[i] = 1
            continue
        piece = sp.id_to_piece(i)
        if piece.startswith("\u2581"):
            space[i], piece = True, piece[1:]
        base[i] = len(piece.encode("utf-8"))
    return torch.from_numpy(base), torch.from_numpy(space), torch.from_numpy(boundary)


class Bigram(torch.nn.Module):
    """Next-token logits from the current token only: embed -> tanh MLP -> vocab."""

    def __init__(self, vocab, dim):
        super().__init__()
        self.emb = torch.nn.Embedding(vocab, dim)
        self.hidden = torch.nn.Linear(dim, dim)
        self.out = torch.nn.Linear(dim, vocab)

    def forward(self, x):  # x: (N,) token ids -> (N, vocab) logits
        return self.out(torch.tanh(self.hidden(self.emb(x))))


def quantize(state):
    """Symmetric per-tensor int8 of every float tensor, with its scale."""
    out = {}
    for name, t in state.items():
        scale = t.abs().max().clamp_min(1e-8) / 127.0
        out[name] = ((t / scale).round().clamp(-127, 127).to(torch.int8), scale)
    return out


def dequantize(q):
    return {name: w.float() * scale for name, (w, scale) in q.items()}


def main():
    torch.set_num_threads(1)
    rank, world = int(os.environ.get("RANK", 0)), int(os.environ.get("WORLD_SIZE", 1))
    device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", 0))) if torch.cuda.is_available() else torch.device("cpu")
    if world > 1:
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    master = rank == 0
    code = open(__file__, encoding="utf-8").read()
    logfile = f"logs/{RUN_ID}.txt"
    if master:
        os.makedirs("logs", exist_ok=True)

    def log0(msg, console=True):
        if not master:
            return
        if console:
            print(msg, flush=True)
        with open(logfile, "a", encoding="utf-8") as fh:
            print(msg, file=fh)

    log0(code, console=False)
    log0("=" * 100, console=False)
    log0(f"Running Python {sys.version}", console=False)
    log0(f"Running PyTorch {torch.__version__}", console=False)
    log0(f"device:{torch.cuda.get_device_name(device) if device.type == 'cuda' else 'cpu'}")
    log0("=" * 100, console=False)

    torch.manual_seed(SEED)
    sp = spm.SentencePieceProcessor(model_file=TOKENIZER_PATH)
    base, space, boundary = (t.to(device) for t in byte_table(sp))
    train, n_train = load_split("train")
    val, _ = load_split("val")
    log0(f"train_loader:dataset:{os.path.basename(DATA_PATH.rstrip('/'))} train_shards:{n_train}")
    log0(f"val_loader:shards tokens:{val.size - 1}")
    log0(f"world_size:{world}")
    log0(f"seed:{SEED}")

    model = Bigram(VOCAB_SIZE, MODEL_DIM).to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=LR)
    rng = np.random.default_rng(SEED)
    train_ms, step = 0.0, 0
    while step < ITERATIONS:
        t0 = time.perf_counter()
        starts = rng.integers(0, train.size - 1, size=TRAIN_BATCH_TOKENS)[rank::world]
        x = torch.from_numpy(train[starts].astype(np.int64)).to(device)
        y = torch.from_numpy(train[starts + 1].astype(np.int64)).to(device)
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if world > 1:
            for p in model.parameters():
                dist.all_reduce(p.grad)
                p.grad /= world
        opt.step()
        if STEP_SLEEP_SECONDS:
            time.sleep(STEP_SLEEP_SECONDS)
        step += 1
        train_ms += 1000.0 * (time.perf_counter() - t0)
        if step % TRAIN_LOG_EVERY == 0 or step == ITERATIONS:
            log0(f"step:{step}/{ITERATIONS} train_loss:{loss.item():.4f} train_time:{train_ms:.0f}ms "
                 f"step_avg:{train_ms / step:.2f}ms")
        if train_ms >= 1000.0 * MAX_WALLCLOCK_SECONDS and step < ITERATIONS:
            log0(f"stopping_early: wallclock_cap train_time:{train_ms:.0f}ms step:{step}/{ITERATIONS}")
            break

    q = quantize({k: v.detach().cpu() for k, v in model.state_dict().items()})
    buf = io.BytesIO()
    torch.save(q, buf)
    blob = zlib.compress(buf.getvalue(), 9)
    if master:
        with open("final_model.int8.ptz", "wb") as fh:
            fh.write(blob)
        code_bytes = len(code.encode("utf-8"))
        log0(f"Serialized model int8+zlib: {len(blob)} bytes")
        log0(f"Code size: {code_bytes} bytes")
        log0(f"Total submission size int8+zlib: {len(blob) + code_bytes} bytes")
    if world > 1:
        dist.barrier()
    with open("final_model.int8.ptz", "rb") as fh:
        restored = torch.load(io.BytesIO(zlib.decompress(fh.read())), map_location="cpu")
    model.load_state_dict(dequantize(restored))

    t_eval = time.perf_counter()
    n = val.size - 1
    lo, hi = n * rank // world, n * (rank + 1) // world
    prev = torch.from_numpy(val[lo:hi].astype(np.int64)).to(device)
    tgt = torch.from_numpy(val[lo + 1:hi + 1].astype(np.int64)).to(device)
    loss_sum = torch.zeros((), device=device, dtype=torch.float64)
    with torch.no_grad():
        for p, t in zip(prev.split(8192), tgt.split(8192)):
            loss_sum += F.cross_entropy(model(p), t, reduction="none").double().sum()
    nbytes = base[tgt] + (space[tgt] & ~boundary[prev]).long()
    sums = [loss_sum, torch.tensor(float(tgt.numel()), device=device, dtype=torch.float64),
            nbytes.double().sum()]
    if world > 1:
        for x in sums:
            dist.all_reduce(x)
    val_loss = (sums[0] / sums[1]).item()
    val_bpb = (sums[0] / math.log(2.0) / sums[2]).item()
    eval_ms = 1000.0 * (time.perf_counter() - t_eval)
    log0(f"final_int8_zlib_roundtrip val_loss:{val_loss:.4f} val_bpb:{val_bpb:.4f} eval_time:{eval_ms:.0f}ms")
    log0(f"final_int8_zlib_roundtrip_exact val_loss:{val_loss:.8f} val_bpb:{val_bpb:.8f}")
    if world > 1:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()

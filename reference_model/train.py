"""Train, quantize, compress and evaluate the reference GPT; the ``train_gpt.py`` entry point.

    DATA_PATH=... TOKENIZER_PATH=... SEED=42 torchrun --standalone --nproc_per_node=8 train_gpt.py
    python -m reference_model.train                     # the same from the package, one process

Hyperparameters come from environment variables (``Hyperparameters``); the log (stdout and
``logs/<RUN_ID>.txt``) prints the lines the challenge's baseline prints, so the same parsers read
it, after a header with the code, its sha256, the Python/PyTorch versions and the device.
Works on CUDA (bf16 autocast, torch.compile, NCCL) and on CPU (fp32, eager, gloo).
"""

from __future__ import annotations

import copy
import hashlib
import os
import platform
import subprocess
import sys
import time
import uuid
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP

from reference_model.bpb import ByteTable
from reference_model.data import load_tokens, read_shard, shard_paths
from reference_model.evaluate import EvalData, EvalSpec, evaluate, open_ledger
from reference_model.model import GPT, GPTConfig, param_count, prepare_for_training
from reference_model.optim import build_optimizers, lr_scale, muon_momentum, newton_schulz, set_schedule
from reference_model.quantize import export_artifact, load_artifact

BUNDLED = False  # the bundler sets this to True in the single-file train_gpt.py


@dataclass
class Hyperparameters:
    data_path: str = "./data/datasets/fineweb10B_sp1024"
    tokenizer_path: str = "./data/tokenizers/fineweb_1024_bpe.model"
    run_id: str = ""
    seed: int = 1337
    # training length and batch
    iterations: int = 20000
    warmup_steps: int = 20           # compile/priming steps, then weights and optimizers are reset
    lr_warmup_steps: int = 0
    warmdown_iters: int = 1200
    train_batch_tokens: int = 524_288
    train_seq_len: int = 1024
    eval_seq_len: int = 0            # 0: TRAIN_SEQ_LEN
    grad_accum_steps: int = 0        # 0: 8 // world_size, as the baseline
    max_wallclock_seconds: float = 600.0
    train_log_every: int = 200
    val_loss_every: int = 1000
    val_batch_size: int = 524_288
    # evaluation of the final artifact
    eval_mode: str = "plain"         # plain | sliding | ttt
    eval_stride: int = 64            # sliding (and TTT scoring) stride
    ttt_chunk_tokens: int = 32768
    ttt_lr: float = 0.002
    ttt_momentum: float = 0.9
    ttt_epochs: int = 1
    compressor: str = "zlib"         # zlib | brotli
    # optimizer
    embed_lr: float = 0.6
    head_lr: float = 0.008
    tied_embed_lr: float = 0.05
    matrix_lr: float = 0.04
    scalar_lr: float = 0.04
    muon_momentum: float = 0.95
    muon_backend_steps: int = 5
    muon_momentum_warmup_start: float = 0.85
    muon_momentum_warmup_steps: int = 500
    beta1: float = 0.9
    beta2: float = 0.95
    adam_eps: float = 1e-8
    grad_clip_norm: float = 0.0
    compile: int = -1                # -1: on for CUDA, off for CPU
    output_dir: str = "."

    @classmethod
    def from_env(cls, env=None) -> "Hyperparameters":
        env = os.environ if env is None else env
        values = {f.name: type(f.default)(env[f.name.upper()]) for f in fields(cls) if f.name.upper() in env}
        hp = cls(**values)
        hp.run_id = hp.run_id or str(uuid.uuid4())
        return hp


# -- code, logging -------------------------------------------------------------------------------

def code_text() -> str:
    """The counted code: this file when bundled, else the bundle the package would ship."""
    if BUNDLED:
        return Path(__file__).read_text(encoding="utf-8")
    import importlib

    return importlib.import_module("reference_model.bundle").build()


class Logger:
    """Rank 0 prints to stdout and appends to logs/<run_id>.txt; other ranks stay silent."""

    def __init__(self, run_id: str, master: bool):
        self.path = Path("logs") / f"{run_id}.txt" if master else None
        if self.path:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            print(self.path, flush=True)

    def __call__(self, msg: str, console: bool = True) -> None:
        if self.path is None:
            return
        if console:
            print(msg, flush=True)
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(msg + "\n")


def log_header(log: Logger, code: str, device: torch.device) -> None:
    log(code, console=False)
    log("=" * 100, console=False)
    log(f"code_sha256:{hashlib.sha256(code.encode()).hexdigest()} code_bytes:{len(code.encode())}")
    log(f"Running Python {sys.version}", console=False)
    log(f"Running PyTorch {torch.__version__}", console=False)
    log(f"device:{device.type} {describe_device(device)}")
    if device.type == "cuda":
        try:
            smi = subprocess.run(["nvidia-smi"], capture_output=True, text=True, check=False, timeout=30).stdout
        except (OSError, subprocess.SubprocessError) as exc:
            smi = f"nvidia-smi unavailable: {exc}"
        log(smi, console=False)
    log("=" * 100, console=False)


def describe_device(device: torch.device) -> str:
    if device.type == "cuda":
        return f"gpu:{torch.cuda.get_device_name(device)}"
    return f"cpu:{platform.processor() or platform.machine()} threads:{torch.get_num_threads()}"


# -- data ----------------------------------------------------------------------------------------

class TokenLoader:
    """Reads the train shards in order, wrapping around; each call takes one contiguous span per
    rank (+1 token so inputs and targets are a shift of each other)."""

    def __init__(self, data_path: str, rank: int, world: int, device: torch.device):
        self.files = shard_paths(data_path, "train")
        if not self.files:
            raise FileNotFoundError(f"no fineweb_train_*.bin shards in {data_path}")
        self.rank, self.world, self.device = rank, world, device
        self.file_idx, self.tokens, self.pos = 0, read_shard(self.files[0]), 0

    def _take(self, n: int) -> np.ndarray:
        parts = []
        while n > 0:
            if self.pos >= self.tokens.size:
                self.file_idx = (self.file_idx + 1) % len(self.files)
                self.tokens, self.pos = read_shard(self.files[self.file_idx]), 0
                continue
            k = min(n, self.tokens.size - self.pos)
            parts.append(self.tokens[self.pos: self.pos + k])
            self.pos, n = self.pos + k, n - k
        return np.concatenate(parts)

    def next_batch(self, local_tokens: int, seq_len: int) -> tuple[torch.Tensor, torch.Tensor]:
        span = self._take((local_tokens + 1) * self.world)
        local = torch.from_numpy(span[self.rank * (local_tokens + 1):][: local_tokens + 1].astype(np.int64))
        x, y = local[:-1].view(-1, seq_len), local[1:].view(-1, seq_len)
        return x.to(self.device, non_blocking=True), y.to(self.device, non_blocking=True)


def byte_table(hp: Hyperparameters, vocab_size: int, log: Logger) -> ByteTable:
    """The tokenizer's byte table; without a tokenizer (throughput runs) every token is one byte."""
    if hp.tokenizer_path and os.path.isfile(hp.tokenizer_path):
        table = ByteTable.from_tokenizer(hp.tokenizer_path, vocab_size)
        if table.size != vocab_size:
            raise ValueError(f"VOCAB_SIZE={vocab_size} does not match the tokenizer's {table.size} pieces")
        log(f"val_bpb:enabled tokenizer_kind=sentencepiece tokenizer_path={hp.tokenizer_path}")
        return table
    log(f"val_bpb:disabled no tokenizer at {hp.tokenizer_path!r}: one byte per token (throughput only)")
    ones = np.ones(vocab_size, dtype=np.int16)
    return ByteTable(ones, np.zeros(vocab_size, bool), np.zeros(vocab_size, bool))


# -- setup ---------------------------------------------------------------------------------------

@dataclass
class Dist:
    rank: int
    world: int
    local_rank: int
    device: torch.device

    @property
    def master(self) -> bool:
        return self.rank == 0


def setup_distributed() -> Dist:
    """torchrun sets RANK/WORLD_SIZE/LOCAL_RANK; NCCL on CUDA, gloo on CPU."""
    rank, world = int(os.environ.get("RANK", 0)), int(os.environ.get("WORLD_SIZE", 1))
    local = int(os.environ.get("LOCAL_RANK", 0))
    use_cuda = torch.cuda.is_available() and os.environ.get("DEVICE", "") != "cpu"
    device = torch.device("cuda", local) if use_cuda else torch.device("cpu")
    if use_cuda:
        torch.cuda.set_device(device)
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    if "RANK" in os.environ and world > 1:
        dist.init_process_group("nccl" if use_cuda else "gloo")
    return Dist(rank, world, local, device)


def seed_everything(seed: int) -> None:
    np.random.seed(seed)
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _autocast(device: torch.device):
    return torch.autocast(device_type="cuda", dtype=torch.bfloat16, enabled=device.type == "cuda")


# -- main ----------------------------------------------------------------------------------------

def main() -> None:
    hp, cfg = Hyperparameters.from_env(), GPTConfig.from_env()
    d = setup_distributed()
    log = Logger(hp.run_id, d.master)
    code = code_text()
    log_header(log, code, d.device)
    seed_everything(hp.seed)
    accum = hp.grad_accum_steps or (8 // d.world if 8 % d.world == 0 else 1)
    use_compile = hp.compile == 1 or (hp.compile < 0 and d.device.type == "cuda")

    table = byte_table(hp, cfg.vocab_size, log)
    val = EvalData(load_tokens(hp.data_path, "val"), table, hp.eval_seq_len or hp.train_seq_len)
    log(f"train_loader:dataset:{Path(hp.data_path).resolve().name} "
        f"train_shards:{len(shard_paths(hp.data_path, 'train'))}")
    log(f"val_loader:shards pattern={Path(hp.data_path) / 'fineweb_val_*.bin'} tokens:{val.n}")

    base = prepare_for_training(GPT(cfg), d.device)
    compiled = torch.compile(base, dynamic=False, fullgraph=True) if use_compile else base
    model = DDP(compiled, device_ids=[d.local_rank] if d.device.type == "cuda" else None,
                broadcast_buffers=False) if d.world > 1 else compiled
    ns = torch.compile(newton_schulz) if use_compile else newton_schulz
    optimizers = build_optimizers(base, hp, orthogonalize=ns)
    log_config(log, hp, cfg, base, d, accum, use_compile)

    stats = train(hp, base, model, optimizers, val, d, accum, log)
    log(f"peak memory allocated: {_peak_mib(d.device, 'allocated')} MiB "
        f"reserved: {_peak_mib(d.device, 'reserved')} MiB")
    final_evaluation(hp, base, model, val, d, accum, code, log, stats)
    if d.world > 1:
        dist.destroy_process_group()


def log_config(log, hp, cfg, base, d: Dist, accum: int, use_compile: bool) -> None:
    log("Hyperparameters:")
    for k, v in sorted({**asdict(hp), **asdict(cfg)}.items()):
        log(f"  {k}: {v}")
    log(f"model_params:{param_count(base)}")
    log(f"world_size:{d.world} grad_accum_steps:{accum}")
    log(f"attention_mode:gqa num_heads:{cfg.num_heads} num_kv_heads:{cfg.num_kv_heads} compile:{use_compile}")
    log(f"train_batch_tokens:{hp.train_batch_tokens} train_seq_len:{hp.train_seq_len} "
        f"iterations:{hp.iterations} warmup_steps:{hp.warmup_steps} "
        f"max_wallclock_seconds:{hp.max_wallclock_seconds:.3f}")
    log(f"seed:{hp.seed}")


def eval_spec(hp: Hyperparameters, d: Dist, accum: int, mode: str = "plain") -> EvalSpec:
    seq_len = hp.eval_seq_len or hp.train_seq_len
    batch_seqs = max(1, hp.val_batch_size // (d.world * accum * seq_len))
    return EvalSpec(mode=mode, seq_len=seq_len, batch_seqs=batch_seqs,
                    stride=hp.eval_stride if mode == "sliding" or (mode == "ttt" and hp.eval_stride) else 0,
                    chunk_tokens=hp.ttt_chunk_tokens, ttt_lr=hp.ttt_lr, ttt_momentum=hp.ttt_momentum,
                    ttt_epochs=hp.ttt_epochs)


def train(hp, base, model, optimizers, val: EvalData, d: Dist, accum: int, log) -> dict:
    """The training loop: priming steps (then reset), then steps until ITERATIONS or the cap."""
    local_tokens = hp.train_batch_tokens // (d.world * accum) // hp.train_seq_len * hp.train_seq_len
    if local_tokens == 0:
        raise ValueError(f"TRAIN_BATCH_TOKENS={hp.train_batch_tokens} holds no whole sequence of "
                         f"{hp.train_seq_len} per rank and accumulation step ({d.world} x {accum})")
    if local_tokens * d.world * accum != hp.train_batch_tokens:  # any world size: round down, say so
        log(f"train_batch_tokens_effective:{local_tokens * d.world * accum} (TRAIN_BATCH_TOKENS="
            f"{hp.train_batch_tokens} rounded down to whole sequences over {d.world} ranks x {accum} steps)")
    cap_ms = 1000.0 * hp.max_wallclock_seconds if hp.max_wallclock_seconds > 0 else None

    def step_fn(loader, step, elapsed_ms):
        scale = lr_scale(step, elapsed_ms, iterations=hp.iterations, warmdown_iters=hp.warmdown_iters,
                         max_wallclock_ms=cap_ms, lr_warmup_steps=hp.lr_warmup_steps)
        mom = muon_momentum(step, start=hp.muon_momentum_warmup_start, end=hp.muon_momentum,
                            warmup_steps=hp.muon_momentum_warmup_steps)
        set_schedule(optimizers, scale, mom)
        return train_step(hp, base, model, optimizers, loader, d, accum, local_tokens)

    if hp.warmup_steps > 0:
        prime(hp, base, optimizers, lambda loader, s: step_fn(loader, 0, 0.0), d, log)
    loader = TokenLoader(hp.data_path, d.rank, d.world, d.device)
    spec = eval_spec(hp, d, accum)
    train_ms, stop_after, step = 0.0, None, 0
    sync(d.device)
    t0 = time.perf_counter()
    while True:
        last = step == hp.iterations or (stop_after is not None and step >= stop_after)
        if last or (hp.val_loss_every > 0 and step % hp.val_loss_every == 0):
            sync(d.device)
            train_ms += 1000.0 * (time.perf_counter() - t0)
            r = evaluate(model, val, spec, rank=d.rank, world=d.world, device=d.device)
            log(f"step:{step}/{hp.iterations} val_loss:{r.val_loss:.4f} val_bpb:{r.val_bpb:.4f} "
                f"train_time:{train_ms:.0f}ms step_avg:{train_ms / max(step, 1):.2f}ms")
            sync(d.device)
            t0 = time.perf_counter()
        if last:
            if stop_after is not None and step < hp.iterations:
                log(f"stopping_early: wallclock_cap train_time:{train_ms:.0f}ms step:{step}/{hp.iterations}")
            return {"steps": step, "train_ms": train_ms}
        loss = step_fn(loader, step, train_ms + 1000.0 * (time.perf_counter() - t0))
        step += 1
        now_ms = train_ms + 1000.0 * (time.perf_counter() - t0)
        if hp.train_log_every > 0 and (step <= 10 or step % hp.train_log_every == 0 or stop_after is not None):
            log(f"step:{step}/{hp.iterations} train_loss:{loss.item():.4f} train_time:{now_ms:.0f}ms "
                f"step_avg:{now_ms / step:.2f}ms")
        if stop_after is None and cap_ms is not None and _any_rank(now_ms >= cap_ms, d):
            stop_after = step


def train_step(hp, base, model, optimizers, loader, d: Dist, accum: int, local_tokens: int) -> torch.Tensor:
    for opt in optimizers:
        opt.zero_grad(set_to_none=True)
    total = torch.zeros((), device=d.device)
    for micro in range(accum):
        if d.world > 1:
            model.require_backward_grad_sync = micro == accum - 1  # all-reduce once per step
        x, y = loader.next_batch(local_tokens, hp.train_seq_len)
        with _autocast(d.device):
            loss = model(x, y).mean()
        total += loss.detach()
        (loss / accum).backward()
    if hp.grad_clip_norm > 0:
        torch.nn.utils.clip_grad_norm_(base.parameters(), hp.grad_clip_norm)
    for opt in optimizers:
        opt.step()
    return total / accum


def prime(hp, base, optimizers, run_step, d: Dist, log) -> None:
    """Run WARMUP_STEPS real steps (compiles every path), then restore the initial state."""
    weights = {k: v.detach().clone() for k, v in base.state_dict().items()}
    states = [copy.deepcopy(opt.state_dict()) for opt in optimizers]
    loader = TokenLoader(hp.data_path, d.rank, d.world, d.device)
    for i in range(hp.warmup_steps):
        run_step(loader, i)
        if hp.warmup_steps <= 20 or (i + 1) % 10 == 0 or i + 1 == hp.warmup_steps:
            log(f"warmup_step:{i + 1}/{hp.warmup_steps}")
    base.load_state_dict(weights)
    for opt, state in zip(optimizers, states):
        opt.load_state_dict(state)
        opt.zero_grad(set_to_none=True)


def _any_rank(flag: bool, d: Dist) -> bool:
    if d.world == 1:
        return flag
    t = torch.tensor(int(flag), device=d.device)
    dist.all_reduce(t, op=dist.ReduceOp.MAX)
    return bool(t.item())


def _peak_mib(device: torch.device, what: str) -> int:
    if device.type != "cuda":
        return 0
    fn = torch.cuda.max_memory_allocated if what == "allocated" else torch.cuda.max_memory_reserved
    return fn(device) // 2**20


def final_evaluation(hp, base, model, val: EvalData, d: Dist, accum: int, code: str, log, stats: dict) -> None:
    """Serialize, quantize + compress, reload the artifact and evaluate it in the chosen mode."""
    out = Path(hp.output_dir)
    code_bytes = len(code.encode("utf-8"))
    tag = f"int8+{hp.compressor}"
    artifact = export_artifact(base.state_dict(), hp.compressor)
    if d.master:
        out.mkdir(parents=True, exist_ok=True)
        torch.save(base.state_dict(), out / "final_model.pt")
        raw_bytes = (out / "final_model.pt").stat().st_size
        log(f"Serialized model: {raw_bytes} bytes")
        log(f"Code size: {code_bytes} bytes")
        log(f"Total submission size: {raw_bytes + code_bytes} bytes")
        (out / f"final_model.int8.pt{hp.compressor[0]}").write_bytes(artifact.blob)
        ratio = artifact.float_bytes / max(artifact.payload_bytes, 1)
        log(f"Serialized model {tag}: {artifact.model_bytes} bytes (payload:{artifact.payload_bytes} "
            f"raw_torch:{artifact.raw_bytes} payload_ratio:{ratio:.2f}x)")
        log(f"Total submission size {tag}: {artifact.model_bytes + code_bytes} bytes")
    base.load_state_dict(load_artifact(artifact.blob, hp.compressor))  # every rank: identical bytes
    label = f"final_int8_{hp.compressor}_roundtrip"
    run_eval(label, model, base, val, eval_spec(hp, d, accum, "plain"), d, log, last=hp.eval_mode == "plain")
    if hp.eval_mode == "sliding":
        run_eval(f"final_int8_{hp.compressor}_sliding_window stride:{hp.eval_stride}", model, base, val,
                 eval_spec(hp, d, accum, "sliding"), d, log, last=True)
    elif hp.eval_mode == "ttt":
        run_eval(f"final_int8_{hp.compressor}_legal_ttt", model, base, val, eval_spec(hp, d, accum, "ttt"),
                 d, log, last=True)


def run_eval(label: str, model, base, val: EvalData, spec: EvalSpec, d: Dist, log, last: bool) -> None:
    """One final evaluation; the reported one (``last``) writes the token ledger when asked."""
    meta = dict(mode=spec.mode, label=label, seq_len=spec.seq_len, stride=spec.stride, scored=val.n,
                chunk_tokens=spec.chunk_tokens if spec.mode == "ttt" else 0)
    ledger = open_ledger(d.rank, d.world, int(val.stream.size), **meta) if last else None
    sync(d.device)
    t0 = time.perf_counter()
    r = evaluate(model, val, spec, rank=d.rank, world=d.world, device=d.device, ledger=ledger, base_model=base)
    sync(d.device)
    ms = 1000.0 * (time.perf_counter() - t0)
    if ledger is not None:
        ledger.mark("reported", val_loss=r.val_loss, val_bpb=r.val_bpb, tokens=r.tokens, bytes=r.bytes)
        ledger.close()
    name, _, extra = label.partition(" ")
    extra = f" {extra}" if extra else ""
    log(f"{name}{extra} val_loss:{r.val_loss:.4f} val_bpb:{r.val_bpb:.4f} eval_time:{ms:.0f}ms")
    log(f"{name}_exact{extra} val_loss:{r.val_loss:.8f} val_bpb:{r.val_bpb:.8f}")


if __name__ == "__main__":
    main()

"""The reference GPT: the challenge baseline's model family in one short file.

Smallest part first: norm, rotary embedding, attention, MLP, block, GPT. The model knows nothing
of data, distribution or logging; ``GPTConfig.from_env`` reads the shape from the environment.

Shapes: B batch, T sequence, D model width, H query heads, K key/value heads (H % K == 0),
d = D / H head width, V vocabulary.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields

import torch
import torch.nn.functional as F
from torch import Tensor, nn

try:  # optional extra `flash`; CUDA only, bf16/fp16 only
    from flash_attn import flash_attn_func
except ImportError:  # pragma: no cover - depends on the machine
    flash_attn_func = None


@dataclass
class GPTConfig:
    vocab_size: int = 1024      # sentencepiece vocabulary (sp1024)
    num_layers: int = 9         # first half stores skip connections, second half consumes them
    model_dim: int = 512
    num_heads: int = 8
    num_kv_heads: int = 4       # grouped-query attention: 2 query heads share one K/V head
    mlp_mult: int = 2           # hidden width = mlp_mult * model_dim, relu^2
    tie_embeddings: bool = True  # the output head is the token embedding
    tied_embed_init_std: float = 0.005
    logit_softcap: float = 30.0  # logits = cap * tanh(logits / cap)
    rope_base: float = 10000.0
    qk_gain_init: float = 1.5   # per-head learned scale on the normalized queries

    @classmethod
    def from_env(cls, env=None) -> "GPTConfig":
        """Defaults overridden by upper-case environment variables (NUM_LAYERS=4, MODEL_DIM=128...)."""
        env = os.environ if env is None else env
        values = {}
        for f in fields(cls):
            raw = env.get(f.name.upper())
            if raw is not None:
                values[f.name] = bool(int(raw)) if isinstance(f.default, bool) else type(f.default)(raw)
        return cls(**values)


class RMSNorm(nn.Module):
    """Parameter-free RMS norm over the last dimension."""

    def forward(self, x: Tensor) -> Tensor:
        return F.rms_norm(x, (x.size(-1),))


class CastedLinear(nn.Linear):
    """Weights stay fp32 for the optimizer; the matmul runs in the activations' dtype (bf16)."""

    def forward(self, x: Tensor) -> Tensor:
        return F.linear(x, self.weight.to(x.dtype))


class Rotary(nn.Module):
    """cos/sin tables for rotary position embedding (recomputed per call: cheap, and compile-friendly)."""

    def __init__(self, head_dim: int, base: float):
        super().__init__()
        inv_freq = base ** (-torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim)
        self.register_buffer("inv_freq", inv_freq, persistent=False)

    def forward(self, T: int, device: torch.device) -> tuple[Tensor, Tensor]:
        angles = torch.outer(torch.arange(T, device=device, dtype=torch.float32), self.inv_freq.float())
        return angles.cos()[None, :, None, :], angles.sin()[None, :, None, :]  # (1, T, 1, d/2) each


def rotate(x: Tensor, cos: Tensor, sin: Tensor) -> Tensor:
    """Rotate the two halves of the head dimension of x (B, T, heads, d) by the position angle."""
    a, b = x.chunk(2, dim=-1)
    cos, sin = cos.to(x.dtype), sin.to(x.dtype)
    return torch.cat((a * cos + b * sin, b * cos - a * sin), dim=-1)


def causal_attention(q: Tensor, k: Tensor, v: Tensor) -> Tensor:
    """q (B, T, H, d), k/v (B, T, K, d) -> (B, T, H, d), causal, K/V heads shared by H/K queries."""
    if flash_attn_func is not None and q.is_cuda and q.dtype in (torch.bfloat16, torch.float16):
        return flash_attn_func(q, k, v, causal=True)  # takes (B, T, heads, d) and GQA natively
    q, k, v = (t.transpose(1, 2) for t in (q, k, v))  # SDPA wants (B, heads, T, d)
    if k.size(1) != q.size(1):
        if _SDPA_GQA:
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True, enable_gqa=True)
            return y.transpose(1, 2)
        k, v = (t.repeat_interleave(q.size(1) // k.size(1), dim=1) for t in (k, v))
    return F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2)


_SDPA_GQA = tuple(int(p) for p in torch.__version__.split("+")[0].split(".")[:2]) >= (2, 5)


class CausalSelfAttention(nn.Module):
    def __init__(self, cfg: GPTConfig):
        super().__init__()
        if cfg.model_dim % cfg.num_heads or cfg.num_heads % cfg.num_kv_heads:
            raise ValueError("model_dim must divide by num_heads, and num_heads by num_kv_heads")
        self.H, self.K = cfg.num_heads, cfg.num_kv_heads
        self.d = cfg.model_dim // cfg.num_heads
        if self.d % 2:
            raise ValueError("the head width must be even for rotary embedding")
        self.c_q = CastedLinear(cfg.model_dim, self.H * self.d, bias=False)
        self.c_k = CastedLinear(cfg.model_dim, self.K * self.d, bias=False)
        self.c_v = CastedLinear(cfg.model_dim, self.K * self.d, bias=False)
        self.proj = CastedLinear(cfg.model_dim, cfg.model_dim, bias=False)
        self.proj.zero_init = True  # each block starts as the identity
        self.q_gain = nn.Parameter(torch.full((self.H,), cfg.qk_gain_init))
        self.rotary = Rotary(self.d, cfg.rope_base)

    def forward(self, x: Tensor) -> Tensor:
        B, T, D = x.shape
        q = self.c_q(x).view(B, T, self.H, self.d)
        k = self.c_k(x).view(B, T, self.K, self.d)
        v = self.c_v(x).view(B, T, self.K, self.d)
        q, k = F.rms_norm(q, (self.d,)), F.rms_norm(k, (self.d,))  # QK-norm: bounded logits
        cos, sin = self.rotary(T, x.device)
        q = rotate(q, cos, sin) * self.q_gain.to(q.dtype)[:, None]
        k = rotate(k, cos, sin)
        y = causal_attention(q, k, v)
        return self.proj(y.reshape(B, T, D))


class MLP(nn.Module):
    def __init__(self, cfg: GPTConfig):
        super().__init__()
        self.fc = CastedLinear(cfg.model_dim, cfg.mlp_mult * cfg.model_dim, bias=False)
        self.proj = CastedLinear(cfg.mlp_mult * cfg.model_dim, cfg.model_dim, bias=False)
        self.proj.zero_init = True

    def forward(self, x: Tensor) -> Tensor:
        return self.proj(F.relu(self.fc(x)).square())


class Block(nn.Module):
    """Pre-norm block; the input is first mixed with the embedding x0 by learned per-channel weights."""

    def __init__(self, cfg: GPTConfig):
        super().__init__()
        D = cfg.model_dim
        self.attn_norm, self.mlp_norm = RMSNorm(), RMSNorm()
        self.attn = CausalSelfAttention(cfg)
        self.mlp = MLP(cfg)
        self.attn_scale = nn.Parameter(torch.ones(D))
        self.mlp_scale = nn.Parameter(torch.ones(D))
        self.resid_mix = nn.Parameter(torch.stack((torch.ones(D), torch.zeros(D))))  # (2, D): x, x0

    def forward(self, x: Tensor, x0: Tensor) -> Tensor:
        mix = self.resid_mix.to(x.dtype)
        x = mix[0] * x + mix[1] * x0
        x = x + self.attn_scale.to(x.dtype) * self.attn(self.attn_norm(x))
        return x + self.mlp_scale.to(x.dtype) * self.mlp(self.mlp_norm(x))


class GPT(nn.Module):
    def __init__(self, cfg: GPTConfig):
        super().__init__()
        if cfg.logit_softcap <= 0:
            raise ValueError("logit_softcap must be positive")
        self.cfg = cfg
        self.tok_emb = nn.Embedding(cfg.vocab_size, cfg.model_dim)
        self.n_enc = cfg.num_layers // 2  # encoder half pushes skips, decoder half pops them
        self.n_dec = cfg.num_layers - self.n_enc
        self.skip_weights = nn.Parameter(torch.ones(min(self.n_enc, self.n_dec), cfg.model_dim))
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.num_layers))
        self.final_norm = RMSNorm()
        self.lm_head = None if cfg.tie_embeddings else CastedLinear(cfg.model_dim, cfg.vocab_size, bias=False)
        if self.lm_head is not None:
            self.lm_head.zero_init = True
        self._init_weights()

    def _init_weights(self) -> None:
        if self.cfg.tie_embeddings:
            nn.init.normal_(self.tok_emb.weight, std=self.cfg.tied_embed_init_std)
        for m in self.modules():
            if isinstance(m, nn.Linear) and getattr(m, "zero_init", False):
                nn.init.zeros_(m.weight)

    def logits(self, idx: Tensor) -> Tensor:
        """Token ids (B, T) -> soft-capped logits (B, T, V) in the compute dtype."""
        x = F.rms_norm(self.tok_emb(idx), (self.cfg.model_dim,))
        x0, skips = x, []
        for block in self.blocks[: self.n_enc]:
            x = block(x, x0)
            skips.append(x)
        for i, block in enumerate(self.blocks[self.n_enc:]):
            if skips:
                x = x + self.skip_weights[i].to(x.dtype) * skips.pop()
            x = block(x, x0)
        x = self.final_norm(x)
        w = self.tok_emb.weight if self.lm_head is None else self.lm_head.weight
        logits = F.linear(x, w.to(x.dtype))
        cap = self.cfg.logit_softcap
        return cap * torch.tanh(logits / cap)

    def forward(self, idx: Tensor, targets: Tensor) -> Tensor:
        """Per-position NLL in nats (B, T), fp32, from a softmax over the whole vocabulary.

        Training takes ``.mean()``; evaluation sums the positions it counts.
        """
        logits = self.logits(idx).float()
        return F.cross_entropy(logits.flatten(0, 1), targets.flatten(), reduction="none").view_as(targets)


def prepare_for_training(model: GPT, device: torch.device) -> GPT:
    """Move to ``device``; on CUDA the embedding runs in bf16 while matrices and small control
    tensors stay fp32 (CastedLinear casts at use), as the baseline does."""
    model = model.to(device)
    if device.type == "cuda":
        model.tok_emb.to(torch.bfloat16)
    return model


def param_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())

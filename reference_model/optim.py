"""Optimizers and schedules: Muon for the blocks' matrices, Adam for embeddings and scalars.

Muon (github.com/KellerJordan/Muon) replaces each matrix update by the nearest semi-orthogonal
matrix of its Nesterov momentum, computed with a quintic Newton-Schulz iteration in bf16. Under
DDP every rank orthogonalizes a disjoint subset of the matrices and one all-reduce shares them.
"""

from __future__ import annotations

import torch
import torch.distributed as dist
from torch import Tensor, nn

# Small control tensors that are matrices by shape but scales by meaning: Adam, never Muon.
CONTROL_NAMES = ("attn_scale", "mlp_scale", "resid_mix", "q_gain", "skip_weights")


def newton_schulz(G: Tensor, steps: int = 5, eps: float = 1e-7) -> Tensor:
    """Approximately U V^T of G = U S V^T: singular values pushed to ~[0.7, 1.2], not exactly 1."""
    a, b, c = 3.4445, -4.7750, 2.0315  # quintic coefficients tuned for fast convergence near 0
    X = G.bfloat16()
    X = X / (X.norm() + eps)  # spectral norm <= Frobenius norm <= 1
    tall = X.size(0) > X.size(1)
    if tall:  # iterate on the wide orientation: X X^T is the smaller Gram matrix
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        X = a * X + (b * A + c * A @ A) @ X
    return X.T if tall else X


class Muon(torch.optim.Optimizer):
    """SGD-momentum (Nesterov) whose update is orthogonalized; only for 2-D parameters."""

    def __init__(self, params, lr: float, momentum: float = 0.95, backend_steps: int = 5, orthogonalize=None):
        super().__init__(params, dict(lr=lr, momentum=momentum, backend_steps=backend_steps))
        self.orthogonalize = orthogonalize or newton_schulz  # a compiled version on CUDA

    @torch.no_grad()
    def step(self, closure=None):
        rank, world = _rank_world()
        for group in self.param_groups:
            params = group["params"]
            if not params:
                continue
            flat = torch.zeros(sum(p.numel() for p in params), device=params[0].device, dtype=torch.bfloat16)
            offset = 0
            for i, p in enumerate(params):
                if i % world == rank and p.grad is not None:
                    flat[offset: offset + p.numel()] = self._update(p, group).flatten()
                offset += p.numel()
            if world > 1:
                dist.all_reduce(flat)  # each slice was written by exactly one rank
            offset = 0
            for p in params:
                p.add_(flat[offset: offset + p.numel()].view_as(p).to(p.dtype), alpha=-group["lr"])
                offset += p.numel()

    def _update(self, p: Tensor, group: dict) -> Tensor:
        buf = self.state[p].setdefault("momentum_buffer", torch.zeros_like(p.grad))
        buf.mul_(group["momentum"]).add_(p.grad)
        g = p.grad.add(buf, alpha=group["momentum"])  # Nesterov
        g = self.orthogonalize(g, steps=group["backend_steps"])
        return g * max(1.0, g.size(0) / g.size(1)) ** 0.5  # keep the RMS update size of tall matrices


def _rank_world() -> tuple[int, int]:
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


def split_params(model: nn.Module) -> tuple[list[Tensor], list[Tensor], list[Tensor], list[Tensor]]:
    """(token embedding, untied head, block matrices for Muon, scalars/vectors for Adam)."""
    matrices, scalars = [], []
    for name, p in model.blocks.named_parameters():
        is_control = any(c in name for c in CONTROL_NAMES)
        (matrices if p.ndim == 2 and not is_control else scalars).append(p)
    if model.skip_weights.numel():
        scalars.append(model.skip_weights)
    head = [] if model.lm_head is None else [model.lm_head.weight]
    return [model.tok_emb.weight], head, matrices, scalars


def build_optimizers(model: nn.Module, hp, orthogonalize=None) -> list[torch.optim.Optimizer]:
    """Adam (embedding), Adam (untied head, if any), Muon (matrices), Adam (scalars).

    ``hp`` needs tied_embed_lr, embed_lr, head_lr, matrix_lr, scalar_lr, muon_momentum,
    muon_backend_steps, beta1, beta2, adam_eps. Every group records its ``base_lr``.
    """
    emb, head, matrices, scalars = split_params(model)
    fused = next(model.parameters()).is_cuda

    def adam(params, lr):
        return torch.optim.Adam([{"params": params, "lr": lr, "base_lr": lr}], betas=(hp.beta1, hp.beta2),
                                eps=hp.adam_eps, fused=fused)

    token_lr = hp.tied_embed_lr if model.lm_head is None else hp.embed_lr
    opts = [adam(emb, token_lr)]
    if head:
        opts.append(adam(head, hp.head_lr))
    muon = Muon(matrices, lr=hp.matrix_lr, momentum=hp.muon_momentum, backend_steps=hp.muon_backend_steps,
                orthogonalize=orthogonalize)
    for group in muon.param_groups:
        group["base_lr"] = hp.matrix_lr
    opts += [muon, adam(scalars, hp.scalar_lr)]
    return opts


def lr_scale(step: int, elapsed_ms: float, *, iterations: int, warmdown_iters: int,
             max_wallclock_ms: float | None, lr_warmup_steps: int = 0) -> float:
    """Multiplier of every base learning rate.

    Linear warmup over ``lr_warmup_steps``; then 1, decaying linearly to 0 over the last
    ``warmdown_iters`` steps. With a wall-clock cap the warmdown is placed by time: it starts when
    the remaining time equals ``warmdown_iters`` steps at the average step time so far.
    """
    warm = min(1.0, (step + 1) / lr_warmup_steps) if lr_warmup_steps > 0 else 1.0
    if warmdown_iters <= 0:
        return warm
    if max_wallclock_ms is None:
        left = iterations - step
        return warm * (min(1.0, max(left, 0) / warmdown_iters))
    warmdown_ms = warmdown_iters * elapsed_ms / max(step, 1)
    remaining_ms = max(max_wallclock_ms - elapsed_ms, 0.0)
    return warm * (min(1.0, remaining_ms / max(warmdown_ms, 1e-9)))


def muon_momentum(step: int, *, start: float, end: float, warmup_steps: int) -> float:
    """Muon momentum ramps linearly from ``start`` to ``end`` over ``warmup_steps``."""
    frac = min(step / warmup_steps, 1.0) if warmup_steps > 0 else 1.0
    return (1 - frac) * start + frac * end


def set_schedule(optimizers, scale: float, momentum: float) -> None:
    for opt in optimizers:
        for group in opt.param_groups:
            group["lr"] = group["base_lr"] * scale
            if isinstance(opt, Muon):
                group["momentum"] = momentum

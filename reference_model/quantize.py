"""The artifact: int8 weights with per-row scales, serialized and compressed.

Large float matrices become int8 with one fp16 scale per row (rows clipped at a high percentile of
their absolute values, so one outlier does not waste the range); other large float tensors get one
scale; small tensors (<= ``KEEP_FLOAT_MAX_NUMEL``) are kept as fp16, or fp32 for control tensors.
The counted artifact is code bytes + compressed model bytes (README FAQ).
"""

from __future__ import annotations

import io
import zlib
from dataclasses import dataclass

import torch
from torch import Tensor

from reference_model.optim import CONTROL_NAMES

KEEP_FLOAT_MAX_NUMEL = 65_536
CLIP_QUANTILE = 0.9999984  # of |w| per row
CODECS = ("zlib", "brotli")
FORMAT = "golf-ref-int8-v1"


@dataclass(frozen=True)
class Artifact:
    blob: bytes          # the compressed model: what is counted
    codec: str
    raw_bytes: int       # serialized, before compression
    payload_bytes: int   # tensor bytes inside (int8 + scales + kept floats)
    float_bytes: int     # tensor bytes of the unquantized state dict

    @property
    def model_bytes(self) -> int:
        return len(self.blob)


def quantize_tensor(t: Tensor) -> tuple[Tensor, Tensor]:
    """int8 values and scales: per row (fp16, shape (rows,)) for a matrix, one fp32 scale otherwise."""
    w = t.float()
    if w.ndim == 2:
        clip = torch.quantile(w.abs(), CLIP_QUANTILE, dim=1) if w.numel() else w.new_zeros(w.shape[0])
        scale = (clip / 127.0).clamp_min(1.0 / 127.0)
        q = torch.round(w.clamp(-clip[:, None], clip[:, None]) / scale[:, None]).clamp(-127, 127)
        return q.to(torch.int8), scale.half()
    clip = float(torch.quantile(w.abs().flatten(), CLIP_QUANTILE)) if w.numel() else 0.0
    scale = torch.tensor(clip / 127.0 if clip > 0 else 1.0)
    return torch.round(w.clamp(-clip, clip) / scale).clamp(-127, 127).to(torch.int8), scale


def dequantize_tensor(q: Tensor, scale: Tensor, dtype: torch.dtype) -> Tensor:
    s = scale.float()
    if s.ndim:  # per row: broadcast over the trailing dimensions
        s = s.view(-1, *([1] * (q.ndim - 1)))
    return (q.float() * s).to(dtype)


def quantize_state_dict(state: dict[str, Tensor]) -> tuple[dict, int]:
    """(serializable object, payload bytes). Non-float tensors pass through exactly."""
    obj = {"format": FORMAT, "q": {}, "scale": {}, "dtype": {}, "keep": {}, "keep_dtype": {}}
    payload = 0
    for name, t in state.items():
        t = t.detach().cpu().contiguous()
        if not t.is_floating_point() or t.numel() <= KEEP_FLOAT_MAX_NUMEL:
            kept = _keep(name, t)
            obj["keep"][name], obj["keep_dtype"][name] = kept, str(t.dtype).removeprefix("torch.")
            payload += _nbytes(kept)
            continue
        q, s = quantize_tensor(t)
        obj["q"][name], obj["scale"][name] = q, s
        obj["dtype"][name] = str(t.dtype).removeprefix("torch.")
        payload += _nbytes(q) + _nbytes(s)
    return obj, payload


def _keep(name: str, t: Tensor) -> Tensor:
    if not t.is_floating_point():
        return t
    return t.float() if any(c in name for c in CONTROL_NAMES) else t.half()


def dequantize_state_dict(obj: dict) -> dict[str, Tensor]:
    if obj.get("format") != FORMAT:
        raise ValueError(f"not a {FORMAT} artifact")
    out = {n: dequantize_tensor(q, obj["scale"][n], getattr(torch, obj["dtype"][n])) for n, q in obj["q"].items()}
    for n, t in obj["keep"].items():
        out[n] = t.to(getattr(torch, obj["keep_dtype"][n]))
    return out


def compress(raw: bytes, codec: str) -> bytes:
    if codec == "zlib":
        return zlib.compress(raw, 9)
    if codec == "brotli":
        import brotli

        return brotli.compress(raw, quality=11)
    raise ValueError(f"unknown codec {codec!r} (one of {', '.join(CODECS)})")


def decompress(blob: bytes, codec: str) -> bytes:
    if codec == "zlib":
        return zlib.decompress(blob)
    if codec == "brotli":
        import brotli

        return brotli.decompress(blob)
    raise ValueError(f"unknown codec {codec!r} (one of {', '.join(CODECS)})")


def export_artifact(state: dict[str, Tensor], codec: str = "zlib") -> Artifact:
    obj, payload = quantize_state_dict(state)
    buf = io.BytesIO()
    torch.save(obj, buf)
    raw = buf.getvalue()
    float_bytes = sum(_nbytes(t) for t in state.values())
    return Artifact(compress(raw, codec), codec, len(raw), payload, float_bytes)


def load_artifact(blob: bytes, codec: str = "zlib") -> dict[str, Tensor]:
    """The dequantized state dict of a compressed artifact (weights_only: no code runs)."""
    obj = torch.load(io.BytesIO(decompress(blob, codec)), map_location="cpu", weights_only=True)
    return dequantize_state_dict(obj)


def _nbytes(t: Tensor) -> int:
    return t.numel() * t.element_size()

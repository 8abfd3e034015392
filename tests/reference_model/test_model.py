import math

import pytest

torch = pytest.importorskip("torch")

from reference_model import model as M  # noqa: E402
from reference_model.model import GPT, GPTConfig  # noqa: E402
from reference_model.optim import lr_scale, muon_momentum, newton_schulz  # noqa: E402

from .conftest import TINY  # noqa: E402


def test_config_from_env_overrides_and_types():
    cfg = GPTConfig.from_env({"NUM_LAYERS": "3", "MODEL_DIM": "96", "TIE_EMBEDDINGS": "0",
                              "LOGIT_SOFTCAP": "15", "UNRELATED": "x"})
    assert (cfg.num_layers, cfg.model_dim, cfg.tie_embeddings, cfg.logit_softcap) == (3, 96, False, 15.0)
    assert GPTConfig.from_env({}) == GPTConfig()  # the baseline: 9 x 512, 8 heads / 4 KV, vocab 1024


def test_baseline_shape_parameter_count():
    # 9 blocks x (q 512^2 + k,v 2 x 512x256 + proj 512^2 + mlp 2 x 512x1024 + 4 x 512 scales + 8 gains)
    # + tied embedding 1024 x 512 + 4 skip weights x 512
    per_block = 512 * 512 * 2 + 2 * 512 * 256 + 2 * 512 * 1024 + 4 * 512 + 8
    assert M.param_count(GPT(GPTConfig())) == 9 * per_block + 1024 * 512 + 4 * 512


def test_gqa_paths_agree_and_attention_is_causal():
    torch.manual_seed(0)
    q, k, v = torch.randn(2, 16, 4, 8), torch.randn(2, 16, 2, 8), torch.randn(2, 16, 2, 8)
    fast = M.causal_attention(q, k, v)
    k2, v2 = (t.repeat_interleave(2, dim=2) for t in (k, v))
    ref = M.causal_attention(q, k2, v2)  # plain multi-head attention on repeated K/V heads
    assert torch.allclose(fast, ref, atol=1e-6)
    model = GPT(GPTConfig(**TINY)).eval()
    for p in model.parameters():  # zero-initialized projections would hide the attention path
        torch.nn.init.normal_(p, std=0.05)
    x = torch.randint(0, 1024, (1, 32))
    y = torch.randint(0, 1024, (1, 32))
    x2 = x.clone()
    x2[0, 20:] = (x2[0, 20:] + 1) % 1024  # change the future from position 20 on
    with torch.no_grad():
        a, b = model(x, y), model(x2, y)
    assert torch.allclose(a[0, :20], b[0, :20], atol=1e-6)
    assert not torch.allclose(a[0, 20:], b[0, 20:])


def test_nll_is_full_softmax_with_softcap():
    torch.manual_seed(1)
    model = GPT(GPTConfig(**TINY)).eval()
    x, y = torch.randint(0, 1024, (2, 8)), torch.randint(0, 1024, (2, 8))
    with torch.no_grad():
        logits = model.logits(x)
        nll = model(x, y)
    assert logits.abs().max() <= TINY.get("logit_softcap", 30.0)
    expect = -torch.log_softmax(logits, -1).gather(-1, y[..., None])[..., 0]
    assert torch.allclose(nll, expect, atol=1e-5)
    assert math.isclose(float(nll.mean()), math.log(1024), rel_tol=0.05)  # near-uniform at init


def test_newton_schulz_orthogonalizes():
    torch.manual_seed(0)
    for shape in ((64, 32), (32, 64)):
        X = newton_schulz(torch.randn(*shape), steps=5).float()
        s = torch.linalg.svdvals(X)
        assert s.min() > 0.5 and s.max() < 1.3, s  # the quintic's band, not exactly 1


def test_schedules():
    kw = dict(iterations=100, warmdown_iters=20, max_wallclock_ms=None)
    assert [lr_scale(s, 0.0, **kw) for s in (0, 79, 80, 90, 100)] == [1.0, 1.0, 1.0, 0.5, 0.0]
    assert lr_scale(0, 0.0, lr_warmup_steps=4, **kw) == 0.25
    # by time: 10 ms a step, warmdown of 20 steps = 200 ms; 100 ms left -> half the rate
    assert lr_scale(90, 900.0, iterations=10**6, warmdown_iters=20, max_wallclock_ms=1000.0) == pytest.approx(0.5)
    assert muon_momentum(0, start=0.85, end=0.95, warmup_steps=10) == 0.85
    assert muon_momentum(50, start=0.85, end=0.95, warmup_steps=10) == 0.95

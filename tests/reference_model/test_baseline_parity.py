"""Parity with the challenge's baseline train_gpt.py, when a copy of it is at hand.

The baseline is not part of this repository (its code is not ours to ship). Point
``GOLF_BASELINE_TRAIN_GPT`` at a copy (``git show main:train_gpt.py`` of openai/parameter-golf)
to run these; otherwise they are skipped. The parameter names are the same, so the baseline's
state dict loads into our model as is.
"""

import importlib.util
import os

import pytest

torch = pytest.importorskip("torch")

from reference_model.model import GPT, GPTConfig  # noqa: E402
from reference_model.optim import Muon, build_optimizers  # noqa: E402

from .conftest import HP  # noqa: E402

PATH = os.environ.get("GOLF_BASELINE_TRAIN_GPT")
pytestmark = pytest.mark.skipif(not PATH or not os.path.isfile(PATH),
                                reason="GOLF_BASELINE_TRAIN_GPT names no copy of the baseline train_gpt.py")
SHAPE = dict(vocab_size=1024, num_layers=5, model_dim=128, num_heads=8, num_kv_heads=4, mlp_mult=2)


@pytest.fixture(scope="module")
def baseline():
    spec = importlib.util.spec_from_file_location("baseline_train_gpt", PATH)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)  # defines only; main() runs under __name__ == "__main__"
    torch.manual_seed(0)
    model = mod.GPT(**SHAPE, tie_embeddings=True, tied_embed_init_std=0.005, logit_softcap=30.0,
                    rope_base=10000.0, qk_gain_init=1.5)
    with torch.no_grad():
        for p in model.parameters():  # off the zero/one init, so every path matters
            p.add_(torch.randn_like(p) * 0.05)
    return mod, model


def test_same_weights_same_loss(baseline):
    _, theirs = baseline
    ours = GPT(GPTConfig(**SHAPE))
    ours.load_state_dict(theirs.state_dict(), strict=True)
    x, y = torch.randint(0, 1024, (3, 64)), torch.randint(0, 1024, (3, 64))
    with torch.no_grad():
        assert abs(float(theirs(x, y)) - float(ours(x, y).mean())) < 1e-5


def test_same_gradients_same_muon_step(baseline):
    mod, theirs = baseline
    ours = GPT(GPTConfig(**SHAPE))
    ours.load_state_dict(theirs.state_dict(), strict=True)
    named = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        p.grad = torch.randn_like(p)
        named[name].grad = p.grad.clone()
    matrices = [p for n, p in theirs.blocks.named_parameters()
                if p.ndim == 2 and not any(c in n for c in mod.CONTROL_TENSOR_NAME_PATTERNS)]
    mod.Muon(matrices, lr=0.04, momentum=0.95, backend_steps=5).step()
    next(o for o in build_optimizers(ours, HP) if isinstance(o, Muon)).step()
    for name, p in ours.blocks.named_parameters():
        assert torch.equal(p, named["blocks." + name]), name


def test_same_val_bpb_as_the_baseline_eval(baseline, tiny_dataset):
    """The baseline's own eval_val and byte tables vs ours, same weights and data, to 1e-6."""
    import types

    import sentencepiece as spm

    from reference_model.bpb import ByteTable
    from reference_model.data import load_tokens
    from reference_model.evaluate import EvalData, EvalSpec, evaluate

    mod, theirs = baseline
    ours = GPT(GPTConfig(**SHAPE))
    ours.load_state_dict(theirs.state_dict(), strict=True)
    stream = load_tokens(tiny_dataset.data_path, "val")
    sp = spm.SentencePieceProcessor(model_file=str(tiny_dataset.tokenizer_path))
    luts = mod.build_sentencepiece_luts(sp, 1024, torch.device("cpu"))
    val = torch.from_numpy(stream.astype("int64"))[: (stream.size - 1) // 128 * 128 + 1]
    args = types.SimpleNamespace(val_batch_size=16 * 128, train_seq_len=128)
    with torch.autocast("cpu", enabled=False):
        loss, bpb = mod.eval_val(args, theirs, 0, 1, torch.device("cpu"), 1, val, *luts)
    data = EvalData(stream, ByteTable.from_tokenizer(tiny_dataset.tokenizer_path, 1024), 128)
    r = evaluate(ours, data, EvalSpec(mode="plain", seq_len=128, batch_seqs=16))
    assert abs(r.val_bpb - bpb) < 1e-6 and abs(r.val_loss - loss) < 1e-6

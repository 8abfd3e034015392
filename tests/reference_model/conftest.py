"""A tiny trained reference model on the session's tiny dataset, shared by the eval tests."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
torch.set_num_threads(1)  # 2 shared cores: more threads only contend (20x slower under load)

TINY = dict(vocab_size=1024, num_layers=2, model_dim=64, num_heads=4, num_kv_heads=2, mlp_mult=2)
SEQ = 128


class HP:
    """Hyperparameters for build_optimizers (the baseline's values)."""

    tied_embed_lr, embed_lr, head_lr, matrix_lr, scalar_lr = 0.05, 0.6, 0.008, 0.04, 0.04
    muon_momentum, muon_backend_steps, beta1, beta2, adam_eps = 0.95, 5, 0.9, 0.95, 1e-8


@pytest.fixture(scope="session")
def tiny_trained(tiny_dataset):
    """(model, EvalData, table): 25 steps of Muon+Adam on CPU, then int8+zlib round trip."""
    from reference_model.bpb import ByteTable
    from reference_model.data import load_tokens
    from reference_model.evaluate import EvalData
    from reference_model.model import GPT, GPTConfig
    from reference_model.optim import build_optimizers
    from reference_model.quantize import export_artifact, load_artifact

    torch.manual_seed(0)
    model = GPT(GPTConfig(**TINY))
    opts = build_optimizers(model, HP)
    train = torch.from_numpy(load_tokens(tiny_dataset.data_path, "train").astype(np.int64))
    for step in range(25):
        chunk = train[step * 8 * SEQ: (step + 1) * 8 * SEQ + 1]
        loss = model(chunk[:-1].view(8, SEQ), chunk[1:].view(8, SEQ)).mean()
        loss.backward()
        for opt in opts:
            opt.step()
            opt.zero_grad(set_to_none=True)
    model.load_state_dict(load_artifact(export_artifact(model.state_dict()).blob))
    model.eval()
    table = ByteTable.from_tokenizer(tiny_dataset.tokenizer_path, 1024)
    return model, EvalData(load_tokens(tiny_dataset.data_path, "val"), table, SEQ), table

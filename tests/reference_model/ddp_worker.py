"""Run under torchrun by test_distributed.py: evaluate one fixed random model in every mode on
WORLD_SIZE gloo ranks and write rank 0's results to $OUT as JSON (with ledgers per rank)."""

import json
import os
import sys

import torch

from reference_model.bpb import ByteTable
from reference_model.data import load_tokens
from reference_model.evaluate import EvalData, EvalSpec, evaluate, open_ledger
from reference_model.model import GPT, GPTConfig
from reference_model.train import setup_distributed


def main() -> None:
    torch.set_num_threads(1)
    d = setup_distributed()
    torch.manual_seed(0)
    model = GPT(GPTConfig(vocab_size=1024, num_layers=2, model_dim=64, num_heads=4, num_kv_heads=2)).eval()
    with torch.no_grad():
        for p in model.parameters():  # the same non-trivial weights on every rank
            p.add_(torch.randn_like(p) * 0.05)
    table = ByteTable.from_tokenizer(os.environ["TOKENIZER_PATH"], 1024)
    data = EvalData(load_tokens(os.environ["DATA_PATH"], "val"), table, 128)
    out = {}
    for mode, stride in (("plain", 0), ("sliding", 64), ("ttt", 64)):
        spec = EvalSpec(mode=mode, seq_len=128, batch_seqs=6, stride=stride, chunk_tokens=2048, ttt_lr=0.05)
        ledger = open_ledger(d.rank, d.world, data.stream.size) if mode == "ttt" else None
        r = evaluate(model, data, spec, rank=d.rank, world=d.world, ledger=ledger)
        if ledger is not None:
            ledger.close()
        out[mode] = {"val_bpb": r.val_bpb, "val_loss": r.val_loss, "tokens": r.tokens, "bytes": r.bytes}
    if d.rank == 0:
        with open(os.environ["OUT"], "w") as fh:
            json.dump(out, fh)
    if d.world > 1:
        torch.distributed.destroy_process_group()


if __name__ == "__main__":
    sys.exit(main())

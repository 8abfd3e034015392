"""The reference training and evaluation stack: the challenge baseline's model family, flat.

    data.py       shards in the challenge's binary format
    bpb.py        the challenge's byte accounting and bits per byte
    datamaker.py  offline tokenizer + shards from generated text
    model.py      GPT (GQA + RoPE + QK-norm attention, relu^2 MLP, U-Net skips, tied embeddings, softcap)
    optim.py      Muon for block matrices, Adam for the rest; warmup/warmdown schedules
    quantize.py   int8 per-row artifact, zlib or brotli
    evaluate.py   plain / sliding-window / score-first TTT evaluation, token-ledger events
    train.py      the train_gpt.py-style entry (env-var hyperparameters, challenge log lines)
    bundle.py     the single-file train_gpt.py a submission ships

    python -m reference_model.datamaker /tmp/data
    DATA_PATH=/tmp/data/datasets/fineweb10B_sp1024 TOKENIZER_PATH=/tmp/data/tokenizers/fineweb_1024_bpe.model \\
        NUM_LAYERS=2 MODEL_DIM=64 ITERATIONS=50 TRAIN_BATCH_TOKENS=4096 TRAIN_SEQ_LEN=128 \\
        GRAD_ACCUM_STEPS=1 python -m reference_model.train
    torchrun --standalone --nproc_per_node=8 -m reference_model.train    # DDP (NCCL, or gloo on CPU)
"""

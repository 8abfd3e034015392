import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as F  # noqa: E402

from auditor.dynamic.events import read_events  # noqa: E402
from reference_model.bpb import stream_bpb  # noqa: E402
from reference_model.evaluate import EvalSpec, evaluate, plain_windows, sliding_windows  # noqa: E402
from reference_model.ledger import LedgerWriter  # noqa: E402
from reference_model.quantize import export_artifact, load_artifact, quantize_tensor  # noqa: E402

from .conftest import SEQ  # noqa: E402


def challenge_formula_bpb(model, stream, tokenizer_path, seq_len, batch_seqs=7):
    """An independent implementation of the challenge's validation metric: mean CE per batch of
    whole sequences, weighted by token count; bytes from lookup tables built straight from the
    sentencepiece model; float64 sums; bpb = loss / ln 2 * tokens / bytes."""
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=str(tokenizer_path))
    n = sp.vocab_size()
    base = torch.zeros(n, dtype=torch.int16)
    space = torch.zeros(n, dtype=torch.bool)
    boundary = torch.ones(n, dtype=torch.bool)
    for i in range(n):
        if sp.is_control(i) or sp.is_unknown(i) or sp.is_unused(i):
            continue
        boundary[i] = False
        if sp.is_byte(i):
            base[i] = 1
            continue
        piece = sp.id_to_piece(i)
        space[i] = piece.startswith("\u2581")
        base[i] = len(piece.lstrip("\u2581").encode("utf-8")) if space[i] else len(piece.encode("utf-8"))
    tokens = torch.from_numpy(stream.astype(np.int64))
    total_seqs = (tokens.numel() - 1) // seq_len
    loss_sum = tok = byt = torch.zeros((), dtype=torch.float64)
    with torch.no_grad():
        for s in range(0, total_seqs, batch_seqs):
            e = min(s + batch_seqs, total_seqs)
            local = tokens[s * seq_len: e * seq_len + 1]
            x, y = local[:-1].reshape(-1, seq_len), local[1:].reshape(-1, seq_len)
            logits = model.logits(x).float()
            loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1))
            loss_sum = loss_sum + loss.double() * y.numel()
            tok = tok + y.numel()
            b = base[y.reshape(-1)].to(torch.int16) + (space[y.reshape(-1)] & ~boundary[x.reshape(-1)]).to(torch.int16)
            byt = byt + b.double().sum()
    val_loss = float(loss_sum / tok)
    return val_loss, val_loss / math.log(2.0) * float(tok) / float(byt)


def test_bpb_equals_independent_challenge_formula(tiny_trained, tiny_dataset):
    model, data, _ = tiny_trained
    r = evaluate(model, data, EvalSpec(mode="plain", seq_len=SEQ, batch_seqs=5))
    loss, bpb = challenge_formula_bpb(model, data.stream, tiny_dataset.tokenizer_path, SEQ)
    assert abs(r.val_bpb - bpb) < 1e-6 and abs(r.val_loss - loss) < 1e-6
    assert r.tokens == data.n == (data.stream.size - 1) // SEQ * SEQ
    assert 0.5 < r.val_bpb < 5.0


@pytest.mark.parametrize("n, L, stride", [(1024, 128, 64), (1000, 100, 30), (512, 128, 128), (300, 100, 99)])
def test_windows_count_every_position_once(n, L, stride):
    counted = []
    for w in sliding_windows(n, L, stride):
        assert w.length == L and 0 <= w.start and w.end <= n
        counted += range(max(w.start, w.counted_after) + 1, w.end + 1)
    assert counted == list(range(1, n + 1))
    assert sliding_windows(n, L, 0) == plain_windows(n, L)


def ledger_events(tmp_path, model, data, spec, world=1):
    """Evaluate with an EventWriter per rank; return (result, events of every rank)."""
    results, events = [], []
    for rank in range(world):
        path = tmp_path / f"ledger.rank{rank}"
        w = LedgerWriter(path, rank=rank, world_size=world, stream_len=data.stream.size)
        results.append(evaluate(model, data, spec, rank=rank, world=world, ledger=w))
        w.close()
        events += list(read_events(path))
    return results[0], events


def counted_scores(events):
    pos, nll, ver = [], [], []
    for e in events:
        if e.kind == "score":
            pos.append(e.positions[e.counted])
            nll.append(e.nll[e.counted])
            ver.append(np.full(int(e.counted.sum()), e.attrs["version"]))
    return np.concatenate(pos), np.concatenate(nll), np.concatenate(ver)


def score_before_adapt_violations(events) -> list[tuple[int, int]]:
    """(position, version) of counted scores made by a model state that had adapted on them: a
    score at version v is illegal if an adapt event of version <= v covered its position."""
    first_adapt = {}  # position -> lowest version whose adaptation used it
    for e in events:
        if e.kind == "adapt":
            for p in e.positions.tolist():
                first_adapt[p] = min(first_adapt.get(p, 1 << 62), e.attrs["version"])
    pos, _, ver = counted_scores(events)
    return [(int(p), int(v)) for p, v in zip(pos, ver) if first_adapt.get(int(p), 1 << 62) <= v]


@pytest.mark.parametrize("mode, stride", [("plain", 0), ("sliding", 64), ("ttt", 0), ("ttt", 64)])
def test_ledger_counts_each_position_once_and_recomputes_bpb(tmp_path, tiny_trained, mode, stride):
    model, data, table = tiny_trained
    spec = EvalSpec(mode=mode, seq_len=SEQ, batch_seqs=4, stride=stride, chunk_tokens=4 * SEQ, ttt_lr=0.01)
    r, events = ledger_events(tmp_path, model, data, spec)
    pos, nll, _ = counted_scores(events)
    assert sorted(pos.tolist()) == list(range(1, data.n + 1))
    again = stream_bpb(nll, data.stream, pos, table)
    assert again.bytes == r.bytes and abs(again.val_bpb - r.val_bpb) < 1e-9
    assert all(e.attrs["normalized"] for e in events if e.kind == "score")
    computed = sum(e.positions.size for e in events if e.kind == "score")
    assert computed == (data.n if stride == 0 else len(sliding_windows(data.n, SEQ, stride)) * SEQ)


def test_counted_only_ledger_keeps_the_counted_scores(tmp_path, tiny_trained, monkeypatch):
    model, data, _ = tiny_trained
    spec = EvalSpec(mode="sliding", seq_len=SEQ, batch_seqs=4, stride=32)
    _, full = ledger_events(tmp_path, model, data, spec)
    monkeypatch.setenv("GOLF_LEDGER_COUNTED_ONLY", "1")
    _, small = ledger_events(tmp_path, model, data, spec)
    assert sum(e.positions.size for e in small if e.kind == "score") == data.n
    assert all(e.counted.all() for e in small if e.kind == "score")
    for a, b in zip(counted_scores(full), counted_scores(small)):
        assert np.array_equal(a, b)


def test_sliding_improves_on_plain(tiny_trained):
    model, data, _ = tiny_trained
    plain = evaluate(model, data, EvalSpec(mode="plain", seq_len=SEQ, batch_seqs=8))
    sliding = evaluate(model, data, EvalSpec(mode="sliding", seq_len=SEQ, batch_seqs=8, stride=32))
    assert sliding.tokens == plain.tokens and sliding.bytes == plain.bytes
    assert sliding.val_bpb < plain.val_bpb  # more context for most positions


def test_ttt_scores_before_adapting_and_adapts(tmp_path, tiny_trained):
    model, data, _ = tiny_trained
    before = {k: v.clone() for k, v in model.state_dict().items()}
    spec = EvalSpec(mode="ttt", seq_len=SEQ, batch_seqs=4, stride=64, chunk_tokens=4 * SEQ, ttt_lr=0.05,
                    ttt_epochs=2)
    r, events = ledger_events(tmp_path, model, data, spec)
    assert score_before_adapt_violations(events) == []
    adapts = [e for e in events if e.kind == "adapt"]
    n_chunks = -(-data.n // (4 * SEQ))
    assert [e.attrs["version"] for e in adapts] == list(range(1, n_chunks))  # none after the last chunk
    reads = [e for e in events if e.kind == "read" and e.attrs["grad"]]
    assert len(reads) == n_chunks - 1
    # the chunks really are scored by adapted weights (version k), and the model passed in is untouched
    _, _, ver = counted_scores(events)
    assert set(ver.tolist()) == set(range(n_chunks))
    plain = evaluate(model, data, EvalSpec(mode="sliding", seq_len=SEQ, batch_seqs=4, stride=64))
    assert r.val_bpb != plain.val_bpb
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())


def test_order_checker_catches_adapt_before_score():
    """The checker used above must flag the illegal order (adapt on a chunk, then score it)."""

    class E:
        def __init__(self, kind, positions, version, counted=None):
            self.kind, self.positions = kind, np.asarray(positions)
            self.attrs = {"version": version, "normalized": True}
            self.counted = np.ones(len(positions), bool) if counted is None else np.asarray(counted)
            self.nll = np.zeros(len(positions))

    legal = [E("score", [1, 2], 0), E("adapt", [0, 1, 2], 1), E("score", [3, 4], 1)]
    illegal = [E("adapt", [0, 1, 2], 1), E("score", [1, 2], 1), E("score", [3, 4], 1)]
    assert score_before_adapt_violations(legal) == []
    assert score_before_adapt_violations(illegal) == [(1, 1), (2, 1)]


def test_quantization_round_trip(tiny_trained):
    model, data, _ = tiny_trained
    torch.manual_seed(0)
    w = torch.randn(300, 200)
    q, s = quantize_tensor(w)
    assert q.dtype == torch.int8 and s.shape == (300,)
    err = (q.float() * s.float()[:, None] - w).abs().max(dim=1).values
    assert torch.all(err <= s.float() * 0.5 + 1e-3)  # rounding only: the clip is above every row max
    for codec in ("zlib", "brotli"):
        art = export_artifact(model.state_dict(), codec)
        back = load_artifact(art.blob, codec)
        assert set(back) == set(model.state_dict()) and art.model_bytes < art.float_bytes / 2
        for k, v in model.state_dict().items():
            assert back[k].dtype == v.dtype and back[k].shape == v.shape
            assert torch.allclose(back[k].float(), v.float(), atol=float(v.abs().max()) / 100 + 1e-3)

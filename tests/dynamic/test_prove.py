"""End-to-end proofs of the fixture scripts in fixtures/prove/: each legal one clean, each illegal
one caught by the right condition at the right position (real child processes, CPU, seconds each).
The C1 double run is made only where C1 is what the fixture is about."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("sentencepiece")

from auditor.dynamic.harness import prove  # noqa: E402
from auditor.dynamic.ledger import check_c1, check_c2, check_c3, check_c4  # noqa: E402

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "prove"
VAL = 2049  # 1 + 32 sequences of 64: flip point 1053, its sequence starts at target 1025

# fixture -> (run the flipped-future second run?, {condition: first offending position (or range)})
CASES = {
    "sliding": (False, {}),
    "ttt_score_first": (False, {}),
    "ngram_mixture": (True, {}),
    "prequant_ttt": (False, {"C3": 1}),
    "warmup_val": (False, {"C3": 1}),
    "ttt_adapt_first": (False, {"C3": 1}),
    "val_calibration": (False, {"C3": 1}),
    "hidden_update": (False, {"C3": 1}),  # weights written through a numpy view: fingerprint
    "ngram_gold_only": (False, {"C2": 1}),
    "two_pass": (False, {"C4": 1}),
    "byte_miscount": (False, {"C4": 1}),
    "lookahead": (True, {"C1": 1025}),
    # the first target whose unigram count differs between the two tails: an early one
    "val_cache": (True, {"C1": range(1, 17)}),
}


@pytest.fixture(scope="session")
def probe_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("probe_cache")


def verdicts(proof) -> dict:
    a = proof.runs[0]
    out = {"C2": check_c2(a.ledger, a.reported), "C3": check_c3(a.ledger, a.reported),
           "C4": check_c4(a.ledger, a.reported, proof.table, a.stream)}
    if len(proof.runs) > 1:
        b = proof.runs[1]
        out["C1"] = check_c1(a.ledger, a.reported, b.ledger, b.reported, proof.flip)
    return {k: v for k, v in out.items() if v is not None}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CASES))
def test_fixture_verdict(name, tmp_path, probe_cache):
    c1, want = CASES[name]
    proof = prove(FIXTURES / name, work=tmp_path, c1=c1, cache=probe_cache, val_tokens=VAL, timeout=300)
    assert proof.error is None, proof.error
    got = verdicts(proof)
    assert set(got) == set(want), {k: v.message for k, v in got.items()}
    for k, v in got.items():
        assert v.position in (want[k] if isinstance(want[k], range) else [want[k]]), v.message
    for v in got.values():  # located at a line of the script that scored or adapted
        path, line = proof.rel_site(v.site)
        assert path == "train_gpt.py" and line and v.context


def test_plain_eval_is_clean_with_a_zero_noise_floor(tmp_path, probe_cache):
    """Three runs: the flipped future (C1) and the same stream again (the noise floor, 0 on a CPU)."""
    proof = prove(FIXTURES / "plain", work=tmp_path, c1=True, noise=True, cache=probe_cache, val_tokens=VAL)
    assert proof.error is None and [r.label for r in proof.runs] == ["a", "b", "n"]
    assert proof.c1_tolerance() == (1e-5, 0.0)
    assert verdicts(proof) == {}


def test_adapt_is_located_at_the_optimizer_step(tmp_path, probe_cache):
    proof = prove(FIXTURES / "prequant_ttt", work=tmp_path, c1=False, cache=probe_cache, val_tokens=VAL)
    v = check_c3(proof.main.ledger, proof.main.reported)
    lines = (FIXTURES / "prequant_ttt" / "train_gpt.py").read_text().splitlines()
    adapt_line = int(v.message.split("train_gpt.py:")[1].split(" ")[0])
    assert lines[adapt_line - 1].strip() == "opt.step()"


def test_tiny_fixture_full_proof_under_60s(tmp_path):
    start = time.monotonic()
    proof = prove(FIXTURES / "plain", work=tmp_path, c1=True)  # no cache: tokenizer made too
    took = time.monotonic() - start
    assert proof.error is None and len(proof.runs) == 2
    assert took < 60, f"proof took {took:.1f} s"


SCRIPTS = {
    "crash": ("import torch\nraise SystemExit('boom: no data')\n", "the script failed"),
    "no_score_line": ("import torch\nprint('step:1/1 train_loss:1.0')\n", "printed no final val_bpb line"),
    "memory_hog": ("import torch\nx = torch.ones(5 * 2**30)  # 20 GiB: over the CPU address-space limit\n",
                   "the script failed"),
    "untraced": ("import torch\nprint('final_int8_zlib_roundtrip_exact val_loss:2.00000000 val_bpb:1.20000000')\n",
                 "no score was traced"),
}


@pytest.mark.parametrize("kind", sorted(SCRIPTS))
def test_unverifiable_script_is_never_a_pass(kind, tmp_path, probe_cache):
    folder = tmp_path / "sub"
    folder.mkdir()
    text, reason = SCRIPTS[kind]
    (folder / "train_gpt.py").write_text(text)
    proof = prove(folder, work=tmp_path / "work", c1=False, cache=probe_cache, val_tokens=VAL, timeout=120)
    assert proof.error and reason in proof.error


@pytest.mark.slow
@pytest.mark.parametrize("name,want", [("sharded_eval", {}), ("sharded_prequant_ttt", {"C3": range(1, 2049)})])
def test_multi_rank_fixture_verdict(name, want, tmp_path, probe_cache):
    """torchrun --nproc_per_node 2 (gloo): one event file per rank, merged into one ledger."""
    proof = prove(FIXTURES / name, work=tmp_path, c1=False, nproc=2, cache=probe_cache, val_tokens=VAL, timeout=300)
    assert proof.error is None, proof.error
    assert proof.main.ledger.ranks == [0, 1]
    assert {s.event.rank for s in proof.main.reported.scores} == {0, 1}
    got = verdicts(proof)
    assert set(got) == set(want), {k: v.message for k, v in got.items()}
    for k, v in got.items():
        assert v.position in want[k]

"""RunLog parser: every real-record log pinned to what fixtures/real-records/INDEX.md says it shows,
plus the hostile and odd inputs the parser must survive."""
from __future__ import annotations

import hashlib
import statistics
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.parsers.runlog import EvalKind, RunLog, StopReason, parse_log
from auditor.parsers.textlines import MAX_LINE_BYTES

REAL_ROOT = Path(__file__).resolve().parents[2] / "fixtures" / "real-records"


class _Real:
    """``REAL / "<folder>/<file>"`` finds the folder under whichever track it is filed."""

    def __truediv__(self, rel: str) -> Path:
        for track in ("track_10min_16mb", "track_non_record_16mb"):
            path = REAL_ROOT / track / rel
            if path.exists() or (REAL_ROOT / track / str(rel).split("/")[0]).is_dir():
                return path
        return REAL_ROOT / rel


REAL = _Real()
CASEOPS = "2026-04-23_SP8192_CaseOps_SparseGate_QuantGate_Loop45_PhasedTTT_PolarNS_MinLR_FusedCE"
LQER = "2026-04-27_SP8192_LQER_SparseGate_BOSSmearFix_9HpStack_1.0611"
SMEAR = "2026-04-29_SmearGateBOSFix_3Seed_1.06141"
TERNARY = "2026-03-24_74M_Ternary_UNet_FP8_10L_8192BPE_YaRN_NeoMuon"
FP16 = "2026-03-19_SlidingWindow_FP16Emb_10L_MuonWD_OvertoneInit"
HESSIAN = "2026-04-06_SP8192_HessianSDClip_ProgressiveRecurrence"


def log(rel: str) -> RunLog:
    return parse_log(REAL / rel)


@dataclass(frozen=True)
class Expected:
    """What one real log must parse to: (value, line) pairs where a line is pinned."""

    seed: tuple[int, int] | None
    reported: tuple[EvalKind, str, str, int] | None  # kind, tag, printed val_bpb, line
    total: tuple[str, int, int] | None                # label, bytes, line
    train_ms: int | None
    steps: int | None
    world_size: int | None = 8


E = Expected
K = EvalKind
TQB, TQP = "quantized+brotli", "quantized+pergroup"
EXPECTED = {
    "2026-03-17_NaiveBaseline/train.log": E(
        (1337, 57), (K.ROUNDTRIP, "final_int8_zlib_roundtrip_exact", "1.22436570", 448),
        ("int8+zlib", 15863489, 446), 600038, 13780),
    "2026-03-17_LoRA_TTT/train_v0.txt": E(
        (1337, 1444), (K.TTT, "final_ttt_lora", "1.1935", 1829), ("int8+zlib", 15872848, 1826), 600061, 13764),
    "2026-03-17_LoRA_TTT/train_v1.txt": E(
        (1337, 1414), (K.TTT, "final_ttt_lora", "1.1927", 1809), ("int8+zlib", 15863031, 1806), 2400107, 14171,
        world_size=2),
    "2026-03-17_LoRA_TTT/train_v2.txt": E(
        (1337, 1444), (K.TTT, "final_int8_ttt_lora", "1.1921", 1829), ("int8+zlib", 15866451, 1826), 600047, 13782),
    "2026-03-17_LoRA_TTT/train_v3.txt": E(
        (1337, 1444), (K.TTT, "final_int8_ttt_lora", "1.1929", 1828), ("int8+zlib", 15884843, 1825), 600051, 13703),
    f"{FP16}/train_seed1337.log": E(
        (1337, 14), (K.SLIDING, "final_int8_zlib_roundtrip_exact", "1.17558517", 108),
        ("int8+zlib", 15374243, 104), 599952, 10424),
    f"{FP16}/train_seed42.log": E(
        (42, 14), (K.SLIDING, "final_int8_zlib_roundtrip_exact", "1.17423973", 109),
        ("int8+zlib", 15350371, 105), 600069, 10695),
    f"{FP16}/train_seed7.log": E(
        (7, 14), (K.SLIDING, "final_int8_zlib_roundtrip_exact", "1.17443456", 108),
        ("int8+zlib", 15397085, 104), 600073, 10491),
    "2026-03-19_MLP3x_QAT_Int6_SlidingWindow/train.log": E(
        (1337, 1380), (K.SLIDING, "final_sliding_window_exact", "1.16660881", 1431),
        ("int8+zlib", 15693599, 1427), 600040, 12329),
    "2026-03-20_10L_Int5MLP_MuonWD04_SWA50/train_seed1337.log": E(
        (1337, 1301), (K.SLIDING, "final_int8_zlib_roundtrip_exact", "1.14298416", 1425),
        ("int8+zlib", 15830186, 1422), 600083, 6711),
    "2026-03-20_10L_Int5MLP_MuonWD04_SWA50/train_seed2024.log": E(
        (2024, 1301), (K.SLIDING, "final_int8_zlib_roundtrip_exact", "1.14260369", 1425),
        ("int8+zlib", 15684876, 1422), 600034, 6713),
    "2026-03-20_10L_Int5MLP_MuonWD04_SWA50/train_seed42.log": E(
        (42, 1301), (K.SLIDING, "final_int8_zlib_roundtrip_exact", "1.14271194", 1425),
        ("int8+zlib", 15965978, 1422), 600037, 6709),
    f"{TERNARY}/ternary_log_1337.txt": E(
        (1337, 1441), (K.SLIDING, "final_sliding", "1.1568", 1460), ("budget", 15995705, 1457), 599128, 6520),
    f"{TERNARY}/ternary_log_42.txt": E(
        (42, 1441), (K.SLIDING, "final_sliding", "1.1565", 1460), ("budget", 15993853, 1457), 599652, 6530),
    f"{TERNARY}/ternary_log_7.txt": E(
        (7, 1441), (K.SLIDING, "final_sliding", "1.1578", 1460), ("budget", 15992753, 1457), 599602, 6530),
    f"{HESSIAN}/train.log": E(
        (1337, 68), (K.SLIDING, "quantized_sliding_window", "1.08300961", 165), (TQB, 16054963, 163), 588103, 5178),
    f"{HESSIAN}/train_seed1337.log": E(
        (1337, 68), (K.SLIDING, "quantized_sliding_window", "1.08300961", 165), (TQB, 16054963, 163), 588103, 5178),
    f"{HESSIAN}/train_seed3141.log": E(
        (3141, 72), (K.SLIDING, "quantized_sliding_window", "1.08398828", 169), (TQB, 16059704, 167), 588016, 5182),
    f"{HESSIAN}/train_seed42.log": E(
        (42, 72), (K.SLIDING, "quantized_sliding_window", "1.08362987", 169), (TQB, 16058494, 167), 588098, 5178),
    "2026-04-06_SP8192_QK5_LegalTTT_1.0828/train_seed0.log": E(
        (0, 63), (K.TTT, "legal_ttt_exact", "1.08209788", 274), (TQB, 15991018, 143), 588035, 5082),
    "2026-04-06_SP8192_QK5_LegalTTT_1.0828/train_seed1234.log": E(
        (1234, 63), (K.TTT, "legal_ttt_exact", "1.08313564", 274), (TQB, 15989058, 143), 588071, 5083),
    "2026-04-06_SP8192_QK5_LegalTTT_1.0828/train_seed42.log": E(
        (42, 63), (K.TTT, "legal_ttt_exact", "1.08314800", 274), (TQB, 15992546, 143), 588015, 5082),
    "2026-04-13_VarLenAttn_PhasingTTT2000/logs/train0.txt": E(
        (0, 81), (K.TTT, "quantized_ttt_phased", "1.07216564", 493), (TQB, 15996697, 173), 587091, 4832),
    "2026-04-13_VarLenAttn_PhasingTTT2000/logs/train1.txt": E(
        (1, 81), (K.TTT, "quantized_ttt_phased", "1.07300174", 497), (TQB, 15995985, 173), 587073, 4834),
    "2026-04-13_VarLenAttn_PhasingTTT2000/logs/train2.txt": E(
        (2, 81), (K.TTT, "quantized_ttt_phased", "1.07325147", 488), (TQB, 15988805, 173), 587175, 4860),
    f"{CASEOPS}/train_seed0.log": E(
        (0, 85), (K.TTT, "quantized_ttt_phased", "1.06353012", 830), (TQB, 15939508, 177), 599556, 4957),
    f"{CASEOPS}/train_seed1234.log": E(
        (1234, 85), (K.TTT, "quantized_ttt_phased", "1.06336388", 831), (TQB, 15939918, 177), 599568, 4964),
    f"{CASEOPS}/train_seed42.log": E(
        (42, 85), (K.TTT, "quantized_ttt_phased", "1.06443847", 831), (TQB, 15940380, 177), 599462, 4961),
    f"{CASEOPS}/ttt_pr1767/seed_0.log": E(
        (0, 85), (K.TTT, "quantized_ttt_phased", "1.06307957", 783), None, None, None),
    f"{CASEOPS}/ttt_pr1767/seed_1234.log": E(
        (1234, 85), (K.TTT, "quantized_ttt_phased", "1.06296654", 781), None, None, None),
    f"{CASEOPS}/ttt_pr1767/seed_42.log": E(
        (42, 85), (K.TTT, "quantized_ttt_phased", "1.06400238", 779), None, None, None),
    f"{CASEOPS}/ttt_pr1767/summary.log": E((42, 2), None, None, None, None, world_size=None),
    f"{LQER}/train_seed0.log": E(
        (0, 91), (K.TTT, "quantized_ttt_phased", "1.06124613", 926), (TQP, 15900947, 186), 599433, 4932),
    f"{LQER}/train_seed1234.log": E(
        (1234, 91), (K.TTT, "quantized_ttt_phased", "1.06208695", 926), (TQP, 15907550, 186), 599544, 4917),
    f"{LQER}/train_seed42.log": E(
        (42, 91), (K.TTT, "quantized_ttt_phased", "1.05989454", 921), (TQP, 15897259, 186), 599592, 4945),
    f"{SMEAR}/train_seed1234_original.log": E(
        (1234, 88), (K.TTT, "quantized_ttt_phased", "1.06220261", 4401), (TQB, 15952690, 3745), 599544, 4958),
    f"{SMEAR}/train_seed1234_rerun_gptq8s.log": E(
        (1234, 88), (K.TTT, "quantized_ttt_phased", "1.06248776", 4422), (TQB, 15951968, 3765), 592065, 4902),
    f"{SMEAR}/train_seed314_original.log": E(
        (314, 88), (K.TTT, "quantized_ttt_phased", "1.06086831", 4401), (TQB, 15952419, 3745), 599613, 4960),
    f"{SMEAR}/train_seed314_rerun_gptq8s.log": E(
        (314, 88), (K.TTT, "quantized_ttt_phased", "1.06090748", 4426), (TQB, 15951777, 3765), 592045, 4921),
    f"{SMEAR}/train_seed42_pr1851_original.log": E(
        (42, 92), (K.TTT, "quantized_ttt_phased", "1.06128183", 832), (TQB, 15952086, 186), 599623, 4900),
    f"{SMEAR}/train_seed42_rerun_gptq8s.log": E(
        (42, 88), (K.TTT, "quantized_ttt_phased", "1.06083288", 4430), (TQB, 15949701, 3765), 592054, 4942),
    "2026-03-23_DGAttention_DavidGao/train.log": E((1337, 11), None, ("", 16638468, 93), 600055, 2979),
    "2026-04-30_Random_Linear_Adapter/train_seed_1337.txt": E(
        (1337, 1322), (K.SLIDING, "final_int8_zlib_roundtrip_exact sliding", "1.19709881", 1410),
        ("int8+zlib", 15418110, 1406), 600020, 7687),
    "2026-04-30_Random_Linear_Adapter/train_seed_2026.txt": E(
        (1337, 1322), (K.SLIDING, "final_int8_zlib_roundtrip_exact sliding", "1.19665674", 1410),
        ("int8+zlib", 15413210, 1406), 600043, 7692),
    "2026-04-30_Random_Linear_Adapter/train_seed_42.txt": E(
        (1337, 1322), (K.SLIDING, "final_int8_zlib_roundtrip_exact sliding", "1.19692464", 1410),
        ("int8+zlib", 15422121, 1406), 600011, 7701),
}


def _all_logs() -> list[str]:
    def rel(p: Path) -> str:  # "<folder>/<file>", without the track directory
        return str(p.relative_to(REAL_ROOT / p.relative_to(REAL_ROOT).parts[0]))

    return sorted(rel(p) for p in REAL_ROOT.rglob("*") if p.suffix in (".log", ".txt"))


def test_every_real_log_is_pinned():
    assert sorted(EXPECTED) == _all_logs()


@pytest.mark.parametrize("rel", sorted(EXPECTED))
def test_real_log(rel: str):
    run, want = log(rel), EXPECTED[rel]
    assert (run.seed.value, run.seed.line) == want.seed
    rep = run.reported
    assert (rep and (rep.kind, rep.tag, rep.val_bpb.raw, rep.line)) == want.reported
    total = run.artifact.total
    assert (total and (total.label, total.size.value, total.size.line)) == want.total
    assert (run.training.train_time and run.training.train_time.value) == want.train_ms
    assert (run.training.steps and run.training.steps.value) == want.steps
    assert (run.world_size and run.world_size.value) == want.world_size
    assert not [w for w in run.warnings if "internal" in w.message]


# -- INDEX.md, folder by folder -------------------------------------------------------------------

def _mean_reported(*rels: str) -> float:
    return statistics.mean(log(rel).reported.val_bpb.value for rel in rels)


def test_naive_baseline_format():
    run = log("2026-03-17_NaiveBaseline/train.log")
    assert run.val_tokens.value == 63779840 and run.val_tokens.line == 49
    assert run.train_shards.value == 25
    assert run.reported.val_loss.raw == "2.07269931"
    assert run.training.stop_reason is StopReason.WALLCLOCK_CAP and run.training.stop_line == 440
    assert run.artifact.model.size.value == 15815847 and run.artifact.code.size.value == 47642
    raw_total = run.artifact.entries[-3]  # 'Total submission size: 67272625 bytes' (unquantized)
    assert (raw_total.label, raw_total.size.value) == ("", 67272625)
    assert not run.code_sections and not run.begins_with_code
    assert run.periodic[-1].step == 13780 and run.periodic[-1].val_bpb.raw == "1.2172"
    assert run.hyperparameter("max_wallclock_seconds").value == "600.000"


def test_lora_ttt_logs():
    v3 = log("2026-03-17_LoRA_TTT/train_v3.txt")
    assert v3.begins_with_code and v3.code_sections[0].start == 1 and v3.code_sections[0].end == 1374
    assert v3.python_version.value == "3.12.13" and v3.torch_version.value == "2.10.0+cu128"
    assert v3.gpu_count == 8 and v3.gpu_names == ("NVIDIA H100 80GB HBM3",)
    assert v3.reported.eval_time.to_ms() == 60184
    assert v3.final_scores()[EvalKind.ROUNDTRIP].val_bpb.raw == "1.22739739"
    mean = _mean_reported(*(f"2026-03-17_LoRA_TTT/train_v{i}.txt" for i in (0, 2, 3)))
    assert round(mean, 5) == 1.19283
    v1 = log("2026-03-17_LoRA_TTT/train_v1.txt")  # the 2-GPU, 2400 s run
    assert v1.gpu_count == 2 and v1.world_size.value == 2
    assert v1.max_wallclock_seconds.value == "2400.000" and v1.training.train_time_ms == 2400107


def test_sliding_window_logged_under_roundtrip_tag():
    run = log(f"{FP16}/train_seed42.log")
    assert run.reported.stride == 64 and run.reported.eval_time.raw == "159776"
    assert not run.evals_of(EvalKind.ROUNDTRIP)  # the only final lines are the sliding score
    mean = _mean_reported(*(f"{FP16}/train_seed{s}.log" for s in (1337, 42, 7)))
    assert round(mean, 8) == 1.17475315


def test_mlp3x_single_log_supports_only_its_own_score():
    run = log("2026-03-19_MLP3x_QAT_Int6_SlidingWindow/train.log")
    assert run.reported.stride == 64
    assert {k: e.val_bpb.raw for k, e in run.final_scores().items()} == {
        EvalKind.SLIDING: "1.16660881", EvalKind.ROUNDTRIP: "1.19979073"}
    assert all(abs(e.val_bpb.value - 1.15015359) > 1e-3 for e in run.evaluations if e.val_bpb)


def test_int5_logs_sliding_by_eval_mode_and_int6_model():
    run = log("2026-03-20_10L_Int5MLP_MuonWD04_SWA50/train_seed42.log")
    assert run.artifact.model.label == "int6+zstd" and run.artifact.total.label == "int8+zlib"
    mean = _mean_reported(*(f"2026-03-20_10L_Int5MLP_MuonWD04_SWA50/train_seed{s}.log" for s in (1337, 2024, 42)))
    assert round(mean, 5) == 1.14277


def test_ternary_key_value_config_and_budget_line():
    run = log(f"{TERNARY}/ternary_log_42.txt")
    assert run.hyperparameters["sliding_eval_stride"].value == "16"
    assert run.hyperparameters["seed"].line == 1441 and len(run.hyperparameters) == 83
    assert run.reported.stride == 16 and run.reported.eval_time.raw == "429311"
    assert run.artifact.code.size.value == 70853 and run.artifact.code.size.line == 1456
    assert run.world_size.line == 1442  # 'params:... ws:8 ga:1 s:42'
    assert run.max_wallclock_seconds.value == "599.0"
    mean = _mean_reported(*(f"{TERNARY}/ternary_log_{s}.txt" for s in (1337, 42, 7)))
    assert round(mean, 5) == 1.15703


def test_hessian_sdclip_totals_over_cap_and_duplicate_log():
    totals = [log(f"{HESSIAN}/train_seed{s}.log").artifact.total.size.value for s in (1337, 3141, 42)]
    assert min(totals) == 16054963 and max(totals) == 16059704 and min(totals) > 16_000_000
    models = [log(f"{HESSIAN}/train_seed{s}.log").artifact.model.size.value for s in (1337, 42, 3141)]
    assert models == [15976275, 15978439, 15979649]  # what the JSON calls artifact_bytes
    assert log(f"{HESSIAN}/train.log").sha256 == log(f"{HESSIAN}/train_seed1337.log").sha256
    mean = _mean_reported(*(f"{HESSIAN}/train_seed{s}.log" for s in (1337, 3141, 42)))
    assert round(mean, 5) == 1.08354
    run = log(f"{HESSIAN}/train_seed42.log")
    assert run.gptq.reserve.raw == "12" and run.gptq.reserve.unit == "s"
    assert run.gptq.timings[0].duration.to_seconds() == 11.4


def test_legal_ttt_hyperparameter_dump():
    run = log("2026-04-06_SP8192_QK5_LegalTTT_1.0828/train_seed42.log")
    assert run.hyperparameters["qk_gain_init"].value == "5.0"
    assert run.hyperparameters["ttt_enabled"].value == "True"
    assert run.val_tokens.value == 40540160 and run.train_shards.value == 80
    assert run.reported.eval_time.raw == "289945"
    scores = run.final_scores()
    assert list(scores) == [EvalKind.TTT, EvalKind.SLIDING, EvalKind.ROUNDTRIP, EvalKind.PRE_QUANT]
    assert scores[EvalKind.PRE_QUANT].tag == "pre-quantization post-ema"
    ttt = run.evals_of(EvalKind.TTT)
    assert [(e.tag, e.val_bpb.raw) for e in ttt] == [
        ("ttt_sliding:done", "1.083148"), ("legal_ttt_exact", "1.08314800")]
    seeds = ("0", "1234", "42")
    mean = _mean_reported(*(f"2026-04-06_SP8192_QK5_LegalTTT_1.0828/train_seed{s}.log" for s in seeds))
    assert round(mean, 8) == 1.08279384


def test_varlen_epoch_timestamps_are_stripped():
    run = log("2026-04-13_VarLenAttn_PhasingTTT2000/logs/train0.txt")
    assert run.hyperparameters["seed"].value == "0"
    assert run.artifact.code_uncompressed.size.value == 139831
    assert run.artifact.code_compressed.size.value == 28599
    assert run.reported.eval_time.to_ms() == 500104
    assert {t.label: t.duration.raw for t in run.timings} == {
        "ttt_lora:compile warmup": "153.3", "total_eval_time": "500.1"}
    assert run.gptq.reserve.raw == "13" and run.gptq.effective_budget.value == 587000
    mean = _mean_reported(*(f"2026-04-13_VarLenAttn_PhasingTTT2000/logs/train{i}.txt" for i in range(3)))
    assert round(mean, 8) == 1.07280628


def test_caseops_claim_comes_from_eval_only_reruns():
    end_to_end = _mean_reported(*(f"{CASEOPS}/train_seed{s}.log" for s in (0, 1234, 42)))
    reruns = _mean_reported(*(f"{CASEOPS}/ttt_pr1767/seed_{s}.log" for s in (0, 1234, 42)))
    assert round(end_to_end, 5) == 1.06378 and round(reruns, 5) == 1.06335
    rerun = log(f"{CASEOPS}/ttt_pr1767/seed_0.log")
    assert rerun.train_shards.value == 0 and rerun.artifact.total is None
    assert rerun.training.stop_reason is StopReason.UNKNOWN


def test_caseops_gptq_calibrates_after_the_cap():
    run = log(f"{CASEOPS}/train_seed42.log")
    assert run.gptq.reserve.raw == "0" and run.gptq.effective_budget.value == 599500
    assert run.training.stop_line == 162 and run.gptq.calibration.line == 169
    assert run.gptq.calibration.line > run.training.stop_line
    assert run.gptq.calibration_source == "train"
    assert run.gptq.timings[0].duration.raw == "3.5"


def test_summary_log_states_three_seeds():
    run = log(f"{CASEOPS}/ttt_pr1767/summary.log")
    assert [s.value for s in run.seeds] == [42, 0, 1234]
    assert any("several seeds" in w.message for w in run.warnings)
    assert any("no final evaluation" in w.message for w in run.warnings)


def test_lqer_pergroup_and_compressed_code():
    run = log(f"{LQER}/train_seed42.log")
    art = run.artifact
    assert art.code_uncompressed.size.value == 157868 and art.code_compressed.size.value == 31999
    assert art.code is art.code_compressed
    assert art.total.size.value == art.model.size.value + art.code_compressed.size.value
    assert art.code_uncompressed.size.value + art.model.size.value == 16023128  # over the cap
    assert run.gptq.timings[0].duration.raw == "4.7" and run.training.train_time.value == 599592
    labels = [t.label for t in run.timings]
    assert labels == ["serialize", "deserialize", "deserialize", "ttt_lora:compile warmup", "total_eval_time"]
    mean = _mean_reported(*(f"{LQER}/train_seed{s}.log" for s in (0, 1234, 42)))
    assert round(mean, 8) == 1.06107587


def test_smeargate_code_in_the_middle_of_the_log():
    run = log(f"{SMEAR}/train_seed1234_original.log")
    assert not run.begins_with_code and [(s.start, s.end) for s in run.code_sections] == [(130, 3685)]
    assert run.is_code_line(358) and not run.is_code_line(3690)  # 358: 'seed = int(os.environ...'
    assert run.python_version.value == "3.12.3" and run.torch_version.value == "2.11.0+cu128"
    rerun = log(f"{SMEAR}/train_seed1234_rerun_gptq8s.log")
    assert rerun.gptq.reserve.raw == "8.0" and rerun.gptq.effective_budget.value == 592000
    originals = _mean_reported(*(f"{SMEAR}/{n}" for n in (
        "train_seed1234_original.log", "train_seed314_original.log", "train_seed42_pr1851_original.log")))
    reruns = _mean_reported(*(f"{SMEAR}/train_seed{s}_rerun_gptq8s.log" for s in (1234, 314, 42)))
    assert round(originals, 5) == 1.06145 and round(reruns, 5) == 1.06141


def test_pr1851_log_hash_is_its_content_hash():
    path = REAL / SMEAR / "train_seed42_pr1851_original.log"
    run = parse_log(path)
    assert run.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    # The same bytes as records/track_10min_16mb/2026-04-27_SmearGateBOSFix_PR1787Base_LQERAsym_PhasedTTT/
    # train_seed42.log on main (PR #1851), checked against the mirror.
    assert run.sha256 == "eeed4c6ea937b41b37f37015ae5b298d155d829090c00b30242044cc03c7a458"
    assert run.n_bytes == path.stat().st_size and run.n_lines == 833


def test_dgattention_has_no_post_quant_score():
    run = log("2026-03-23_DGAttention_DavidGao/train.log")
    assert run.reported is None and dict(run.final_scores()) == {}
    last = run.periodic[-1]
    assert (last.step, last.val_bpb.raw, last.line) == (2979, "1.1898", 84)
    assert run.artifact.model.label == "rdquant+zstd" and run.artifact.code.size.value == 80288
    assert any("no final evaluation" in w.message for w in run.warnings)


def test_random_linear_adapter_sliding_lines_and_shared_seed():
    runs = [log(f"2026-04-30_Random_Linear_Adapter/train_seed_{s}.txt") for s in (1337, 2026, 42)]
    assert {r.seed.value for r in runs} == {1337}
    first = runs[0]
    plain = first.evals_of(EvalKind.ROUNDTRIP)
    assert [(e.val_bpb.raw, e.line) for e in plain] == [("1.2184", 1407), ("1.21837937", 1408)]
    assert first.reported.val_loss.raw == "2.02124749"
    assert first.begins_with_code and first.code_sections[0].end == 1259


# -- edge cases -----------------------------------------------------------------------------------

FINAL = "final_int8_zlib_roundtrip_exact val_loss:2.07269931 val_bpb:1.22436570\n"


def test_empty_log():
    run = parse_log(b"")
    assert run.n_lines == 0 and run.reported is None and run.seed is None
    assert run.sha256 == hashlib.sha256(b"").hexdigest()
    assert any("no final evaluation" in w.message for w in run.warnings)


def test_log_without_final_score_keeps_periodic():
    run = parse_log("seed:7\nstep:100/200 val_loss:2.5000 val_bpb:1.4800 train_time:1000ms step_avg:10.00ms\n")
    assert run.reported is None and run.periodic[0].val_bpb.decimals == 4
    assert run.training.steps.value == 100 and run.training.stop_reason is StopReason.UNKNOWN


def test_iterations_reached_is_a_stop_reason():
    run = parse_log("step:200/200 val_loss:2.5000 val_bpb:1.4800 train_time:9000ms step_avg:45ms\n" + FINAL)
    assert run.training.stop_reason is StopReason.ITERATIONS and run.training.iterations.value == 200


def test_crlf_endings_parse_like_lf():
    text = (REAL / "2026-03-17_NaiveBaseline/train.log").read_bytes()
    lf, crlf = parse_log(text), parse_log(text.replace(b"\n", b"\r\n"))
    assert crlf.reported.val_bpb.raw == lf.reported.val_bpb.raw and crlf.reported.line == lf.reported.line
    assert crlf.seed == lf.seed and crlf.artifact == lf.artifact and crlf.training == lf.training


def test_invalid_utf8_is_a_warning():
    run = parse_log(b"seed:\xff\xfe 3\n" + FINAL.encode() + b"caf\xe9\n")
    assert run.reported.val_bpb.raw == "1.22436570" and run.reported.line == 2
    utf8 = [w for w in run.warnings if "UTF-8" in w.message]
    assert [w.line for w in utf8] == [1, 3]


def test_overlong_line_is_truncated_with_a_warning():
    long_line = b"x" * (3 * MAX_LINE_BYTES) + b"\n"
    run = parse_log(long_line + FINAL.encode() + b"y" * (MAX_LINE_BYTES + 5))
    assert run.reported.line == 2 and run.n_lines == 3
    assert [w.line for w in run.warnings if "longer than" in w.message] == [1, 3]
    assert run.n_bytes == len(long_line) + len(FINAL) + MAX_LINE_BYTES + 5


def test_truncated_final_line_without_newline():
    run = parse_log(FINAL.rstrip("\n")[:-3])
    assert run.reported.val_bpb.raw == "1.22436" and run.reported.val_bpb.decimals == 5


def test_code_lines_are_never_results():
    script = (
        '"""\nExample docstring that quotes a result line:\n'
        + FINAL.replace("1.22436570", "0.50000000")
        + 'Total submission size int8+zlib: 1 bytes\nseed:999\n"""\nimport os\n\n'
        + 'def main():\n    log0(f"final_int8_zlib_roundtrip_exact val_loss:{x:.8f} val_bpb:{y:.8f}")\n'
    )
    run = parse_log(script + "=" * 100 + "\nseed:1337\n" + FINAL)
    assert run.begins_with_code and [(s.start, s.end) for s in run.code_sections] == [(1, 10)]
    assert [e.val_bpb.raw for e in run.evaluations] == ["1.22436570"]
    assert run.seed.value == 1337 and run.artifact.total is None


def test_source_code_banner_in_the_middle():
    text = ("Hyperparameters:\n  seed: 5\n" + "=" * 100 + "\nSource code:\n" + "=" * 100
            + "\nx = 1\n" + FINAL + "=" * 100 + "\n" + FINAL.replace("1.22436570", "1.10000000"))
    run = parse_log(text)
    assert [(s.start, s.end) for s in run.code_sections] == [(6, 7)]
    assert run.reported.val_bpb.raw == "1.10000000" and run.seed.value == 5


def test_source_code_banner_right_after_log_lines():
    run = parse_log("seed:9\nSource code:\nimport os\nseed:111\n" + "=" * 100 + "\n" + FINAL)
    assert [(s.start, s.end) for s in run.code_sections] == [(3, 4)] and run.seed.value == 9


def test_comment_header_is_not_mistaken_for_code():
    run = parse_log("# slug=baseline\n# env.SEED=1337\n\nseed:1337\n" + "=" * 60 + "\n" + FINAL)
    assert run.code_sections == () and run.seed.value == 1337 and run.reported is not None


def test_unclosed_code_section_is_read_again_as_log():
    run = parse_log(b"import os\nprint('\xff')\nseed:3\n" + FINAL.encode())
    assert run.reported.val_bpb.raw == "1.22436570" and run.seed.value == 3
    assert [w.message[:12] for w in run.warnings] == ["invalid UTF-", "embedded cod"]
    assert run.code_sections == () and run.n_lines == 4


def test_timestamp_and_rank_prefixes():
    run = parse_log("1776142360.538 seed:4\n[2026-03-25 11:01:28] INFO: world_size:8 grad_accum_steps:1\n"
                    "[rank0]:" + FINAL)
    assert run.seed.value == 4 and run.world_size.value == 8 and run.reported.line == 3


def test_alias_of_a_sliding_score_is_not_a_roundtrip_score():
    text = ("final_int6_roundtrip_exact val_loss:1.93712085 val_bpb:1.14727208\n"
            "final_int6_sliding_window val_loss:1.8972 val_bpb:1.1236 stride:64 eval_time:73133ms\n"
            "final_int6_sliding_window_exact val_loss:1.89715168 val_bpb:1.12360306\n"
            "final_int8_zlib_roundtrip_exact val_loss:1.89715168 val_bpb:1.12360306\n")
    run = parse_log(text)
    alias = run.evaluations[-1]
    assert alias.kind is EvalKind.SLIDING and alias.alias_of == 3 and alias.stride == 64
    assert run.reported.line == 3
    assert run.final_scores()[EvalKind.ROUNDTRIP].val_bpb.raw == "1.14727208"


def test_exact_twin_inherits_the_kind_of_its_rounded_line():
    text = ("final_int8_zlib_roundtrip val_loss:2.9636 val_bpb:1.1473 eval_mode:online_ttt eval_time:0ms\n"
            "final_int8_zlib_roundtrip_exact val_loss:2.96361204 val_bpb:1.14730259\n")
    run = parse_log(text)
    assert [e.kind for e in run.evaluations] == [EvalKind.TTT, EvalKind.TTT]
    assert run.reported.val_bpb.raw == "1.14730259"


def test_env_overrides_on_the_launch_line():
    run = parse_log("Running: SEED=42 FORCE_STOP_STEP=4945 MAX_WALLCLOCK_SECONDS=600 torchrun "
                    "--standalone --nproc_per_node=8 train_gpt.py\n" + FINAL)
    assert run.force_stop_step.value == "4945" and run.max_wallclock_seconds.value == "600"
    assert run.nproc_per_node.value == 8 and run.seed.value == 42 and run.env["SEED"].line == 1


def test_megabyte_sizes():
    run = parse_log("INT4+fp8+brotli: 15.42MB model + 0.077MB code = 15.50/16.00MB FITS\n")
    total = run.artifact.total
    assert total.size.unit == "MB" and total.bytes == 15_500_000 and total.size.decimals == 2


def test_missing_path_is_reported_not_raised(tmp_path):
    run = parse_log(tmp_path / "nope.log")
    assert run.reported is None and "cannot open" in run.warnings[0].message
    text_run = parse_log(str(tmp_path / "nope.log"))
    assert any("no such file" in w.message for w in text_run.warnings)


def test_directory_is_reported_not_raised(tmp_path):
    assert "cannot open" in parse_log(tmp_path).warnings[0].message


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=4000), st.text(max_size=4000)))
def test_arbitrary_input_never_raises(data):
    run = parse_log(data)
    assert isinstance(run, RunLog)
    assert not [w for w in run.warnings if "internal" in w.message]
    for ev in run.evaluations:
        assert ev.line >= 1


_LOGGY = st.sampled_from([
    "seed:", "val_loss:", "val_bpb:", "step:", "/", "=" * 100, "\n", "\r", "\"\"\"", "import os\n",
    "Total submission size: ", " bytes", "stopping_early: wallclock_cap train_time:", "ms", "\xff", "1.2345",
    "final_int8_zlib_roundtrip_exact ", "Hyperparameters:\n", "  seed: ", "|   0  NVIDIA H100 80GB HBM3  On  |",
    "gptq:reserving ", "Source code:\n", "9" * 30, " ",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(_LOGGY, max_size=60).map("".join))
def test_log_shaped_noise_never_raises(text):
    run = parse_log(text)
    assert not [w for w in run.warnings if "internal" in w.message]

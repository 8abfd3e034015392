"""Write the re-run rules' fixtures (fixtures/rules/R00x/...): ``python -m tests.rerun.make_fixtures``.

A re-run fixture is ``<case>/submission/`` (the folder as submitted) and ``<case>/rerun/`` (a
re-run's work directory: ``rerun.json`` and the logs it names). Sizes are the ones the manifest
recorded when the run wrote its files, so no large file is needed. Each case states its
expectations in ``expected.json``; this script only writes them, the fixture test checks them.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "fixtures" / "rules"
CODE = "print('a tiny stand-in for train_gpt.py')\n"  # 42 bytes
H100 = "NVIDIA H100 80GB HBM3"


def log_lines(seed, bpb, model, code=len(CODE), total=None, steps=30, train_ms=1364, eval_ms=167, stop=False,
              final=True, val_tokens=16383):
    """A challenge-style log; line numbers: 3 step, 4 stop (if any), then model, code, total, finals."""
    lines = [f"seed:{seed}", f"val_tokens:{val_tokens} world_size:1",
             f"step:{steps}/{steps if not stop else 20000} train_loss:3.6786 train_time:{train_ms}ms "
             f"step_avg:{train_ms / steps:.2f}ms"]
    if stop:
        lines.append(f"stopping_early: wallclock_cap train_time:{train_ms}ms step:{steps}/20000")
    lines += [f"Serialized model int8+zlib: {model} bytes", f"Code size: {code} bytes",
              f"Total submission size int8+zlib: {total if total is not None else model + code} bytes"]
    if final:
        lines += [f"final_int8_zlib_roundtrip val_loss:3.6672 val_bpb:{bpb:.4f} eval_time:{eval_ms}ms",
                  f"final_int8_zlib_roundtrip_exact val_loss:3.66721687 val_bpb:{bpb:.8f}"]
    return "\n".join(lines) + "\n"


def seed_run(seed, model, log=True, returncode=0, timed_out=False, wall_s=5.5, stderr_tail="", gpus=()):
    d = f"seed_{seed}"
    produced = [{"path": f"{d}/run/final_model.int8.ptz", "bytes": model, "sha256": _sha(f"model{seed}{model}")}]
    if log:
        produced.append({"path": f"{d}/run/logs/rerun_seed{seed}.txt", "bytes": 0, "sha256": _sha(f"log{seed}")})
    return {"seed": seed, "dir": d, "argv": ["python", "-m", "torch.distributed.run", "--standalone",
                                             "--nproc_per_node=1", "train_gpt.py"],
            "env": {"SEED": str(seed), "RUN_ID": f"rerun_seed{seed}"}, "returncode": returncode,
            "timed_out": timed_out, "wall_s": wall_s, "stdout": f"{d}/stdout.txt", "stderr": f"{d}/stderr.txt",
            "log": f"{d}/run/logs/rerun_seed{seed}.txt" if log else f"{d}/stdout.txt", "produced": produced,
            "signal": None, "network_isolated": True, "stderr_tail": stderr_tail}


def write_case(rule, name, *, claims, runs, logs, expected, original_logs=None, nproc=1, gpus=(), instrument=None):
    case = ROOT / rule / name
    shutil.rmtree(case, ignore_errors=True)
    sub, work = case / "submission", case / "rerun"
    sub.mkdir(parents=True)
    (sub / "train_gpt.py").write_text(CODE)
    (sub / "submission.json").write_text(json.dumps(claims, indent=2) + "\n")
    for rel, text in (original_logs or {}).items():
        (sub / rel).write_text(text)
    for rel, text in logs.items():
        (work / rel).parent.mkdir(parents=True, exist_ok=True)
        (work / rel).write_text(text)
    manifest = {"format": 1, "folder": "submission", "nproc": nproc,
                "command": {"source": "default", "text": "torchrun --standalone --nproc_per_node=1 train_gpt.py"},
                "seeds": runs, "environment": {"source": "probe", "python": "3.11.7", "torch": "2.13.0+cpu",
                                               "gpus": list(gpus)},
                "instrument": instrument, "started": "2026-11-29T20:00:00+00:00", "finished": "2026-11-29T20:01:00+00:00"}
    (work / "rerun.json").write_text(json.dumps(manifest, indent=2) + "\n")
    findings = [{"rule": rule, "path": p, "line": ln, "severity": sev} for p, ln, sev in expected]
    (case / "expected.json").write_text(json.dumps({"findings": findings}, indent=2) + "\n")


def _sha(text):
    return hashlib.sha256(text.encode()).hexdigest()


def _log(seed):
    return f"seed_{seed}/run/logs/rerun_seed{seed}.txt"


def claims(bpb=2.4193, seeds=None, bytes_total=None):
    out = {"name": "tiny", "val_bpb": bpb}
    if bytes_total is not None:
        out["bytes_total"] = bytes_total
    if seeds:
        out["seeds"] = {str(s): v for s, v in seeds.items()}
    return out


def r001():
    ok = log_lines(42, 2.4193, 3000)
    write_case("R001", "pass_finished", claims=claims(), runs=[seed_run(42, 3000)], logs={_log(42): ok}, expected=[])
    tail = "Traceback (most recent call last):\nModuleNotFoundError: No module named 'flash_attn_interface'"
    write_case("R001", "fail_crashed", claims=claims(), runs=[seed_run(42, 3000, log=False, returncode=1, stderr_tail=tail)],
               logs={"seed_42/stdout.txt": "", "seed_42/stderr.txt": tail + "\n"},
               expected=[("seed_42/stderr.txt", None, "error")])
    write_case("R001", "fail_timeout", claims=claims(),
               runs=[seed_run(42, 3000, returncode=None, timed_out=True, wall_s=600.2), seed_run(314, 3000)],
               logs={_log(42): log_lines(42, 2.5, 3000, final=False), _log(314): log_lines(314, 2.42, 3000)},
               expected=[("seed_42/stderr.txt", None, "error")])
    write_case("R001", "fail_no_final_score", claims=claims(), runs=[seed_run(42, 3000)],
               logs={_log(42): log_lines(42, 2.4193, 3000, final=False)}, expected=[(_log(42), None, "error")])


def r002():
    per_seed = {42: {"val_bpb": 2.4193}, 314: {"val_bpb": 2.4207}}
    logs = {_log(42): log_lines(42, 2.41930731, 3000), _log(314): log_lines(314, 2.42071234, 3000)}
    runs = [seed_run(42, 3000), seed_run(314, 3000)]
    write_case("R002", "pass_within_tolerance", claims=claims(2.4200, per_seed), runs=runs, logs=logs, expected=[])
    doctored = {42: {"val_bpb": 2.3000}, 314: {"val_bpb": 2.4207}}
    write_case("R002", "fail_doctored_claims", claims=claims(2.3604, doctored), runs=runs, logs=logs,
               expected=[(_log(42), 8, "error"), ("submission.json", 3, "error")])
    write_case("R002", "fail_headline_only", claims=claims(2.3100), runs=runs, logs=logs,
               expected=[("submission.json", 3, "error")])
    original = {"train_seed42.log": log_lines(42, 2.3101, 3000, steps=13780, train_ms=599952, stop=True)}
    write_case("R002", "pass_steps_differ_warns", claims=claims(2.3101), runs=[seed_run(42, 3000)],
               logs={_log(42): log_lines(42, 2.41930731, 3000)}, original_logs=original,
               expected=[(_log(42), 8, "warning"), ("submission.json", 3, "warning")])
    other_val = {"train_seed42.log": log_lines(42, 2.3101, 3000, val_tokens=62021632)}
    write_case("R002", "pass_other_validation_set_warns", claims=claims(2.3101), runs=[seed_run(42, 3000)],
               logs={_log(42): log_lines(42, 2.41930731, 3000)}, original_logs=other_val,
               expected=[(_log(42), 8, "warning"), ("submission.json", 3, "warning")])


def r003():
    write_case("R003", "pass_sizes_match", claims=claims(), runs=[seed_run(42, 3000)],
               logs={_log(42): log_lines(42, 2.4193, 3000)}, expected=[])
    write_case("R003", "fail_total_wrong", claims=claims(), runs=[seed_run(42, 3000)],
               logs={_log(42): log_lines(42, 2.4193, 3000, total=2500)}, expected=[(_log(42), 6, "error")])
    write_case("R003", "fail_model_size_wrong", claims=claims(), runs=[seed_run(42, 3000)],
               logs={_log(42): log_lines(42, 2.4193, 2800, total=3042)}, expected=[(_log(42), 4, "error")])


def r004():
    logs = {_log(42): log_lines(42, 2.4193, 3000)}
    write_case("R004", "pass_within_tolerance", claims=claims(bytes_total=3045), runs=[seed_run(42, 3000)],
               logs=logs, expected=[])
    write_case("R004", "fail_doctored_bytes", claims=claims(seeds={42: {"val_bpb": 2.4193, "bytes_total": 2000}}),
               runs=[seed_run(42, 3000)], logs=logs, expected=[("seed_42/run/final_model.int8.ptz", None, "error")])


def r005():
    write_case("R005", "pass_under_cap", claims=claims(), runs=[seed_run(42, 3000)],
               logs={_log(42): log_lines(42, 2.4193, 3000)}, expected=[])
    big = 15_999_990
    write_case("R005", "fail_over_cap", claims=claims(), runs=[seed_run(42, big)],
               logs={_log(42): log_lines(42, 2.4193, big, total=15_999_000)},
               expected=[("seed_42/run/final_model.int8.ptz", None, "error")])


def r006():
    write_case("R006", "pass_within_caps", claims=claims(), runs=[seed_run(42, 3000)],
               logs={_log(42): log_lines(42, 2.4193, 3000)}, expected=[])
    slow = log_lines(42, 2.4193, 3000, steps=4200, train_ms=640000, stop=True)
    write_case("R006", "fail_over_cap_on_8xh100", claims=claims(), runs=[seed_run(42, 3000)], logs={_log(42): slow},
               nproc=8, gpus=[H100] * 8, expected=[(_log(42), 4, "error")])
    write_case("R006", "pass_slow_hardware_not_judged", claims=claims(), runs=[seed_run(42, 3000)],
               logs={_log(42): slow}, nproc=1, gpus=["NVIDIA A10G"], expected=[(_log(42), 4, "info")])


def r007():
    logs = {_log(42): log_lines(42, 2.4193, 3000)}
    sure = {"val_windows": 16377, "repeated_in_val": 0, "shared_with_train": 0, "unambiguous": True}
    clean = {"name": "token-ledger", "seeds": {"42": {"checked": ["C2", "C3", "C4"], "violations": [], "error": None,
                                                      "locating": sure}}}
    write_case("R007", "pass_ledger_clean", claims=claims(), runs=[seed_run(42, 3000)], logs=logs, expected=[],
               instrument=clean)
    c3 = {"condition": "C3", "position": 0, "site": "train_gpt.py:212",
          "message": "position 0 is scored (state version 3) by a state that adapted on it",
          "context": ["#40 rank 0 adapt [0, 4096) at train_gpt.py:212", "#41 rank 0 score [0, 4096) <--"]}
    bad = {"name": "token-ledger", "seeds": {"42": {"checked": ["C2", "C3", "C4"], "violations": [c3], "error": None,
                                                    "locating": sure}}}
    write_case("R007", "fail_score_after_adapt", claims=claims(), runs=[seed_run(42, 3000)], logs=logs,
               expected=[(_log(42), None, "error")], instrument=bad)
    unsure = {"val_windows": 16377, "repeated_in_val": 212, "shared_with_train": 1840, "unambiguous": False}
    doubtful = {"name": "token-ledger", "seeds": {"42": {"checked": ["C2", "C3", "C4"], "violations": [c3],
                                                         "error": None, "locating": unsure}}}
    write_case("R007", "pass_ambiguous_data_warns", claims=claims(), runs=[seed_run(42, 3000)], logs=logs,
               expected=[(_log(42), None, "warning")], instrument=doubtful)
    broken = {"name": "token-ledger", "seeds": {"42": {"checked": [], "violations": [],
                                                       "error": "no counted score was traced for the reported line"}}}
    write_case("R007", "pass_unreadable_ledger_warns", claims=claims(), runs=[seed_run(42, 3000)], logs=logs,
               expected=[(_log(42), None, "warning")], instrument=broken)


def r008():
    write_case("R008", "pass_seed_applied", claims=claims(), runs=[seed_run(314, 3000)],
               logs={_log(314): log_lines(314, 2.4193, 3000)}, expected=[])
    write_case("R008", "fail_seed_ignored", claims=claims(), runs=[seed_run(314, 3000)],
               logs={_log(314): log_lines(1337, 2.4193, 3000)}, expected=[(_log(314), 1, "warning")])


if __name__ == "__main__":
    for make in (r001, r002, r003, r004, r005, r006, r007, r008):
        make()

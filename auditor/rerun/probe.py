"""The software and hardware a re-run had: Python, torch, CUDA, GPUs and driver.

``probe_environment`` runs a short Python program in the same sandbox as the runs (same
interpreter, same scrubbed environment, network off) and reads one JSON line back. When the probe
cannot run, ``from_log`` takes what a run's own log states (``Running PyTorch ...``, GPU names).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

PROBE = r"""
import json, platform, shutil, subprocess, sys
out = {"python": platform.python_version(), "implementation": platform.python_implementation(),
       "platform": platform.platform(), "machine": platform.machine()}
try:
    import torch
    out["torch"] = torch.__version__
    out["cuda"] = torch.version.cuda
    out["cuda_available"] = torch.cuda.is_available()
    out["device_count"] = torch.cuda.device_count() if out["cuda_available"] else 0
    out["gpus"] = [torch.cuda.get_device_name(i) for i in range(out["device_count"])]
except Exception as exc:
    out["torch_error"] = f"{type(exc).__name__}: {exc}"
smi = shutil.which("nvidia-smi")
if smi:
    try:
        q = subprocess.run([smi, "--query-gpu=driver_version", "--format=csv,noheader"],
                           capture_output=True, text=True, timeout=20)
        out["driver"] = (q.stdout.strip().splitlines() or [None])[0]
    except Exception as exc:
        out["driver_error"] = f"{type(exc).__name__}: {exc}"
print("GOLF_AUDIT_PROBE " + json.dumps(out))
"""
MARK = "GOLF_AUDIT_PROBE "


def probe_environment(python: str, env: dict[str, str] | None = None, timeout_s: float = 120,
                      allow_no_isolation: bool = False) -> dict:
    """Run the probe in the sandbox; ``{"source": "probe", ...}`` or ``{"source": "none", "error"}``."""
    from auditor.dynamic.sandbox import Limits, run_sandboxed, scrubbed_env

    with tempfile.TemporaryDirectory(prefix="golf-probe-") as tmp:
        try:
            res = run_sandboxed([python, "-c", PROBE], cwd=Path(tmp), env=scrubbed_env(env),
                                limits=Limits(wall_s=timeout_s), allow_no_isolation=allow_no_isolation)
        except Exception as exc:  # noqa: BLE001 - a probe failure is data, not a crash
            return {"source": "none", "error": f"{type(exc).__name__}: {exc}"}
    for line in res.stdout_tail:
        if line.startswith(MARK):
            try:
                return {"source": "probe", **json.loads(line[len(MARK):])}
            except ValueError:
                break
    return {"source": "none", "error": f"probe exited {res.returncode}: {' | '.join(res.stderr_tail[-3:])[-300:]}"}


def from_log(run_log) -> dict:
    """What a run's log states about its environment (``RunLog``)."""
    out = {"source": "log"}
    if run_log.python_version is not None:
        out["python"] = run_log.python_version.value
    if run_log.torch_version is not None:
        out["torch"] = run_log.torch_version.value
    if run_log.gpus:
        out["gpus"] = list(run_log.gpu_names)
    return out


def merged(probe: dict, run_log=None) -> dict:
    """The probe, with what the log states filled in where the probe is silent."""
    if run_log is None:
        return probe
    logged = from_log(run_log)
    out = dict(probe)
    for key in ("python", "torch", "gpus"):
        if not out.get(key) and logged.get(key):
            out[key] = logged[key]
            out.setdefault("from_log", []).append(key)
    return out

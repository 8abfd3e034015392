"""Check the sandbox on a GPU machine: isolation and confinement available, and a CUDA program
(a matrix product, /dev/shm shared memory between two processes) runs inside it.

    python3 bench/sandbox_gpu_check.py
"""

import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from auditor.dynamic.sandbox import Limits, confinement_available, network_isolation_available, \
    run_sandboxed, scrubbed_env  # noqa: E402

CUDA = r"""
import json, os, torch, torch.multiprocessing as mp
out = {"cuda": torch.cuda.is_available()}
if out["cuda"]:
    a = torch.randn(4096, 4096, device="cuda", dtype=torch.bfloat16)
    out["matmul_ok"] = bool(torch.isfinite(a @ a).all())
    out["gpu"] = torch.cuda.get_device_name(0)
q = mp.get_context("spawn").SimpleQueue()
t = torch.ones(1000).share_memory_()
out["shm_ok"] = bool(t.sum() == 1000)
for name, path in {"outside": "/tmp/golf-gpu-escape", "home": os.environ["HOME"] + "/x"}.items():
    try:
        open(path, "w").write("x"); out[name] = "written"
    except OSError as e:
        out[name] = e.strerror
print(json.dumps(out))
"""


def main() -> None:
    report = {"network_isolation": network_isolation_available(), "confinement": confinement_available()}
    with tempfile.TemporaryDirectory() as tmp:
        work, home = Path(tmp) / "work", Path(tmp) / "home"
        work.mkdir()
        home.mkdir()
        env = scrubbed_env({k: os.environ[k] for k in os.environ if k.startswith(("NCCL_", "TORCH_", "NVSHMEM_"))},
                           home=home, tmpdir=home)
        r = run_sandboxed([sys.executable, "-c", CUDA], cwd=work, env=env, limits=Limits(wall_s=300),
                          allow_no_isolation=True)
        report.update(returncode=r.returncode, writes_confined=r.writes_confined,
                      network_isolated=r.network_isolated, child=r.stdout_tail[-1:], stderr=r.stderr_tail[-5:])
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()

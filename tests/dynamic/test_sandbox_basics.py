import os
import sys
import time

import pytest

from auditor.dynamic.sandbox import Limits, network_isolation_available, run_sandboxed, scrubbed_env
from tests.procs import all_gone, pids_with_cmdline


def test_env_is_scrubbed(tmp_path, monkeypatch):
    monkeypatch.setenv("GA_PLANTED_SECRET", "hunter2")
    env = scrubbed_env({"SEED": 7}, home=tmp_path)
    assert "GA_PLANTED_SECRET" not in env and env["SEED"] == "7" and env["HOME"] == str(tmp_path)
    r = run_sandboxed([sys.executable, "-c", "import os; print(os.environ.get('GA_PLANTED_SECRET'))"],
                      cwd=tmp_path, allow_no_isolation=True)
    assert r.ok and r.stdout_tail == ["None"]


@pytest.mark.skipif(not network_isolation_available(), reason="no user/network namespaces here")
def test_network_is_off(tmp_path):
    code = ("import socket\ns = socket.socket(); s.settimeout(3)\n"
            "try:\n    s.connect(('10.255.255.1', 80)); print('connected')\n"
            "except OSError as e:\n    print('blocked', e.errno)\n")
    r = run_sandboxed([sys.executable, "-c", code], cwd=tmp_path)
    assert r.network_isolated and r.stdout_tail[0].startswith("blocked")


def test_timeout_kills_the_whole_group(tmp_path):
    name = f"sleep 60.{os.getpid()}"  # unique: found on this side by its command line (when writes are
    seen = []                          # confined the child has its own PID namespace and pids)
    code = f"{name} & sleep 0.3; echo started; wait"
    t0 = time.monotonic()
    r = run_sandboxed(["bash", "-c", code], cwd=tmp_path, limits=Limits(wall_s=2.5), allow_no_isolation=True,
                      on_line=lambda stream, line: seen.extend(pids_with_cmdline(name)))
    assert r.timed_out and r.returncode is None and time.monotonic() - t0 < 10
    assert seen  # the grandchild ran
    assert all_gone(seen)


def test_lines_stream_and_failures_are_results(tmp_path):
    seen = []
    r = run_sandboxed([sys.executable, "-c", "import sys; print('a'); print('b', file=sys.stderr); sys.exit(3)"],
                      cwd=tmp_path, on_line=lambda s, l: seen.append((s, l)), allow_no_isolation=True,
                      stdout_path=tmp_path / "out.txt")
    assert r.returncode == 3 and not r.ok and r.describe() == "exit code 3"
    assert ("stdout", "a") in seen and ("stderr", "b") in seen
    assert (tmp_path / "out.txt").read_text() == "a\n"
    r = run_sandboxed(["/nonexistent/binary"], cwd=tmp_path, allow_no_isolation=True, network=True)
    assert r.returncode == 127


def test_memory_limit(tmp_path):
    r = run_sandboxed([sys.executable, "-c", "x = bytearray(800 * 2**20); print('allocated')"],
                      cwd=tmp_path, limits=Limits(memory_bytes=400 * 2**20), allow_no_isolation=True)
    assert r.returncode != 0 and "allocated" not in r.stdout_tail


def test_isolation_is_waived_only_when_asked(monkeypatch):
    from auditor.dynamic.sandbox import isolation_waived

    monkeypatch.delenv("GOLF_AUDIT_ALLOW_NO_ISOLATION", raising=False)
    assert not isolation_waived() and isolation_waived(True)
    monkeypatch.setenv("GOLF_AUDIT_ALLOW_NO_ISOLATION", "yes")  # only "1" counts
    assert not isolation_waived()
    monkeypatch.setenv("GOLF_AUDIT_ALLOW_NO_ISOLATION", "1")
    assert isolation_waived()


def test_gpu_safety_switches_pass_and_bootstrap_uses_loopback(tmp_path, monkeypatch):
    """NVLink multicast stays off in the child (shared GPU hosts), and inside the network namespace
    NCCL/gloo bootstrap on the only device there is."""
    monkeypatch.setenv("NCCL_NVLS_ENABLE", "0")
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "1")
    env = scrubbed_env(home=tmp_path)
    assert env["NCCL_NVLS_ENABLE"] == "0" and env["CUDA_VISIBLE_DEVICES"] == "1"
    code = "import os; print(os.environ.get('NCCL_SOCKET_IFNAME'), os.environ.get('NCCL_NVLS_ENABLE'))"
    r = run_sandboxed([sys.executable, "-c", code], cwd=tmp_path, env=env, allow_no_isolation=True)
    assert r.stdout_tail == (["lo 0"] if r.network_isolated else ["None 0"])

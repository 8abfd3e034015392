"""Hostile code in the sandbox (``auditor.dynamic.sandbox``): what it blocks, measured.

Each test runs a small hostile script through ``run_sandboxed`` and checks from the outside that
the attempt failed: network, secrets in the environment and in the auditor's /proc, CPU, memory
and file-size limits, daemons that leave the process group, writes outside the work folder, and
output floods. What the sandbox does not block (reads of files the user can read) is pinned too.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from auditor.dynamic.sandbox import Limits, confinement_available, network_isolation_available, run_sandboxed, \
    scrubbed_env
from tests.procs import all_gone, pids_with_cmdline

needs_netns = pytest.mark.skipif(not network_isolation_available(), reason="no user/network namespaces here")
needs_confinement = pytest.mark.skipif(not confinement_available(), reason="no mount/PID namespaces here")


def py(code: str, tmp_path: Path, **kwargs):
    return run_sandboxed([sys.executable, "-c", code], cwd=tmp_path, **kwargs)


@needs_netns
def test_connections_fail_even_to_the_hosts_loopback(tmp_path):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    code = ("import socket, json\nout = {}\n"
            f"for host in ('127.0.0.1', '10.255.255.1', '8.8.8.8'):\n"
            f"    s = socket.socket(); s.settimeout(2)\n"
            f"    try:\n        s.connect((host, {port})); out[host] = 'connected'\n"
            f"    except OSError as e:\n        out[host] = 'blocked'\n"
            "try:\n    socket.getaddrinfo('pypi.org', 443); out['dns'] = 'resolved'\n"
            "except OSError:\n    out['dns'] = 'blocked'\n"
            "print(json.dumps(out))\n")
    try:
        r = py(code, tmp_path, limits=Limits(wall_s=60))
    finally:
        server.close()
    assert r.network_isolated
    assert json.loads(r.stdout_tail[-1]) == {"127.0.0.1": "blocked", "10.255.255.1": "blocked",
                                             "8.8.8.8": "blocked", "dns": "blocked"}


def test_planted_secrets_do_not_reach_the_child(tmp_path):
    """The secret is in the auditor's environment from its start (so also in its
    /proc/<pid>/environ): the child finds it neither in its environment nor, when confined, in
    any process's /proc entry."""
    spy = ("import os, glob, json\nenv = [k for k, v in os.environ.items() if 'hunter2' in v]\nproc = []\n"
           "for p in glob.glob('/proc/[0-9]*/environ'):\n"
           "    try:\n        proc += [p] if b'hunter2' in open(p, 'rb').read() else []\n"
           "    except OSError:\n        pass\n"
           "print(json.dumps({'env': env, 'proc': proc}))\n")
    outer = ("import sys, json\nfrom auditor.dynamic.sandbox import run_sandboxed\n"
             f"r = run_sandboxed([sys.executable, '-c', {spy!r}], cwd={str(tmp_path)!r}, allow_no_isolation=True)\n"
             "print(json.dumps([r.stdout_tail[-1], r.writes_confined]))\n")
    env = {**os.environ, "GA_PLANTED_SECRET": "hunter2", "AWS_SECRET_ACCESS_KEY": "hunter2",
           "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    out = subprocess.run([sys.executable, "-c", outer], env=env, capture_output=True, text=True, check=True)
    line, confined = json.loads(out.stdout.splitlines()[-1])
    found = json.loads(line)
    assert found["env"] == []
    if confined:
        assert found["proc"] == []
    else:  # pinned limitation: without a PID namespace the auditor's own /proc entry is readable
        assert found["proc"]


def test_cpu_limit_stops_a_busy_loop(tmp_path):
    t0 = time.monotonic()
    r = py("while True:\n    pass\n", tmp_path, limits=Limits(wall_s=60, cpu_s=1), allow_no_isolation=True)
    assert not r.ok and not r.timed_out and r.signal is not None
    assert time.monotonic() - t0 < 20


def test_file_size_limit_stops_a_disk_filler(tmp_path):
    r = py("open('big', 'wb').write(b'x' * (8 << 20))\nprint('wrote')\n", tmp_path,
           limits=Limits(file_bytes=1 << 20), allow_no_isolation=True)
    assert not r.ok and "wrote" not in r.stdout_tail
    assert (tmp_path / "big").stat().st_size <= 1 << 20


def test_memory_limit_stops_an_allocation(tmp_path):
    r = py("x = bytearray(1 << 30)\nprint('allocated')\n", tmp_path,
           limits=Limits(memory_bytes=512 << 20), allow_no_isolation=True)
    assert not r.ok and "allocated" not in r.stdout_tail


@needs_confinement
def test_a_daemon_that_left_the_process_group_is_killed_too(tmp_path):
    """Double fork + setsid: the classic daemon escapes a process-group kill. The PID namespace
    takes it down with the rest when the child's first process ends."""
    tag = f"sleep 61.{os.getpid()}"
    code = (f"import os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
            f"        os.execvp('sleep', {tag.split()!r})\n    os._exit(0)\n"
            "time.sleep(0.5)\nprint('daemonized', flush=True)\ntime.sleep(60)\n")
    seen = []
    r = py(code, tmp_path, limits=Limits(wall_s=3),
           on_line=lambda stream, line: seen.extend(pids_with_cmdline(tag)))
    assert r.timed_out and r.writes_confined
    assert seen, "the daemon should have been running"
    assert all_gone(seen)


@needs_confinement
def test_writes_outside_the_work_paths_are_refused(tmp_path):
    work, home, tmp, data, extra = (tmp_path / n for n in ("work", "home", "tmp", "data", "extra"))
    for d in (work, home, tmp, data, extra):
        d.mkdir()
    targets = {"work": work / "a", "home": home / "a", "tmp": tmp / "a", "extra": extra / "a",
               "data": data / "a", "parent": tmp_path / "a", "slash_tmp": Path(f"/tmp/golf-escape-{os.getpid()}"),
               "real_home": Path(os.path.expanduser("~")) / f".golf-escape-{os.getpid()}",
               "dev_shm": Path(f"/dev/shm/golf-escape-{os.getpid()}")}
    code = ("import json, sys\nout = {}\n"
            f"for name, path in {json.dumps({k: str(v) for k, v in targets.items()})}.items():\n"
            "    try:\n        open(path, 'w').write('x'); out[name] = 'written'\n"
            "    except OSError as e:\n        out[name] = e.strerror\n"
            "print(json.dumps(out))\n")
    r = run_sandboxed([sys.executable, "-c", code], cwd=work, env=scrubbed_env(home=home, tmpdir=tmp),
                      writable=[extra])
    assert r.writes_confined, r.stderr_tail
    result = json.loads(r.stdout_tail[-1])
    assert {k: v for k, v in result.items() if v == "written"}.keys() == {"work", "home", "tmp", "extra", "dev_shm"}
    assert {result[k] for k in ("data", "parent", "slash_tmp", "real_home")} == {"Read-only file system"}
    on_disk = {k for k, p in targets.items() if p.exists()}
    assert on_disk == {"work", "home", "tmp", "extra"}  # /dev/shm was the child's private tmpfs


@needs_confinement
def test_reads_are_not_confined(tmp_path):
    """Pinned limitation: the child reads what the auditor's user can (here the test's own file);
    with the network off and writes confined it can only show it in its own outputs."""
    secret = tmp_path / "secret.txt"
    secret.write_text("s3cret")
    work = tmp_path / "work"
    work.mkdir()
    r = py(f"print(open({str(secret)!r}).read())", work)
    assert r.stdout_tail == ["s3cret"]


def test_an_output_flood_keeps_the_auditor_bounded(tmp_path):
    """250 MB on stdout: one endless 50 MB line, 150 lines of 1 MB, then half a million short ones.
    The sandbox keeps a bounded tail (the last 200 lines, each cut to 16 kB). Peak RSS is taken
    over the auditor-side process and the (lean) writer, measured around both (a process forked
    from pytest would inherit pytest's own high-water mark)."""
    from tests.hostile.inputs import peak_rss_mb

    code = ("import sys\nw = sys.stdout.buffer.write\nfor _ in range(50):\n    w(b'y' * (1 << 20))\n"
            "for _ in range(150):\n    w(b'v' * (1 << 20) + b'\\n')\n"
            "for _ in range(1 << 19):\n    w(b'x' * 99 + b'\\n')\n")
    probe = ("import sys, json\nfrom auditor.dynamic.sandbox import run_sandboxed, Limits\n"
             f"r = run_sandboxed([sys.executable, '-c', {code!r}], cwd={str(tmp_path)!r}, allow_no_isolation=True,"
             " limits=Limits(wall_s=300))\n"
             "print(json.dumps([r.ok, len(r.stdout_tail)]))\n")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    out = tmp_path / "probe.json"
    peak, rc, _ = peak_rss_mb([sys.executable, "-c", probe], tmp_path, env, stdout=out)
    assert rc == 0 and json.loads(out.read_text()) == [True, 200]
    assert peak < 100


def test_an_output_flood_cannot_fill_the_disk(tmp_path, monkeypatch):
    from auditor.dynamic import sandbox

    monkeypatch.setattr(sandbox, "MAX_SINK_BYTES", 1 << 20)
    out = tmp_path / "stdout.txt"
    r = py("for _ in range(100_000):\n    print('z' * 99)\n", tmp_path, allow_no_isolation=True, stdout_path=out)
    assert r.ok
    text = out.read_text()
    assert len(text) < (1 << 20) + 200
    assert text.endswith(f"[golf-audit: output over {1 << 20:,} bytes; the rest not written]\n")



"""Run untrusted submission code in a child process: network off, scrubbed environment, limits.

The child gets a new session (its own process group, killed as a whole on timeout), resource
limits set between fork and exec, an environment built from scratch (nothing of the auditor's
environment leaks: no tokens, no credentials) and, unless the caller asks for the network, a new
user and network namespace (``unshare -rn``) holding only a loopback device that is down, so any
``connect`` fails. Where namespaces are unavailable the sandbox refuses to run unless the caller
explicitly accepts running without network isolation, and the result says which happened.

Where the machine allows mount and PID namespaces too (``confinement_available``), writes are
confined: every mount turns read-only in the child's view except its folder, its HOME and TMPDIR
and the ``writable`` paths the caller names; ``/dev/shm`` is a private tmpfs; the child sees only
its own processes (not the auditor's ``/proc/<pid>/environ``); and when the namespace's first
process ends, the kernel kills every process left in it, daemons that left the process group
included (``_jail.py``). Reads are not confined: the child can read what the auditor's user can,
but with the network off and writes confined it can only show what it read in its own outputs.
"""

from __future__ import annotations

import functools
import os
import resource
import selectors
import shutil
import signal
import subprocess
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping, Sequence

TAIL_LINES = 200
TAIL_LINE_CHARS = 16_384  # each kept tail line (an endless line arrives in 1 MiB pieces)
MAX_SINK_BYTES = 1 << 30  # per stream file: a flood of output cannot fill the disk (real logs: a few MB)
JAIL = Path(__file__).resolve().with_name("_jail.py")
_CONFINE = ("--mount", "--pid", "--fork", "--kill-child", "--mount-proc")
# Kept from the auditor's environment: the search path, the operator's choice of GPUs and where
# CUDA's libraries are, and the switches that keep NVLink multicast off on shared GPU hosts (a
# program using it can take a host's GPUs out of service). None of them carries a secret.
_KEEP_FROM_PARENT = ("PATH", "LD_LIBRARY_PATH", "CUDA_VISIBLE_DEVICES", "NCCL_NVLS_ENABLE",
                     "TORCH_SYMM_MEM_DISABLE_MULTICAST", "NVSHMEM_DISABLE_NVLS")


class SandboxUnavailable(RuntimeError):
    """Network isolation was required but this machine cannot provide it."""


@dataclass(frozen=True)
class Limits:
    wall_s: float = 600.0
    cpu_s: int | None = None
    memory_bytes: int | None = None  # address space (RLIMIT_AS); CUDA needs this left unset
    file_bytes: int | None = None  # largest file the child may write (RLIMIT_FSIZE)
    nofile: int = 1024


@dataclass
class SandboxResult:
    argv: list[str]
    returncode: int | None
    timed_out: bool
    signal: int | None
    wall_s: float
    network_isolated: bool
    stdout_tail: list[str] = field(default_factory=list)
    stderr_tail: list[str] = field(default_factory=list)
    writes_confined: bool = False  # writes outside the folder, HOME, TMPDIR and ``writable`` were refused

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out

    def describe(self) -> str:
        if self.timed_out:
            return f"killed after the {self.wall_s:.0f} s time limit"
        if self.signal:
            name = signal.Signals(self.signal).name if self.signal in signal.Signals._value2member_map_ else self.signal
            return f"killed by signal {name}"
        return f"exit code {self.returncode}"


def scrubbed_env(extra: Mapping[str, str] | None = None, *, home: str | os.PathLike | None = None,
                 tmpdir: str | os.PathLike | None = None) -> dict[str, str]:
    """A minimal environment: PATH, a HOME and TMPDIR of the caller's choosing, C.UTF-8, plus ``extra``."""
    env = {k: os.environ[k] for k in _KEEP_FROM_PARENT if k in os.environ}
    env.setdefault("PATH", "/usr/local/bin:/usr/bin:/bin")
    # The interpreter running us must stay reachable (a venv's python is not always on PATH).
    pydir = str(Path(sys.executable).parent)
    if pydir not in env["PATH"].split(os.pathsep):
        env["PATH"] = pydir + os.pathsep + env["PATH"]
    env.update({
        "HOME": os.fspath(home) if home is not None else "/nonexistent",
        "TMPDIR": os.fspath(tmpdir) if tmpdir is not None else "/tmp",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
        "OMP_NUM_THREADS": "1",
        "TOKENIZERS_PARALLELISM": "false",
        "HF_HUB_OFFLINE": "1",
        "NO_PROXY": "*",
    })
    if extra:
        env.update({str(k): str(v) for k, v in extra.items()})
    return env


def isolation_waived(asked: bool = False) -> bool:
    """Whether runs may go ahead without a network namespace: asked for by the caller, or by the
    operator of a machine without user namespaces (some GPU VMs) for every dynamic run at once with
    ``GOLF_AUDIT_ALLOW_NO_ISOLATION=1``. Results still say a run was not isolated."""
    return asked or os.environ.get("GOLF_AUDIT_ALLOW_NO_ISOLATION") == "1"


@functools.lru_cache(maxsize=None)
def network_isolation_available() -> bool:
    """True when ``unshare -rn`` can create a user+network namespace here."""
    unshare = shutil.which("unshare")
    if not unshare:
        return False
    try:
        proc = subprocess.run([unshare, "-rn", "true"], capture_output=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return False
    return proc.returncode == 0


@functools.lru_cache(maxsize=None)
def confinement_available() -> bool:
    """True when mount and PID namespaces work here, so writes outside the work paths can be refused."""
    unshare = shutil.which("unshare")
    if not unshare or not network_isolation_available():
        return False
    import tempfile

    with tempfile.TemporaryDirectory(prefix="golf-jail-") as tmp:
        probe = [unshare, "-rn", *_CONFINE, "--", sys.executable, "-I", "-S", str(JAIL), tmp, "--",
                 sys.executable, "-I", "-S", "-c", f"open({os.path.join(tmp, 'ok')!r}, 'w')"]
        try:
            proc = subprocess.run(probe, capture_output=True, timeout=20)
        except (OSError, subprocess.SubprocessError):
            return False
        return proc.returncode == 0 and os.path.exists(os.path.join(tmp, "ok"))


def _writable_paths(cwd: Path, env: Mapping[str, str], extra: Sequence[str | os.PathLike]) -> list[str]:
    paths = [cwd, *(env[k] for k in ("HOME", "TMPDIR") if env.get(k)), *extra]
    return list(dict.fromkeys(os.path.realpath(p) for p in paths if os.path.isdir(p)))


def _command(argv: list[str], cwd: Path, env: Mapping[str, str], network: bool, allow_no_isolation: bool,
             confine: bool, writable: Sequence[str | os.PathLike]) -> tuple[list[str], bool, bool]:
    """(the full command line, network isolated, writes confined)."""
    if network:
        return list(argv), False, False
    if not network_isolation_available():
        if not allow_no_isolation:
            raise SandboxUnavailable("cannot create a network namespace here (unshare -rn failed); "
                                     "refusing to run untrusted code with the network on")
        return list(argv), False, False
    unshare = shutil.which("unshare") or "unshare"
    if confine and confinement_available():
        jail = [sys.executable, "-I", "-S", str(JAIL), *_writable_paths(cwd, env, writable), "--"]
        return [unshare, "-rn", *_CONFINE, "--", *jail, *argv], True, True
    return [unshare, "-rn", "--", *argv], True, False


def _preexec(limits: Limits) -> Callable[[], None]:
    def apply() -> None:  # runs in the child between fork and exec: keep it tiny
        os.setsid()
        if limits.cpu_s is not None:
            resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_s, limits.cpu_s + 5))
        if limits.memory_bytes is not None:
            resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
        if limits.file_bytes is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
        resource.setrlimit(resource.RLIMIT_NOFILE, (limits.nofile, limits.nofile))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    return apply


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        return
    try:
        proc.wait(timeout=3)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def run_sandboxed(argv: Sequence[str], *, cwd: str | os.PathLike, env: Mapping[str, str] | None = None,
                  limits: Limits = Limits(), network: bool = False, allow_no_isolation: bool = False,
                  stdout_path: str | os.PathLike | None = None,
                  stderr_path: str | os.PathLike | None = None,
                  on_line: Callable[[str, str], None] | None = None,
                  writable: Sequence[str | os.PathLike] = (), confine_writes: bool = True) -> SandboxResult:
    """Run ``argv`` in ``cwd`` under the sandbox; the child's own failure is a result, not an error.

    With network isolation, writes are confined (where the machine allows it) to ``cwd``, the
    environment's HOME and TMPDIR, and the ``writable`` folders; ``confine_writes=False`` turns
    that off. ``SandboxResult.writes_confined`` says whether it was in force.

    ``env`` is the complete environment (use :func:`scrubbed_env`); ``None`` means a scrubbed one
    with HOME and TMPDIR set to ``cwd``. Output lines go to ``on_line(stream, line)`` as they come
    and to the given files; the last lines of each stream are kept in the result.
    """
    argv = [os.fspath(a) for a in argv]
    cwd = Path(cwd)
    allow_no_isolation = isolation_waived(allow_no_isolation)
    if env is None:
        env = scrubbed_env(home=cwd, tmpdir=cwd)
    full, isolated, confined = _command(argv, cwd, env, network, allow_no_isolation, confine_writes, writable)
    if isolated:
        # Inside the namespace only the loopback device exists: point NCCL's and gloo's
        # bootstrap at it, or multi-GPU runs wait for an interface that is not there.
        env = {"NCCL_SOCKET_IFNAME": "lo", "GLOO_SOCKET_IFNAME": "lo", **dict(env)}
    sinks = {"stdout": open(stdout_path, "w", encoding="utf-8", errors="replace") if stdout_path else None,
             "stderr": open(stderr_path, "w", encoding="utf-8", errors="replace") if stderr_path else None}
    tails = {"stdout": deque(maxlen=TAIL_LINES), "stderr": deque(maxlen=TAIL_LINES)}
    start = time.monotonic()
    timed_out = False
    try:
        proc = subprocess.Popen(full, cwd=cwd, env=dict(env), stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                preexec_fn=_preexec(limits), close_fds=True)
    except OSError as exc:
        for fh in sinks.values():
            if fh:
                fh.close()
        return SandboxResult(argv, 127, False, None, 0.0, isolated, [], [f"cannot start: {exc}"])
    sel = selectors.DefaultSelector()
    partial = {"stdout": b"", "stderr": b""}
    sel.register(proc.stdout, selectors.EVENT_READ, "stdout")
    sel.register(proc.stderr, selectors.EVENT_READ, "stderr")

    written = {"stdout": 0, "stderr": 0}

    def emit(stream: str, raw: bytes) -> None:
        line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        tails[stream].append(line[:TAIL_LINE_CHARS])
        if sinks[stream] and written[stream] <= MAX_SINK_BYTES:
            written[stream] += len(raw) + 1
            sinks[stream].write(line + "\n" if written[stream] <= MAX_SINK_BYTES else
                                f"[golf-audit: output over {MAX_SINK_BYTES:,} bytes; the rest not written]\n")
        if on_line:
            on_line(stream, line)

    try:
        open_streams = 2
        while open_streams:
            remaining = limits.wall_s - (time.monotonic() - start)
            if remaining <= 0:
                timed_out = True
                break
            for key, _ in sel.select(timeout=min(remaining, 0.5)):
                chunk = os.read(key.fileobj.fileno(), 65536)
                stream = key.data
                if not chunk:
                    sel.unregister(key.fileobj)
                    open_streams -= 1
                    if partial[stream]:
                        emit(stream, partial[stream])
                        partial[stream] = b""
                    continue
                data = partial[stream] + chunk
                *lines, partial[stream] = data.split(b"\n")
                for raw in lines:
                    emit(stream, raw)
                if len(partial[stream]) > 1 << 20:  # an endless line: flush it in pieces
                    emit(stream, partial[stream])
                    partial[stream] = b""
        if not timed_out:
            remaining = max(0.0, limits.wall_s - (time.monotonic() - start))
            try:
                proc.wait(timeout=remaining)
            except subprocess.TimeoutExpired:
                timed_out = True
    finally:
        _kill_group(proc)  # on timeout; and grandchildren a finished child left behind go too
        proc.wait()
        sel.close()
        proc.stdout.close()
        proc.stderr.close()
        for fh in sinks.values():
            if fh:
                fh.close()
    rc = proc.returncode
    if confined and rc is not None and 128 < rc < 128 + 65:  # the jail reports a signal as 128 + its number
        rc = -(rc - 128)
    sig = -rc if rc is not None and rc < 0 else None
    return SandboxResult(argv, None if timed_out else rc, timed_out, sig,
                         time.monotonic() - start, isolated, list(tails["stdout"]), list(tails["stderr"]), confined)

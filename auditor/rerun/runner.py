"""Run a submission once per seed, each in a fresh copy of its folder, through the sandbox.

    outcome = rerun(ctx, plan, RerunOptions(seeds=[42, 314], data_path=..., tokenizer_path=...,
                                            work_dir=Path("work")), reporter)

Each seed gets ``<work>/seed_<seed>/run/``, a copy of the folder's regular files (the safe listing
of ``ctx.tree``: no links followed out, nothing unlisted), and runs the plan's command there with
network off, a scrubbed environment plus the plan's variables, a hard wall-clock limit and the
whole process group killed at the end (``auditor.dynamic.sandbox``). Standard output and error
stream to files and to the reporter. Afterwards the run's folder is listed again: every new or
changed file is recorded with its size and SHA-256; the script's own log (under ``logs/``) is the
log the rules read, else its standard output.

``Hooks`` is the seam for ``--instrument``: it may wrap the command and add variables before a
run, and collect a JSON summary from the seed's directory after it.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from auditor.rerun.outcome import FileRecord, RerunOutcome, SeedRun
from auditor.rerun.progress import Reporter
from auditor.safefs import FileTree, sha256_file

RUN_DIR = "run"


@dataclass
class Hooks:
    """Instrumentation around each run; every field is optional."""

    name: str = "hooks"
    wrap_argv: Callable[[list[str], Path], list[str]] | None = None  # (argv, seed dir) -> argv
    extra_env: Callable[[Path], dict[str, str]] | None = None  # seed dir -> variables
    collect: Callable[[Path], dict] | None = None  # seed dir -> JSON-able summary, after the run


@dataclass
class RerunOptions:
    seeds: list[int]
    data_path: Path
    tokenizer_path: Path
    work_dir: Path
    vocab_size: int | None = None
    env: dict[str, str] = field(default_factory=dict)
    timeout_s: float = 1800.0
    memory_bytes: int | None = None
    max_wallclock_s: float | None = None  # only for the progress estimate
    hooks: Hooks | None = None
    allow_no_isolation: bool = False


def rerun(ctx, plan, opts: RerunOptions, reporter: Reporter | None = None,
          environment: dict | None = None) -> RerunOutcome:
    """Run every seed in turn; never raises for a run's own failure (that is data)."""
    reporter = reporter or Reporter()
    opts.work_dir.mkdir(parents=True, exist_ok=True)
    outcome = RerunOutcome(opts.work_dir, str(ctx.root), plan.nproc, plan.to_dict(), environment=environment or {},
                           started=_now())
    reporter.start(opts.seeds, opts.max_wallclock_s)
    try:
        for seed in opts.seeds:
            outcome.seeds.append(run_seed(ctx, plan, opts, seed, reporter))
            if opts.hooks is not None and opts.hooks.collect is not None:
                summary = opts.hooks.collect(opts.work_dir / f"seed_{seed}")
                outcome.instrument = outcome.instrument or {"name": opts.hooks.name, "seeds": {}}
                outcome.instrument["seeds"][str(seed)] = summary
    finally:
        reporter.close()
    outcome.finished = _now()
    outcome.save()
    return outcome


def run_seed(ctx, plan, opts: RerunOptions, seed: int, reporter: Reporter) -> SeedRun:
    from auditor.dynamic.sandbox import Limits, run_sandboxed, scrubbed_env

    seed_dir = opts.work_dir / f"seed_{seed}"
    run_dir = seed_dir / RUN_DIR
    original = copy_folder(ctx.tree, run_dir)
    run_id = f"rerun_seed{seed}"
    env = plan.env_for(seed, run_id, opts.data_path, opts.tokenizer_path, opts.vocab_size, opts.env)
    argv = plan.argv()
    if opts.hooks is not None:
        env.update(opts.hooks.extra_env(seed_dir) if opts.hooks.extra_env else {})
        argv = opts.hooks.wrap_argv(argv, seed_dir) if opts.hooks.wrap_argv else argv
    home, tmp = seed_dir / "home", seed_dir / "tmp"  # caches (triton, inductor) stay out of the run's folder
    home.mkdir()
    tmp.mkdir()
    reporter.begin_seed(seed)
    res = run_sandboxed(with_loopback(argv, plan.python), cwd=run_dir, env=scrubbed_env(env, home=home, tmpdir=tmp),
                        writable=[seed_dir],  # the instrumentation's events are written beside the run
                        limits=Limits(wall_s=opts.timeout_s, memory_bytes=opts.memory_bytes),
                        stdout_path=seed_dir / "stdout.txt", stderr_path=seed_dir / "stderr.txt",
                        on_line=lambda stream, text: reporter.line(seed, stream, text),
                        **({"allow_no_isolation": True} if opts.allow_no_isolation else {}))
    produced = produced_files(run_dir, original, opts.work_dir)
    log = pick_log(produced, run_id) or f"seed_{seed}/stdout.txt"
    run = SeedRun(seed, f"seed_{seed}", tuple(argv), env, res.returncode, res.timed_out, round(res.wall_s, 3),
                  f"seed_{seed}/stdout.txt", f"seed_{seed}/stderr.txt", log, tuple(produced), res.signal,
                  res.network_isolated, "\n".join(res.stderr_tail[-30:])[-4000:])
    reporter.end_seed(seed, run.finished, _summary(run))
    return run


LOOPBACK_UP = """
import fcntl, os, socket, struct, sys
try:  # a fresh network namespace has its loopback down; torchrun's rendezvous and gloo need it
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    flags = struct.unpack("16sh", fcntl.ioctl(s, 0x8913, struct.pack("16sh", b"lo", 0)))[1]
    fcntl.ioctl(s, 0x8914, struct.pack("16sh", b"lo", flags | 0x1 | 0x40))  # IFF_UP | IFF_RUNNING
except OSError:
    pass
os.execvp(sys.argv[1], sys.argv[1:])
"""


def with_loopback(argv: list[str], python: str) -> list[str]:
    """``argv`` run through a tiny launcher that brings the loopback device up first (only
    loopback: the namespace has no other interface, so the network stays off)."""
    return [python, "-c", LOOPBACK_UP, *argv]


def copy_folder(tree: FileTree, dest: Path) -> dict[str, str]:
    """Copy the listed regular files of ``tree`` to ``dest``; returns {rel: sha256} of the copies."""
    if dest.exists():
        raise FileExistsError(f"{dest} already exists; use an empty work directory")
    dest.mkdir(parents=True)
    hashes = {}
    for entry in tree.entries:
        target = dest / entry.rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(tree.path_of(entry.rel), target)
        hashes[entry.rel] = sha256_file(target)
    return hashes


def produced_files(run_dir: Path, original: dict[str, str], work_dir: Path) -> list[FileRecord]:
    """Files in ``run_dir`` that are new, or whose content changed, after the run."""
    out = []
    base = run_dir.relative_to(work_dir).as_posix()
    for entry in FileTree.walk(run_dir).entries:
        digest = sha256_file(run_dir / entry.rel)
        if original.get(entry.rel) != digest:
            out.append(FileRecord(f"{base}/{entry.rel}", entry.size, digest))
    return out


def pick_log(produced: list[FileRecord], run_id: str) -> str | None:
    """The script's own log: ``logs/<RUN_ID>.*`` if written, else the largest new ``.txt``/``.log``."""
    logs = [f for f in produced if f.path.endswith((".txt", ".log"))]
    named = [f for f in logs if Path(f.path).stem == run_id]
    pick = named or sorted(logs, key=lambda f: f.bytes, reverse=True)
    return pick[0].path if pick else None


def _summary(run: SeedRun) -> str:
    if run.timed_out:
        return f"killed after the {run.wall_s:.0f} s limit"
    if run.returncode != 0:
        return f"exited with code {run.returncode} after {run.wall_s:.1f} s"
    return f"finished in {run.wall_s:.1f} s"


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")

"""Prove a folder: run its script, unmodified, on probe data under the tracer, and keep the evidence.

``prove(folder)`` writes probe data, copies the folder into a work directory, runs
``python -m auditor.dynamic.instrument.boot train_gpt.py`` in the sandbox (network off, scrubbed
environment, time limit, process group killed) and reads back the script's log and the event
files. For C1 it runs a second time on a stream that differs only after a flip point. Anything that
prevents a verdict (the script crashed, printed no score, nothing was traced) is ``Proof.error``:
"could not verify", never a pass. A finished proof is saved as ``proof.json`` beside its evidence,
so ``Proof.load`` can check it again without running anything.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from auditor.dynamic.ledger import Ledger, LedgerError, ReportedPass

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = "train_gpt.py"
EVENTS = "events"
NATIVE = "native"  # where a script that writes its own ledger (GOLF_LEDGER_PATH) puts it
CPU_MEMORY_BYTES = 16 << 30  # address-space limit of each process of a CPU run


@dataclass
class Run:
    """One traced run: its log, its ledger and the reported pass (or why there is none)."""

    label: str
    folder: Path  # the run's copy of the submission (sites are relative to it)
    stream: np.ndarray
    log_path: Path
    ledger: Ledger | None = None
    reported: ReportedPass | None = None
    reported_line: str | None = None
    error: str | None = None
    wall_s: float = 0.0
    origin: str | None = None  # where the run's copy was when it ran (sites name that path)
    events_dir: Path | None = None
    native: dict | None = None  # cross-check with the script's own ledger, when it wrote one


@dataclass
class Proof:
    folder: Path
    runs: list[Run]
    table: object  # reference_model.bpb.ByteTable
    flip: int | None = None
    error: str | None = None
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def main(self) -> Run:
        return self.runs[0]

    def c1_tolerance(self) -> tuple[float, float | None]:
        """(tolerance in nats, measured noise floor): 1e-5, or 10x the largest difference between
        two runs on the same stream when the proof made one (on a GPU, by default)."""
        again = next((r for r in self.runs if r.label == "n" and r.reported is not None), None)
        if again is None:
            return 1e-5, None
        from auditor.dynamic.ledger import noise_floor

        floor = noise_floor(self.main.reported, again.reported)
        return max(1e-5, 10 * floor), floor

    def rel_site(self, site: str) -> tuple[str | None, int | None]:
        """``file:line`` in a run's copy -> (path relative to the submission folder, line)."""
        path, _, line = site.rpartition(":")
        for run in self.runs:
            for root in (run.folder, run.origin):
                if root is None:
                    continue
                try:
                    rel = Path(path).resolve().relative_to(Path(root).resolve())
                except ValueError:
                    continue
                return rel.as_posix(), int(line) if line.isdigit() else None
        return None, None

    def save(self, dest: Path) -> Path:
        """Write the evidence (``proof.json``, byte table, streams, event files, logs) into ``dest``,
        so that ``Proof.load(dest)`` can check it again without running anything."""
        dest = Path(dest)
        dest.mkdir(parents=True, exist_ok=True)
        np.savez(dest / "bytes.npz", base=self.table.base_bytes, space=self.table.has_leading_space,
                 boundary=self.table.is_boundary)
        runs = []
        for r in self.runs:
            np.save(dest / f"{r.label}_stream.npy", r.stream.astype(np.uint16))
            events = dest / f"{r.label}_events"
            if r.events_dir is not None and r.events_dir.resolve() != events.resolve():
                shutil.copytree(r.events_dir, events, dirs_exist_ok=True)
            if r.log_path.exists() and r.log_path.resolve() != (dest / f"{r.label}_stdout.log").resolve():
                shutil.copy2(r.log_path, dest / f"{r.label}_stdout.log")
            runs.append({"label": r.label, "origin": str(r.origin or r.folder), "reported_line": r.reported_line,
                         "error": r.error, "wall_s": round(r.wall_s, 3), "native": r.native})
        doc = {"folder": str(self.folder), "flip": self.flip, "error": self.error, "runs": runs,
               "seconds": round(self.seconds, 3), "notes": self.notes}
        (dest / "proof.json").write_text(json.dumps(doc, indent=2) + "\n")
        return dest / "proof.json"

    @classmethod
    def load(cls, dest: Path) -> "Proof":
        from reference_model.bpb import ByteTable

        dest = Path(dest)
        doc = json.loads((dest / "proof.json").read_text())
        z = np.load(dest / "bytes.npz")
        table = ByteTable(z["base"], z["space"], z["boundary"])
        runs = []
        for r in doc["runs"]:
            label = r["label"]
            run = Run(label, dest, np.load(dest / f"{label}_stream.npy").astype(np.int64),
                      dest / f"{label}_stdout.log", reported_line=r.get("reported_line"), error=r.get("error"),
                      wall_s=r.get("wall_s", 0.0), origin=r.get("origin"), events_dir=dest / f"{label}_events",
                      native=r.get("native"))
            if run.error is None:
                _read_ledger(run, run.events_dir)
            runs.append(run)
        error = doc.get("error") or next((r.error for r in runs if r.error), None)
        return cls(Path(doc["folder"]), runs, table, doc.get("flip"), error, doc.get("seconds", 0.0),
                   doc.get("notes", []))


def _read_ledger(run: Run, events_dir: Path) -> None:
    try:
        run.ledger = Ledger.from_dir(events_dir, EVENTS)
        run.reported = run.ledger.reported_pass(run.reported_line)
        if not run.reported.scores:
            raise LedgerError("no score was traced between the reported line and the one before it "
                              "(the script's scoring was not recognised)")
    except (LedgerError, OSError) as exc:
        run.error = f"{run.label}: {exc}"


def prove(folder: Path, *, work: Path | None = None, device: str = "cpu", timeout: float = 600.0,
          c1: bool = True, nproc: int = 1, cache: Path | None = None, env: dict | None = None,
          val_tokens: int | None = None, noise: bool | None = None, progress=None) -> Proof:
    """Run the proof; never raises for the submission's own failures (they become ``error``)."""
    from auditor.dynamic.probe import make_probe
    from reference_model.bpb import ByteTable

    start = time.monotonic()
    folder = Path(folder).resolve()
    work = Path(work) if work is not None else Path(tempfile.mkdtemp(prefix="golf-prove-"))
    work.mkdir(parents=True, exist_ok=True)
    say = progress or (lambda msg: None)
    if not (folder / SCRIPT).is_file():
        raise FileNotFoundError(f"{folder}: no {SCRIPT} to run")
    say("writing probe data")
    sizes = {"val_tokens": val_tokens} if val_tokens else {}
    probe = make_probe(work / "probe_a", folder, cache=cache, env=env, **sizes)
    proof = Proof(folder, [], ByteTable.from_tokenizer(probe.tokenizer_path, probe.vocab_size))
    if not probe.generated_tokenizer:
        proof.notes.append(f"probe uses the folder's tokenizer {probe.tokenizer_path.name}")
    runs = [("a", probe)]
    if c1:
        proof.flip = len(probe.stream) // 2 + 29
        runs.append(("b", make_probe(work / "probe_b", folder, base=probe, flip=proof.flip, env=env)))
        if noise if noise is not None else device == "cuda":
            runs.append(("n", probe))  # the same stream again: the floor of run-to-run noise
    _run_all(proof, runs, work, device, timeout, nproc, say)
    proof.seconds = time.monotonic() - start
    proof.save(work / "proof")
    return proof


def _run_all(proof: Proof, runs, work: Path, device: str, timeout: float, nproc: int, say) -> None:
    """Run the script once per probe; stop at the first run that cannot support a verdict."""
    folder = proof.folder
    for label, pr in runs:
        what = {"b": " (future flipped)", "n": " again (noise floor)"}.get(label, "")
        say(f"run {label}: {SCRIPT} on the probe{what}")
        run = _run_once(folder, work / f"run_{label}", label, pr, device, timeout, nproc)
        proof.runs.append(run)
        if label == "a" and run.ledger is not None:
            proof.notes.extend(sorted({f"shim: {e.attrs.get('what')}" for e in run.ledger.events
                                       if e.kind == "mark" and e.attrs.get("name") == "shim"}))
        if run.error:
            proof.error = run.error
            break


def _run_once(folder: Path, rdir: Path, label: str, probe, device: str, timeout: float, nproc: int) -> Run:
    from auditor.dynamic.sandbox import Limits, run_sandboxed, scrubbed_env
    from auditor.parsers.runlog import parse_log

    sub = rdir / "submission"
    if rdir.exists():
        shutil.rmtree(rdir)
    shutil.copytree(folder, sub, symlinks=True)
    (rdir / EVENTS).mkdir()
    (rdir / NATIVE).mkdir()
    log = rdir / "stdout.log"
    memory = CPU_MEMORY_BYTES if device == "cpu" else None  # CUDA needs its address space unlimited
    res = run_sandboxed(_command(nproc), cwd=sub, env=scrubbed_env(_child_env(probe, rdir, device, nproc), home=sub,
                                                                  tmpdir=sub),
                        limits=Limits(wall_s=timeout, memory_bytes=memory), stdout_path=log,
                        stderr_path=rdir / "stderr.log", writable=[rdir])  # the run's events and ledger
    run = Run(label, sub, probe.stream, log, wall_s=res.wall_s, events_dir=rdir / EVENTS)
    if not res.ok:
        tail = " | ".join(res.stderr_tail[-3:])[-400:]
        run.error = f"run {label}: the script failed ({res.describe()}): {tail}"
        return run
    reported = parse_log(log).reported
    if reported is None or reported.val_bpb is None:
        run.error = f"run {label}: the script printed no final val_bpb line"
        return run
    run.reported_line = log.read_text(errors="replace").splitlines()[reported.line - 1]
    _read_ledger(run, rdir / EVENTS)
    if run.reported is not None and any((rdir / NATIVE).glob(f"{EVENTS}.rank*")):
        run.native = _native_check(run, rdir / NATIVE)
    return run


def _command(nproc: int) -> list[str]:
    """The boot module on the script; under torchrun (loopback brought up in the namespace) for ranks."""
    boot = ["-m", "auditor.dynamic.instrument.boot", SCRIPT]
    if nproc == 1:
        return [sys.executable, *boot]
    return ["sh", "-c", 'ip link set lo up 2>/dev/null; exec "$@"', "sh", sys.executable, "-m",
            "torch.distributed.run", "--standalone", f"--nproc_per_node={nproc}", *boot]


def _child_env(probe, rdir: Path, device: str, nproc: int) -> dict[str, str]:
    extra = {**probe.env(), "GOLF_TRACE_PATH": str(rdir / EVENTS / EVENTS), "PYTHONPATH": str(REPO_ROOT),
             "GOLF_LEDGER_PATH": str(rdir / NATIVE / EVENTS)}
    if device == "cpu":
        extra["CUDA_VISIBLE_DEVICES"] = ""
    else:
        extra["CUBLAS_WORKSPACE_CONFIG"] = ":4096:8"  # deterministic cuBLAS where the script allows
    if nproc > 1:
        extra["MASTER_ADDR"] = "127.0.0.1"
    return extra


def _native_check(run: Run, native_dir: Path) -> dict:
    from auditor.dynamic.ledger import compare_native

    try:
        return compare_native(run.reported, Ledger.from_dir(native_dir, EVENTS))
    except (LedgerError, OSError) as exc:
        return {"error": str(exc)}

"""Run a submission script, unmodified, under the tracer.

    python -m auditor.dynamic.instrument.boot train_gpt.py [args...]

Environment (set by the harness): ``GOLF_TRACE_PATH`` (event file; ``.rank{RANK}`` is appended),
``GOLF_PROBE_STREAM`` (``.npy`` of the validation stream as the probe wrote it),
``GOLF_PROBE_VOCAB`` (vocabulary size). Without them the script runs untraced.
"""

from __future__ import annotations

import os
import runpy
import sys
from pathlib import Path


class _LogTap:
    """Wraps stdout: every complete line that carries ``val_bpb`` becomes a ``mark`` event."""

    def __init__(self, stream, tracer):
        self._stream, self._tracer, self._buf = stream, tracer, ""

    def write(self, text):
        self._buf += text
        while "\n" in self._buf:
            line, self._buf = self._buf.split("\n", 1)
            if "val_bpb" in line:
                self._tracer.emit("mark", None, {"name": "log", "text": line[:2000]})
        return self._stream.write(text)

    def __getattr__(self, name):
        return getattr(self._stream, name)


def start(script: str):
    """Install the tracer for this process; returns it (None when not configured)."""
    path = os.environ.get("GOLF_TRACE_PATH")
    if not path:
        return None
    import numpy as np
    import torch

    from auditor.dynamic.instrument.tracer import TraceMode, Tracer, install_hooks

    rank = int(os.environ.get("RANK", "0"))
    world = int(os.environ.get("WORLD_SIZE", "1"))
    stream = np.load(os.environ["GOLF_PROBE_STREAM"])
    tracer = Tracer(stream, f"{path}.rank{rank}", vocab_size=int(os.environ["GOLF_PROBE_VOCAB"]),
                    root=str(Path(script).resolve().parent), rank=rank, world_size=world)
    mode = TraceMode(tracer)
    install_hooks(tracer, mode)
    _shim_compile(torch, tracer)
    mode.__enter__()
    sys.stdout = _LogTap(sys.stdout, tracer)
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    torch.use_deterministic_algorithms(True, warn_only=True)  # C1 compares two runs position by position
    return tracer


def _shim_compile(torch, tracer) -> None:
    """``torch.compile`` -> eager: the compiled graph would hide the calls the tracer must see (and
    dynamo cannot trace the tracer). Same results; the shim is named in the report when used."""
    used = []

    def compile(model=None, **kwargs):
        if not used:
            used.append(True)
            tracer.emit("mark", None, {"name": "shim", "what": "torch.compile ran eagerly under the tracer"})
        if model is None:
            return lambda fn: fn
        return model

    torch.compile = compile


def main(argv: list[str]) -> None:
    if not argv:
        sys.exit("usage: python -m auditor.dynamic.instrument.boot SCRIPT [ARGS...]")
    script = str(Path(argv[0]).resolve())
    sys.argv = [script, *argv[1:]]
    sys.path.insert(0, str(Path(script).resolve().parent))
    tracer = start(script)
    try:
        runpy.run_path(script, run_name="__main__")
    finally:
        if tracer is not None:
            sys.stdout.flush()
            tracer.close()


if __name__ == "__main__":
    main(sys.argv[1:])

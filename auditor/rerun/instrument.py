"""``--instrument``: the re-runs under the eval-loop instrumentation (the token ledger) of
``auditor.dynamic``, plugged in through the runner's ``Hooks``.

Each seed's script runs through the instrumentation's boot module (``python -m <boot> train_gpt.py``,
under torchrun as usual); the child is told where to write its events and which validation stream
to locate tokens in (the re-run's own ``fineweb_val_*`` tokens). After the run, the events are read
into a ledger and the conditions that one run can decide are checked (C2, C3, C4; C1 needs a second
run with a changed future, which ``golf-audit prove`` does). The per-seed summary is JSON in the
outcome (``instrument``) and rule R007 turns it into findings.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from auditor.rerun.runner import Hooks

REPO_ROOT = Path(__file__).resolve().parents[2]
BOOT = "auditor.dynamic.instrument.boot"
EVENTS = "events"


class InstrumentUnavailable(RuntimeError):
    """This build has no eval-loop instrumentation."""


def available() -> bool:
    try:
        return importlib.util.find_spec(BOOT) is not None
    except ModuleNotFoundError:
        return False


def wrap_script(argv: list[str], script: str) -> list[str]:
    """``... train_gpt.py args`` -> ``... -m <boot> train_gpt.py args`` (torchrun runs a module with -m)."""
    if script not in argv:
        raise ValueError(f"{script} is not in the command {argv}")
    i = len(argv) - 1 - argv[::-1].index(script)
    return [*argv[:i], "-m", BOOT, *argv[i:]]


def make_hooks(script: str, data_path: Path, tokenizer_path: Path, vocab_size: int | None, work: Path) -> Hooks:
    """Hooks that run each seed under the tracer and check its ledger afterwards."""
    if not available():
        raise InstrumentUnavailable("--instrument: this build has no eval-loop instrumentation "
                                    f"({BOOT} is missing)")
    stream_path = work / "val_stream.npy"

    def extra_env(seed_dir: Path) -> dict[str, str]:
        _save_stream(stream_path, data_path)
        (seed_dir / EVENTS).mkdir(parents=True, exist_ok=True)
        env = {"GOLF_TRACE_PATH": str(seed_dir / EVENTS / EVENTS), "GOLF_PROBE_STREAM": str(stream_path),
               "PYTHONPATH": str(REPO_ROOT)}
        if vocab_size is not None:
            env["GOLF_PROBE_VOCAB"] = str(vocab_size)
        return env

    def collect(seed_dir: Path) -> dict:
        return analyse(seed_dir, stream_path, tokenizer_path, vocab_size)

    return Hooks("token-ledger", wrap_argv=lambda argv, seed_dir: wrap_script(argv, script), extra_env=extra_env,
                 collect=collect)


def _save_stream(path: Path, data_path: Path) -> None:
    if path.exists():
        return
    import numpy as np

    from reference_model.data import load_tokens

    np.save(path, load_tokens(data_path, "val"))


def analyse(seed_dir: Path, stream_path: Path, tokenizer_path: Path, vocab_size: int | None) -> dict:
    """{"checked": [...], "violations": [...], "error": None | str} for one seed's events."""
    try:
        return _analyse(seed_dir, stream_path, tokenizer_path, vocab_size)
    except Exception as exc:  # noqa: BLE001 - anything that stops the analysis is "could not verify"
        return {"checked": [], "violations": [], "error": f"{type(exc).__name__}: {exc}"}


def _analyse(seed_dir: Path, stream_path: Path, tokenizer_path: Path, vocab_size: int | None) -> dict:
    import numpy as np

    from auditor.dynamic.ledger import Ledger, check_c2, check_c3, check_c4
    from auditor.parsers.runlog import parse_log
    from reference_model.bpb import ByteTable

    stdout = seed_dir / "stdout.txt"
    reported = parse_log(stdout).reported
    if reported is None:
        return {"checked": [], "violations": [], "error": "the run printed no final val_bpb line"}
    line = stdout.read_text(errors="replace").splitlines()[reported.line - 1]
    ledger = Ledger.from_dir(seed_dir / EVENTS, EVENTS)
    rp = ledger.reported_pass(line)
    if not rp.scores:
        return {"checked": [], "violations": [], "error": "no counted score was traced for the reported line"}
    table = ByteTable.from_tokenizer(str(tokenizer_path), vocab_size)
    stream = np.load(stream_path)
    found = [check_c2(ledger, rp), check_c3(ledger, rp), check_c4(ledger, rp, table, stream)]
    return {"checked": ["C2", "C3", "C4"], "error": None, "reported_line": line,
            "violations": [{"condition": v.condition, "position": v.position, "message": v.message,
                            "site": v.site, "context": list(v.context)} for v in found if v is not None]}

"""``--instrument``: the re-runs under the eval-loop instrumentation (the token ledger) of
``auditor.dynamic``, plugged in through the runner's ``Hooks``.

Each seed's script runs through the instrumentation's boot module (``python -m <boot> train_gpt.py``,
under torchrun as usual); the child is told where to write its events and which validation stream
to locate tokens in (the re-run's own ``fineweb_val_*`` tokens). After the run, the events are read
into a ledger and the conditions that one run can decide are checked (C2, C3, C4; C1 needs a second
run with a changed future, which ``golf-audit prove`` does). The per-seed summary is JSON in the
outcome (``instrument``) and rule R007 turns it into findings.

The tracer finds token tensors in the validation stream by content (8-token windows). Probe data
(``golf-audit prove``) is built so that every window is unique; a re-run's real data is not: a
window repeated inside the validation set, or shared with the training data, can place a read or
an update at the wrong position (training on a common phrase then looks like adapting on the
validation tokens that contain it). ``locating`` measures this once per re-run (repeated
windows in the validation stream; windows shared with the training shards, up to
``TRAIN_SCAN_TOKENS``); R007 reports violations as errors only when both counts are zero.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from auditor.rerun.runner import RUN_DIR, Hooks

REPO_ROOT = Path(__file__).resolve().parents[2]
BOOT = "auditor.dynamic.instrument.boot"
EVENTS = "events"
TRAIN_SCAN_TOKENS = 200_000_000  # training tokens scanned for shared windows (beyond: "not scanned")
CHUNK_TOKENS = 16_000_000  # scanned a chunk at a time (bounded memory)


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
    vocab = vocab_size or _piece_count(tokenizer_path)

    def extra_env(seed_dir: Path) -> dict[str, str]:
        _save_stream(stream_path, data_path)
        (seed_dir / EVENTS).mkdir(parents=True, exist_ok=True)
        return {"GOLF_TRACE_PATH": str(seed_dir / EVENTS / EVENTS), "GOLF_PROBE_STREAM": str(stream_path),
                "GOLF_PROBE_VOCAB": str(vocab), "PYTHONPATH": str(REPO_ROOT)}

    quality: dict = {}

    def collect(seed_dir: Path) -> dict:
        if not quality:
            quality.update(locating(stream_path, data_path))
        return {**analyse(seed_dir, stream_path, tokenizer_path, vocab), "locating": quality}

    return Hooks("token-ledger", wrap_argv=lambda argv, seed_dir: wrap_script(argv, script), extra_env=extra_env,
                 collect=collect)


def _piece_count(tokenizer_path: Path) -> int:
    """The vocabulary size of a sentencepiece model (when no VOCAB_SIZE is set anywhere)."""
    import sentencepiece as spm

    return int(spm.SentencePieceProcessor(model_file=str(tokenizer_path)).get_piece_size())


def locating(stream_path: Path, data_path: Path, budget: int = TRAIN_SCAN_TOKENS) -> dict:
    """How unambiguously content locates positions in this data (see the module docstring)."""
    try:
        import numpy as np

        from auditor.dynamic.instrument.locate import repeated_windows, window_hashes
        from reference_model.data import read_shard, shard_paths

        stream = np.load(stream_path)
        val = np.unique(window_hashes(stream))
        seen, scanned = np.zeros(val.size, dtype=bool), 0
        for path in shard_paths(data_path, "train"):
            tokens = read_shard(path)
            if scanned + tokens.size > budget:
                return _quality(stream, repeated_windows(stream).size, None)
            scanned += tokens.size
            for start in range(0, tokens.size, CHUNK_TOKENS):
                seen |= np.isin(val, window_hashes(tokens[start:start + CHUNK_TOKENS + 7]))
        return _quality(stream, repeated_windows(stream).size, int(seen.sum()))
    except Exception as exc:  # noqa: BLE001 - unknown quality is reported as such
        return {"error": f"{type(exc).__name__}: {exc}", "unambiguous": False}


def _quality(stream, repeated: int, shared: int | None) -> dict:
    return {"val_windows": int(max(stream.size - 7, 0)), "repeated_in_val": int(repeated),
            "shared_with_train": shared, "unambiguous": repeated == 0 and shared == 0}


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


def _reported_pass(ledger, log, lines: list[str]):
    """(line, pass) of the reported score: its line, or the first line of its label group (a rounded
    line printed before its ``_exact`` twin is the one the evaluation's scores precede); the pass
    carries the reported line's full-precision values."""
    reported = log.reported
    group = sorted({e.line for e in log.evaluations if e.label == reported.label and e.val_bpb is not None})
    for n in [reported.line, *group]:
        rp = ledger.reported_pass(lines[n - 1])
        if rp.scores:
            rp.val_bpb = float(reported.val_bpb.value)
            rp.val_loss = float(reported.val_loss.value) if reported.val_loss is not None else rp.val_loss
            return lines[n - 1], rp
    return lines[reported.line - 1], None


def _analyse(seed_dir: Path, stream_path: Path, tokenizer_path: Path, vocab_size: int | None) -> dict:
    import numpy as np

    from auditor.dynamic.ledger import Ledger, check_c2, check_c3, check_c4
    from auditor.parsers.runlog import parse_log
    from reference_model.bpb import ByteTable

    stdout = seed_dir / "stdout.txt"
    log = parse_log(stdout)
    if log.reported is None:
        return {"checked": [], "violations": [], "error": "the run printed no final val_bpb line"}
    ledger = Ledger.from_dir(seed_dir / EVENTS, EVENTS)
    line, rp = _reported_pass(ledger, log, stdout.read_text(errors="replace").splitlines())
    if rp is None:
        return {"checked": [], "violations": [], "error": "no counted score was traced for the reported line"}
    table = ByteTable.from_tokenizer(str(tokenizer_path), vocab_size)
    stream = np.load(stream_path)
    found = [check_c2(ledger, rp), check_c3(ledger, rp), check_c4(ledger, rp, table, stream)]
    return {"checked": ["C2", "C3", "C4"], "error": None, "reported_line": line,
            "violations": [{"condition": v.condition, "position": v.position, "message": v.message,
                            "site": _short_site(v.site, seed_dir / RUN_DIR), "context": list(v.context)}
                           for v in found if v is not None]}


def _short_site(site: str, run_dir: Path) -> str:
    """``/work/seed_42/run/train_gpt.py:194`` -> ``train_gpt.py:194`` (a path of the submission)."""
    prefix = f"{run_dir.resolve()}/"
    return site[len(prefix):] if site.startswith(prefix) else site

"""Parse a Parameter Golf training log into a typed, frozen ``RunLog``.

    log = parse_log("records/.../train_seed42.log")
    log.reported.val_bpb.value, log.reported.line     # the score the run reports, and where
    log.artifact.total.size.value                      # bytes of the artifact, as the log states
    log.training.train_time_ms, log.training.stop_reason
    log.seed, log.world_size, log.gpu_names, log.hyperparameters["matrix_lr"]

Reading is streaming and bounded: a line at a time, never the whole file, with caps on everything
kept. ``parse_log`` never raises on any input; what it could not read becomes ``RunLog.warnings``.
Every value carries its 1-based line, and printed numbers keep their text (``Num``), so rules can
point to file:line and compare within printed precision.

Reported score (``RunLog.reported``): among the final (non-periodic, non-alias) evaluations, take
those of the highest kind in ``evalkind.RANK`` (ttt > sliding > roundtrip > pre_quant > other);
of those, the label group logged last (the rounded line and its ``_exact`` twin form one group);
in that group, the line with the most decimals of val_bpb (the exact one), the later on ties.
"""
from __future__ import annotations

import os
import types
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Iterable, Mapping

from auditor.parsers.codesections import CodeTracker, LineRange
from auditor.parsers.evalkind import RANK, EvalKind
from auditor.parsers.logscan import Evaluation, Gpu, LogScanner, SizeEntry, Text, Timing
from auditor.parsers.numbers import Num
from auditor.parsers.textlines import ParseWarning, ReadStats, open_source, read_lines, segments, strip_prefix

__all__ = [
    "Artifact", "EvalKind", "Evaluation", "Gptq", "Gpu", "LineRange", "Num", "ParseWarning", "RunLog",
    "SizeEntry", "StopReason", "Text", "Timing", "Training", "parse_log",
]


class StopReason(Enum):
    """Why training stopped, as the log states it."""

    WALLCLOCK_CAP = "wallclock_cap"  # 'stopping_early: wallclock_cap ...'
    ITERATIONS = "iterations"        # reached the planned step count (or 'max_steps' cap)
    OTHER = "other"                  # a stop line with another reason
    UNKNOWN = "unknown"              # no stop line and the last step is not the planned one


@dataclass(frozen=True)
class Training:
    """Training-loop facts: time (as printed, unit ms/s/m), steps done, planned steps, stop."""

    train_time: Num | None
    steps: Num | None
    iterations: Num | None
    stop_reason: StopReason
    stop_line: int | None = None
    stop_text: str = ""

    @property
    def train_time_ms(self) -> float | None:
        """Training time in milliseconds, if printed."""
        return None if self.train_time is None else self.train_time.to_ms()


@dataclass(frozen=True)
class Artifact:
    """Every size line of the log; the properties pick the artifact's figures from them."""

    entries: tuple[SizeEntry, ...] = ()

    def _last(self, what: str, labels: Iterable[str] | None = None) -> SizeEntry | None:
        found = [e for e in self.entries if e.what == what and (labels is None or e.label in labels)]
        return found[-1] if found else None

    @property
    def total(self) -> SizeEntry | None:
        """The last 'Total submission size ...' (or budget/artifact) line: the final artifact."""
        return self._last("total")

    @property
    def model(self) -> SizeEntry | None:
        """The last 'Serialized model ...' line (the compressed model when one is printed)."""
        return self._last("model")

    @property
    def code(self) -> SizeEntry | None:
        """Plain 'Code size:' if printed, else the compressed, else the uncompressed figure."""
        return self._last("code", ("",)) or self.code_compressed or self.code_uncompressed

    @property
    def code_compressed(self) -> SizeEntry | None:
        """'Code size (compressed):' — the self-extracting wrapper convention."""
        return self._last("code", ("compressed",))

    @property
    def code_uncompressed(self) -> SizeEntry | None:
        """'Code size (uncompressed):' — the literal script."""
        return self._last("code", ("uncompressed",))


@dataclass(frozen=True)
class Gptq:
    """GPTQ evidence: the time reserved inside the training budget and the calibration step."""

    reserve: Num | None = None           # 'gptq:reserving 12s' (unit s or ms)
    effective_budget: Num | None = None  # 'effective=588000ms'
    calibration: Text | None = None      # first calibration / Hessian-collection line
    timings: tuple[Timing, ...] = ()     # 'GPTQ:collected 67 Hessians in 11.3s', ...

    @property
    def calibration_source(self) -> str | None:
        """'autoregressive' (self-generated), 'train' (training/calibration data) or None."""
        if self.calibration is None:
            return None
        text = self.calibration.value.lower()
        return "autoregressive" if ("autoregress" in text or "generat" in text) else "train"


@dataclass(frozen=True)
class RunLog:
    """Everything a training log states, each value with its 1-based line."""

    name: str
    sha256: str
    n_bytes: int
    n_lines: int
    evaluations: tuple[Evaluation, ...]
    artifact: Artifact
    training: Training
    seed: Num | None
    seeds: tuple[Num, ...]
    world_size: Num | None
    nproc_per_node: Num | None
    gpus: tuple[Gpu, ...]
    python_version: Text | None
    torch_version: Text | None
    val_tokens: Num | None
    train_shards: Num | None
    gptq: Gptq
    timings: tuple[Timing, ...]
    begins_with_code: bool
    code_sections: tuple[LineRange, ...]
    warnings: tuple[ParseWarning, ...]
    hyperparameters: Mapping[str, Text] = field(default_factory=dict, hash=False)
    env: Mapping[str, Text] = field(default_factory=dict, hash=False)

    # -- evaluations ---------------------------------------------------------------------

    def evals_of(self, kind: EvalKind) -> tuple[Evaluation, ...]:
        """Evaluations of one kind, in log order (aliases included)."""
        return tuple(e for e in self.evaluations if e.kind is kind)

    @property
    def periodic(self) -> tuple[Evaluation, ...]:
        """Step-wise validation during training."""
        return self.evals_of(EvalKind.PERIODIC)

    def final_scores(self) -> Mapping[EvalKind, Evaluation]:
        """The representative final evaluation of each kind present, highest kind first."""
        kinds = sorted({e.kind for e in self._finals()}, key=RANK.get, reverse=True)
        return types.MappingProxyType({k: _representative(self._finals(k)) for k in kinds})

    @property
    def reported(self) -> Evaluation | None:
        """The run's reported score (see the module docstring for the precedence); None if none."""
        scores = self.final_scores()
        return next(iter(scores.values()), None)

    def _finals(self, kind: EvalKind | None = None) -> list[Evaluation]:
        return [e for e in self.evaluations if e.kind is not EvalKind.PERIODIC and e.alias_of is None
                and e.val_bpb is not None and (kind is None or e.kind is kind)]

    def eval_times(self) -> tuple[Timing, ...]:
        """Durations of evaluation phases: every final evaluation's eval_time, then other phases."""
        own = [Timing(e.tag, e.eval_time) for e in self._finals() if e.eval_time is not None]
        return tuple(own) + self.timings

    # -- hardware, configuration -------------------------------------------------------------

    @property
    def gpu_names(self) -> tuple[str, ...]:
        """Distinct GPU names, in order of appearance."""
        return tuple(dict.fromkeys(g.name for g in self.gpus))

    @property
    def gpu_count(self) -> int | None:
        """Number of GPUs listed in an nvidia-smi table, if the log has one."""
        return sum(1 for g in self.gpus if g.index is not None) or None

    def hyperparameter(self, name: str) -> Text | None:
        """A dumped hyperparameter by name, case-insensitive."""
        wanted = name.lower()
        return next((v for k, v in self.hyperparameters.items() if k.lower() == wanted), None)

    @property
    def max_wallclock_seconds(self) -> Text | None:
        """MAX_WALLCLOCK_SECONDS from the launch command in the log, else the hyperparameter dump."""
        return self.env.get("MAX_WALLCLOCK_SECONDS") or self.hyperparameter("max_wallclock_seconds")

    @property
    def force_stop_step(self) -> Text | None:
        """FORCE_STOP_STEP from the launch command in the log, else the hyperparameter dump."""
        return self.env.get("FORCE_STOP_STEP") or self.hyperparameter("force_stop_step")

    def is_code_line(self, line: int) -> bool:
        """True if ``line`` lies in embedded script source."""
        return any(line in section for section in self.code_sections)


def _representative(evals: list[Evaluation]) -> Evaluation:
    """Of evaluations of one kind: the last-logged label group, and in it the most precise line."""
    last_label = evals[-1].label
    group = [e for e in evals if e.label == last_label]
    return max(group, key=lambda e: (e.val_bpb.decimals, e.line))


# -- parsing ------------------------------------------------------------------------------------

def parse_log(source: str | bytes | os.PathLike, name: str | None = None) -> RunLog:
    """Parse a log given as a path, its text or its bytes; never raises.

    A ``str`` is taken as a path when it names an existing file and has no newline, otherwise as
    the log's text. ``name`` (default: the path, or '<text>') is how findings will cite the file.
    """
    try:
        return _parse(source, name)
    except Exception as exc:  # noqa: BLE001 - the contract is "never raises"; report instead
        return _empty(name or "<log>", ParseWarning(0, f"internal parser error: {exc!r}"))


def _parse(source: str | bytes | os.PathLike, name: str | None) -> RunLog:
    try:
        stream, shown = open_source(source)
    except OSError as exc:
        return _empty(name or os.fspath(source), ParseWarning(0, f"cannot open: {exc.strerror or exc}"))
    with stream:
        scan, tracker, stats = _scan(stream)
        open_section = tracker.finish(stats.n_lines)
        if open_section is not None:  # read it all again, that section as log text
            stream.seek(0)
            scan, tracker, stats = _scan(stream, no_code_from=open_section.start)
            tracker.finish(stats.n_lines)
            stats.warn(open_section.start, "embedded code never closed by a separator line; "
                                           "read again as log text")
    return _build(name or shown, scan, tracker, stats, _not_a_file_warning(source))


def _scan(stream, no_code_from: int | None = None) -> tuple[LogScanner, CodeTracker, ReadStats]:
    """One pass over the stream: code sections routed away, everything else fed to a scanner."""
    stats, scan = ReadStats(), LogScanner()
    tracker = CodeTracker(lambda line, text: _feed(scan, line, text), no_code_from)
    for line, raw in read_lines(stream, stats):
        if tracker.open_start is not None and "=====" not in raw:
            continue  # inside embedded code only a separator line matters
        tracker.route(line, strip_prefix(raw))
    return scan, tracker, stats


def _feed(scan: LogScanner, line: int, text: str) -> None:
    if "\r" not in text:
        scan.feed(line, text.rstrip())
        return
    for part in segments(text):  # '\r' progress bars: each rewrite is a line of its own
        scan.feed(line, part.rstrip())


def _not_a_file_warning(source: object) -> ParseWarning | None:
    looks_like_path = isinstance(source, str) and "\n" not in source and source.endswith((".log", ".txt"))
    if looks_like_path and not os.path.isfile(source):
        return ParseWarning(0, "no such file; the argument was parsed as log text")
    return None


def _build(name: str, scan: LogScanner, tracker: CodeTracker, stats: ReadStats,
           extra: ParseWarning | None) -> RunLog:
    facts = scan.facts
    for line, message in scan.notes:
        stats.warn(line, message)
    seeds = _distinct_seeds(scan)
    _check_seeds(seeds, stats)
    if not scan.finals:
        stats.warn(0, "no final evaluation line (no post-training val_bpb)")
    return RunLog(
        name=name, sha256=stats.sha256.hexdigest(), n_bytes=stats.n_bytes, n_lines=stats.n_lines,
        evaluations=_evaluations(scan), artifact=Artifact(tuple(scan.sizes)), training=_training(scan),
        seed=(scan.strong_seeds or scan.weak_seeds or [None])[0], seeds=seeds,
        world_size=facts.get("world_size"), nproc_per_node=facts.get("nproc_per_node"),
        gpus=tuple(scan.gpus), python_version=facts.get("python_version"),
        torch_version=facts.get("torch_version"), val_tokens=facts.get("val_tokens"),
        train_shards=facts.get("train_shards"), gptq=_gptq(scan), timings=_non_gptq(scan.timings),
        begins_with_code=_begins_with_code(tracker), code_sections=tuple(tracker.sections),
        warnings=stats.all_warnings() + ((extra,) if extra else ()),
        hyperparameters=types.MappingProxyType(dict(scan.hparams)),
        env=types.MappingProxyType(dict(scan.env)),
    )


def _evaluations(scan: LogScanner) -> tuple[Evaluation, ...]:
    return tuple(sorted(scan.periodic() + _with_default_stride(scan), key=lambda e: e.line))


def _with_default_stride(scan: LogScanner) -> list[Evaluation]:
    """Sliding evaluations that print no stride take it from the hyperparameter dump."""
    dumped = scan.hparams.get("eval_stride") or scan.hparams.get("sliding_eval_stride")
    stride = int(dumped.value) if dumped and dumped.value.isdigit() else None
    if stride is None:
        return list(scan.finals)
    return [_replace_stride(e, stride) for e in scan.finals]


def _replace_stride(ev: Evaluation, stride: int) -> Evaluation:
    return replace(ev, stride=stride) if ev.kind is EvalKind.SLIDING and ev.stride is None else ev


def _training(scan: LogScanner) -> Training:
    last_step, planned, last_time = scan.progress()
    steps = scan.stop_step or last_step
    reason_text, stop_line = scan.stop or ("", None)
    return Training(
        train_time=scan.stop_time or last_time, steps=steps, iterations=planned,
        stop_reason=_stop_reason(reason_text, stop_line, steps, planned),
        stop_line=stop_line, stop_text=reason_text,
    )


def _stop_reason(text: str, stop_line: int | None, steps: Num | None, planned: Num | None) -> StopReason:
    lowered = text.lower()
    if stop_line is not None and "wallclock" in lowered:
        return StopReason.WALLCLOCK_CAP
    if "max_step" in lowered or "iteration" in lowered:
        return StopReason.ITERATIONS
    if stop_line is not None:
        return StopReason.OTHER
    reached = steps is not None and planned is not None and steps.value >= planned.value
    return StopReason.ITERATIONS if reached else StopReason.UNKNOWN


def _gptq(scan: LogScanner) -> Gptq:
    facts = scan.facts
    return Gptq(
        reserve=facts.get("gptq_reserve"), effective_budget=facts.get("gptq_effective"),
        calibration=facts.get("gptq_calibration"),
        timings=tuple(t for t in scan.timings if t.label.startswith("gptq:")),
    )


def _non_gptq(timings: list[Timing]) -> tuple[Timing, ...]:
    return tuple(t for t in timings if not t.label.startswith("gptq:"))


def _distinct_seeds(scan: LogScanner) -> tuple[Num, ...]:
    seen: dict[float, Num] = {}
    for seed in sorted(scan.strong_seeds + scan.weak_seeds, key=lambda s: s.line):
        seen.setdefault(seed.value, seed)
    return tuple(seen.values())


def _check_seeds(seeds: tuple[Num, ...], stats: ReadStats) -> None:
    if len(seeds) > 1:
        values = ", ".join(s.raw for s in seeds[:8])
        stats.warn(seeds[1].line, f"several seeds stated in one log: {values}")


def _begins_with_code(tracker: CodeTracker) -> bool:
    return bool(tracker.sections) and tracker.sections[0].start == tracker.first_content_line


def _empty(name: str, warning: ParseWarning) -> RunLog:
    return RunLog(
        name=name, sha256="", n_bytes=0, n_lines=0, evaluations=(), artifact=Artifact(),
        training=Training(None, None, None, StopReason.UNKNOWN), seed=None, seeds=(), world_size=None,
        nproc_per_node=None, gpus=(), python_version=None, torch_version=None, val_tokens=None,
        train_shards=None, gptq=Gptq(), timings=(), begins_with_code=False, code_sections=(),
        warnings=(warning,),
    )

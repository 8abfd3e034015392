"""Line handlers that turn the text of a training log into facts, one line at a time.

``LogScanner.feed`` receives each log line (prefix stripped, outside embedded code) and dispatches
it through ``_HANDLERS``: (quick substring test, compiled pattern, handler). Handlers only record
what the line states; choosing among the facts (which score is reported, which size is the
artifact) is done once at the end, in ``runlog``.
"""
from __future__ import annotations

import collections
import re
from dataclasses import dataclass, field, replace

from auditor.parsers.evalkind import EvalKind, classify
from auditor.parsers.numbers import NUMBER, NUMBER_OR_NAN, Num, parse_int, parse_num

MAX_PERIODIC = 1024      # periodic evaluations kept (the latest ones)
MAX_FINAL = 512          # other evaluations kept (the first ones)
MAX_HPARAMS = 1024       # hyperparameter entries kept
MAX_VALUE_CHARS = 256    # longest hyperparameter / version string kept
MAX_ITEMS = 256          # sizes, timings, GPUs, seeds, env entries kept
MAX_SHAPES = 4096        # idle line shapes remembered
MAX_KEPT_CHARS = 512     # longest text kept until the end (periodic lines: longer ones are parsed at once)


@dataclass(frozen=True)
class Text:
    """A string value read from a file, with its 1-based line."""

    value: str
    line: int


@dataclass(frozen=True)
class Evaluation:
    """One val_loss/val_bpb line of a log.

    ``tag`` is the text before the first ``val_loss``/``val_bpb`` on the line. ``exact`` marks the
    full-precision line of a pair (``*_exact`` or an inline ``exact:`` value). ``alias_of`` is the
    line of an earlier evaluation of a higher kind that this line repeats under another tag (some
    scripts print the sliding score again as ``final_int8_zlib_roundtrip_exact``).
    """

    kind: EvalKind
    tag: str
    line: int
    val_bpb: Num | None
    val_loss: Num | None = None
    eval_time: Num | None = None
    stride: int | None = None
    step: int | None = None
    exact: bool = False
    alias_of: int | None = None

    @property
    def label(self) -> str:
        """The tag without its ``exact`` marker: the rounded and exact lines of a pair share it."""
        return _EXACT_WORD.sub("", self.tag.lower()).strip(" :=")


@dataclass(frozen=True)
class SizeEntry:
    """A size the log reports: ``what`` is 'total', 'model' or 'code'; ``label`` its qualifier.

    ``size.unit`` is 'bytes', or 'MB' (decimal megabytes, 1 MB = 1,000,000 bytes) for the few
    scripts that only print megabytes; ``bytes`` converts.
    """

    what: str
    label: str
    size: Num

    @property
    def bytes(self) -> float:
        """The size in bytes (a MB figure is only as precise as its printed decimals)."""
        return float(self.size.value) * (1_000_000 if self.size.unit == "MB" else 1)


@dataclass(frozen=True)
class Timing:
    """A duration the log reports for a phase (``duration.unit`` is 'ms' or 's')."""

    label: str
    duration: Num


@dataclass(frozen=True)
class Gpu:
    """A GPU the log names: a row of an nvidia-smi table (with ``index``) or a device line."""

    name: str
    line: int
    index: int | None = None


_EXACT_WORD = re.compile(r"[_ ]?\bexact\b|_exact\b")
_NUM = f"(?:{NUMBER})"
_VAL = re.compile(rf"(?<![\w.])val_(loss|bpb)\s*[:=]?\s*({NUMBER_OR_NAN})", re.IGNORECASE)
_EVAL_TIME = re.compile(rf"\b(?:eval_time|elapsed|time)\s*[:=]\s*({_NUM})\s*(ms|s)\b")
_STRIDE = re.compile(r"\bstride\s*[:=]\s*(\d{1,7})\b")
_STEP_FIELD = re.compile(r"\bstep[:=\s]\s*(\d{1,12})\b")
_LEAD_STEP = re.compile(r"^\s*(?:step[:\s]*)?(\d{1,12})\s*/\s*(\d{1,12})\b")
_EXACT_FIELD = re.compile(rf"\bexact\s*[:=]\s*({_NUM})")
_EVAL_MODE = re.compile(r"\beval_mode\s*[:=]\s*(\S+)")
_TRAIN_TIME = re.compile(rf"(?<![\w.])(?:train_time|t)\b[^:=\d]{{0,40}}[:=]\s*~?({_NUM})\s*(ms|s|m)\b")
_SLIDING_HINT = re.compile(
    r"final_eval_mode\s*[:=]\s*sliding|sliding[ _-]window eval|^\s*sliding_eval\s*\[", re.IGNORECASE
)


@dataclass
class LogScanner:
    """Mutable collector of everything a log states; ``feed`` one line at a time."""

    periodic_lines: collections.deque = field(
        default_factory=lambda: collections.deque(maxlen=MAX_PERIODIC))  # (line, text) parsed at the end, or an Evaluation
    finals: list[Evaluation] = field(default_factory=list)
    sizes: list[SizeEntry] = field(default_factory=list)
    timings: list[Timing] = field(default_factory=list)
    gpus: list[Gpu] = field(default_factory=list)
    strong_seeds: list[Num] = field(default_factory=list)
    weak_seeds: list[Num] = field(default_factory=list)
    hparams: dict[str, Text] = field(default_factory=dict)
    env: dict[str, Text] = field(default_factory=dict)
    facts: dict[str, Num | Text] = field(default_factory=dict)  # first value of each simple fact
    last_progress: tuple[int, str] | None = None  # latest training-step line, parsed at the end
    planned_steps: Num | None = None
    stop: tuple[str, int] | None = None       # (reason text, line)
    stop_time: Num | None = None
    stop_step: Num | None = None
    sliding_pending: bool = False             # a 'sliding window eval' line awaits its score
    sliding_stride: int | None = None
    training_started: bool = False
    in_hparam_block: bool = False
    idle_shapes: set = field(default_factory=set)  # digit-blind shapes of lines that matched nothing
    notes: list[tuple[int, str]] = field(default_factory=list)  # warnings for the RunLog

    def feed(self, line: int, text: str) -> None:
        """Record what one log line states."""
        if self.in_hparam_block and self._hparam_block_line(line, text):
            return
        if "val_" in text or text.startswith(_STEP_PREFIXES):
            self._dispatch(line, text)  # evaluations and training steps: never skipped, never idle
            return
        shape = _shape(text)
        if shape in self.idle_shapes:
            return  # a line like one that stated nothing before (progress chatter)
        if not self._dispatch(line, text) and len(self.idle_shapes) < MAX_SHAPES and len(shape) <= MAX_KEPT_CHARS:
            self.idle_shapes.add(shape)

    def _dispatch(self, line: int, text: str) -> bool:
        """Run the handlers whose guard and pattern match; True if any pattern matched."""
        matched = False
        for at_start, needles, pattern, handler in _HANDLERS:
            if at_start:
                if not text.startswith(needles):
                    continue
            elif not _contains_any(text, needles):
                continue
            match = pattern.search(text)
            matched = matched or match is not None
            if match and handler(self, match, line) is STOP:
                break
        return matched

    # -- small recording helpers used by the handlers --------------------------------------

    def first(self, key: str, value: Num | Text | None) -> None:
        """Keep the first value seen for a simple fact."""
        if value is not None and key not in self.facts:
            self.facts[key] = value

    def add_seed(self, seed: Num | None, strong: bool) -> None:
        """Record a seed; keep each distinct value once."""
        bucket = self.strong_seeds if strong else self.weak_seeds
        if seed is not None and len(bucket) < MAX_ITEMS and all(s.value != seed.value for s in bucket):
            bucket.append(seed)

    def add_hparam(self, name: str, value: str, line: int) -> None:
        """Record a dumped hyperparameter (first value wins; name and value length capped)."""
        if name in self.hparams or len(self.hparams) >= MAX_HPARAMS:
            return
        self.hparams[name] = Text(value.strip()[:MAX_VALUE_CHARS], line)
        if name.lower() == "seed":
            self.add_seed(parse_int(value.strip(), line), strong=True)
        if name.lower() == "world_size":
            self.first("world_size", parse_int(value.strip(), line))

    def add_timing(self, label: str, raw: str, unit: str, line: int) -> None:
        """Record a phase duration."""
        num = parse_num(raw, line, unit)
        if num is not None and len(self.timings) < MAX_ITEMS:
            self.timings.append(Timing(label, num))

    def add_size(self, what: str, label: str, raw: str, line: int) -> None:
        """Record a byte count the log reports."""
        num = parse_int(raw, line, "bytes")
        if num is not None and len(self.sizes) < MAX_ITEMS:
            self.sizes.append(SizeEntry(what, label.strip(" :"), num))

    def progress_line(self, line: int, text: str) -> None:
        """Remember the latest training-step line (only the last one is ever parsed)."""
        self.training_started = True
        self.last_progress = (line, text)

    def progress(self) -> tuple[Num | None, Num | None, Num | None]:
        """(step, planned steps, train time) stated by the latest training-step line."""
        if self.last_progress is None:
            return None, self.planned_steps, None
        line, text = self.last_progress
        step = _LEAD_STEP.search(text) or _STEP_FIELD.search(text)
        total = parse_int(step.group(2), line) if step and step.re is _LEAD_STEP else None
        time = _TRAIN_TIME.search(text)
        train_time = parse_num(time.group(1), line, time.group(2)) if time else None
        return (parse_int(step.group(1), line) if step else None), total or self.planned_steps, train_time

    def periodic(self) -> list[Evaluation]:
        """The kept periodic evaluations, parsed now (long lines were parsed when read)."""
        return [item if isinstance(item, Evaluation) else parse_evaluation(line, item, EvalKind.PERIODIC)
                for line, item in self.periodic_lines]

    def _hparam_block_line(self, line: int, text: str) -> bool:
        match = _HPARAM_ENTRY.match(text)
        if match is None:
            self.in_hparam_block = False
            return False
        self.add_hparam(match.group(1), match.group(2), line)
        return True

    # -- evaluations -----------------------------------------------------------------------

    def add_evaluation(self, ev: Evaluation) -> None:
        """Store an evaluation (bounded), after applying the log's sliding-window context."""
        ev = self._in_context(ev)
        if len(self.finals) < MAX_FINAL:
            self.finals.append(ev)
        elif len(self.finals) == MAX_FINAL:
            self.notes.append((ev.line, f"more than {MAX_FINAL} final evaluations; rest ignored"))

    def _in_context(self, ev: Evaluation) -> Evaluation:
        prev = self.finals[-1] if self.finals else None
        if prev is not None and prev.label == ev.label and prev.line >= ev.line - 3:
            return _twin(prev, ev)
        if ev.kind is EvalKind.ROUNDTRIP and self.sliding_pending:
            self.sliding_pending = False
            return replace(ev, kind=EvalKind.SLIDING, stride=ev.stride or self.sliding_stride)
        return _as_alias(ev, self.finals)


def _twin(rounded: Evaluation, exact: Evaluation) -> Evaluation:
    """The second line of a rounded/exact pair is the same evaluation: same kind, stride, time."""
    plain = exact.kind in (EvalKind.ROUNDTRIP, EvalKind.OTHER)
    return replace(exact, kind=rounded.kind if plain else exact.kind, stride=exact.stride or rounded.stride,
                   eval_time=exact.eval_time or rounded.eval_time)


def _as_alias(ev: Evaluation, earlier: list[Evaluation]) -> Evaluation:
    """A roundtrip line that repeats the printed numbers of a higher-kind line is that line's alias."""
    if ev.kind is not EvalKind.ROUNDTRIP or ev.val_bpb is None or len(ev.val_bpb.raw) < 8:
        return ev
    for other in reversed(earlier[-16:]):
        same_loss = (ev.val_loss and ev.val_loss.raw) == (other.val_loss and other.val_loss.raw)
        higher = other.kind in (EvalKind.SLIDING, EvalKind.TTT)
        if higher and other.val_bpb and other.val_bpb.raw == ev.val_bpb.raw and same_loss:
            return replace(ev, kind=other.kind, stride=other.stride, alias_of=other.line)
    return ev


STOP = object()  # returned by a handler when no further handler should see the line


# -- handlers: each records one kind of statement ---------------------------------------------

def _on_eval(scan: LogScanner, match: re.Match, line: int) -> object:
    text = match.string
    tag = text[: match.start()]
    mode = _EVAL_MODE.search(text) if "eval_mode" in text else None
    kind = classify(tag + (" " + mode.group(1) if mode else ""))
    if kind is EvalKind.PERIODIC:
        keep = text if len(text) <= MAX_KEPT_CHARS else parse_evaluation(line, text, kind)  # memory bound
        scan.periodic_lines.append((line, keep))
        scan.progress_line(line, text)
    else:
        scan.add_evaluation(parse_evaluation(line, text, kind))
    return STOP


def parse_evaluation(line: int, text: str, kind: EvalKind) -> Evaluation:
    """The Evaluation a val_loss/val_bpb line states (``kind`` already classified)."""
    values = {m.group(1).lower(): m for m in reversed(list(_VAL.finditer(text)))}
    tag = text[: min((m.start() for m in values.values()), default=len(text))].strip()
    exact_field = _EXACT_FIELD.search(text)
    bpb_raw = exact_field.group(1) if exact_field else _group(values.get("bpb"), 2)
    return Evaluation(
        kind=kind, tag=tag[:MAX_VALUE_CHARS], line=line,
        val_bpb=_num(bpb_raw, line), val_loss=_num(_group(values.get("loss"), 2), line),
        eval_time=_eval_time(text, line), stride=_int_group(_STRIDE.search(text)),
        step=_step_of(tag), exact=bool(exact_field) or "exact" in tag.lower(),
    )


def _eval_time(text: str, line: int) -> Num | None:
    match = _EVAL_TIME.search(text)
    return parse_num(match.group(1), line, match.group(2)) if match else None


def _step_of(tag: str) -> int | None:
    match = _LEAD_STEP.search(tag) or _STEP_FIELD.search(tag)
    return int(match.group(1)) if match else None


def _on_progress(scan: LogScanner, match: re.Match, line: int) -> object:
    scan.progress_line(line, match.string)
    return STOP


def _on_stop(scan: LogScanner, match: re.Match, line: int) -> object:
    text = match.string
    scan.stop = (text[match.end():].strip(), line)
    time = _TRAIN_TIME.search(text)
    scan.stop_time = parse_num(time.group(1), line, time.group(2)) if time else None
    step = _STOP_STEP.search(text)
    if step:
        scan.stop_step = parse_int(step.group(1), line)
        scan.planned_steps = parse_int(step.group(2) or "", line) or scan.planned_steps
    return STOP


def _on_gpu_row(scan: LogScanner, match: re.Match, line: int) -> object:
    index = int(match.group(1))
    if len(scan.gpus) < MAX_ITEMS and all(g.index != index for g in scan.gpus):
        scan.gpus.append(Gpu(match.group(2).strip(), line, index))
    return STOP


def _on_gpu_name(scan: LogScanner, match: re.Match, line: int) -> object:
    if not scan.gpus:  # an nvidia-smi table, when there is one, is the better evidence
        scan.gpus.append(Gpu(match.group(1).strip(), line))
    return None


def _on_total(scan: LogScanner, match: re.Match, line: int) -> object:
    label = _SUBMISSION_WORDS.sub("", match.group("label"))
    scan.add_size("total", " ".join(label.split()), match.group("n"), line)
    return STOP


def _on_model(scan: LogScanner, match: re.Match, line: int) -> object:
    scan.add_size("model", match.group("label"), match.group("n"), line)
    _same_line_sizes(scan, match.string[match.end():], match.group("label"), line)
    return STOP


def _on_sizes(scan: LogScanner, match: re.Match, line: int) -> object:
    """A line that states sizes as 'key: N bytes' fields, e.g. 'model:5115117 code:75904 total:5191021'."""
    text = match.string
    if "bytes" not in text and not ("model" in text and "code" in text):
        return None
    label = text.split(":", 1)[0].strip()[:60]
    model = _MODEL_FIELD.search(text)
    if model:
        scan.add_size("model", label, model.group(1), line)
    _same_line_sizes(scan, text, label, line)
    return STOP


def _same_line_sizes(scan: LogScanner, text: str, label: str, line: int) -> None:
    code, total = _CODE_FIELD.search(text), _TOTAL_FIELD.search(text)
    if code:
        scan.add_size("code", "", code.group(1), line)
    if total:
        scan.add_size("total", label, total.group(1), line)


def _on_code(scan: LogScanner, match: re.Match, line: int) -> object:
    scan.add_size("code", match.group("label") or "", match.group("n"), line)
    return STOP


def _on_budget(scan: LogScanner, match: re.Match, line: int) -> object:
    scan.add_size("total", "budget", match.group(1), line)
    return STOP


def _on_artifact_code(scan: LogScanner, match: re.Match, line: int) -> object:
    scan.add_size("code", "", match.group(1), line)
    return STOP


def _on_artifact_total(scan: LogScanner, match: re.Match, line: int) -> object:
    scan.add_size("total", match.group(1).lower(), match.group(2), line)
    return STOP


def _on_piped_sizes(scan: LogScanner, match: re.Match, line: int) -> object:
    for part in match.string.split("|"):
        item = _PIPED_ITEM.match(part)
        if item:
            name = item.group(1).lower()
            what = "total" if "total" in name else "code" if "code" in name else "model"
            scan.add_size(what, "" if what != "model" else item.group(1), item.group(2), line)
    return STOP


def _on_seed_line(scan: LogScanner, match: re.Match, line: int) -> object:
    scan.add_seed(parse_int(match.group(1), line), strong=True)
    return None


def _on_seed_mention(scan: LogScanner, match: re.Match, line: int) -> object:
    scan.add_seed(parse_int(match.group(1), line), strong=False)
    return None


def _on_params_line(scan: LogScanner, match: re.Match, line: int) -> object:
    """Compact summary lines such as 'params:73685840 L:10 d:768 ... ws:8 ga:1 s:1337'."""
    world, seed = _PARAMS_WS.search(match.string), _PARAMS_SEED.search(match.string)
    scan.first("world_size", parse_int(world.group(1), line) if world else None)
    scan.add_seed(parse_int(seed.group(1), line) if seed else None, strong=True)
    return None


def _on_mb_sizes(scan: LogScanner, match: re.Match, line: int) -> object:
    """'INT4+fp8+brotli: 15.42MB model + 0.077MB code = 15.50/16.00MB FITS' (decimal MB)."""
    for what in ("model", "code", "total"):
        num = parse_num(match.group(what), line, "MB")
        if num is not None and len(scan.sizes) < MAX_ITEMS:
            scan.sizes.append(SizeEntry(what, match.group("label") if what != "code" else "", num))
    return STOP


def _first_int(key: str):
    """A handler that keeps the first integer a pattern captures (group 1) as the fact ``key``."""
    def handler(scan: LogScanner, match: re.Match, line: int) -> object:
        scan.first(key, parse_int(match.group(1), line))
        return None
    return handler


def _first_text(key: str):
    """A handler that keeps the first string a pattern captures (group 1) as the fact ``key``."""
    def handler(scan: LogScanner, match: re.Match, line: int) -> object:
        scan.first(key, Text(match.group(1)[:MAX_VALUE_CHARS], line))
        return STOP
    return handler


def _on_hparam_header(scan: LogScanner, match: re.Match, line: int) -> object:
    scan.in_hparam_block = True
    return STOP


def _on_kv_line(scan: LogScanner, match: re.Match, line: int) -> object:
    for name, value in _KV_PAIR.findall(match.string):
        scan.add_hparam(name, value, line)
    return None


def _on_colon_line(scan: LogScanner, match: re.Match, line: int) -> object:
    if scan.training_started or _PROGRESS_KEY.match(match.string):
        return None
    for name, value in _COLON_PAIR.findall(match.string):
        scan.add_hparam(name, value, line)
    return None


def _on_env(scan: LogScanner, match: re.Match, line: int) -> object:
    for name, value in _ENV_PAIR.findall(match.string):
        if name not in scan.env and len(scan.env) < MAX_ITEMS:
            scan.env[name] = Text(value.strip("'\"")[:MAX_VALUE_CHARS], line)
    return None


def _on_gptq_reserve(scan: LogScanner, match: re.Match, line: int) -> object:
    scan.first("gptq_reserve", parse_num(match.group(1), line, match.group(2)))
    if match.group(3):
        scan.first("gptq_effective", parse_num(match.group(3), line, match.group(4)))
    return STOP


def _on_gptq_step(scan: LogScanner, match: re.Match, line: int) -> object:
    phrase = match.group(1)
    if _CALIBRATION.search(phrase):
        scan.first("gptq_calibration", Text(match.string.strip()[:MAX_VALUE_CHARS], line))
    duration = _DONE_IN.search(phrase)
    if duration:
        label = "gptq:" + (phrase.split() or [""])[0].lower()
        scan.add_timing(label, duration.group(1), duration.group(2), line)
    return STOP


def _on_phase_time(scan: LogScanner, match: re.Match, line: int) -> object:
    scan.add_timing(match.group("label").strip(" :").lower(), match.group("n"), match.group("u"), line)
    return STOP


def _on_sliding_hint(scan: LogScanner, match: re.Match, line: int) -> object:
    """'final_eval_mode:sliding_window stride:64', 'starting sliding window eval...': the next
    roundtrip-tagged score is a sliding-window score."""
    scan.sliding_pending = True
    scan.sliding_stride = _int_group(_STRIDE.search(match.string)) or scan.sliding_stride
    return None


# -- small parsing helpers -------------------------------------------------------------------

def _group(match: re.Match | None, index: int) -> str | None:
    return match.group(index) if match else None


def _num(raw: str | None, line: int) -> Num | None:
    return parse_num(raw, line) if raw else None


def _shape(text: str) -> str:
    """The line with every digit replaced by '0': lines of one shape differ only in digit values."""
    return text.translate(_ZERO_DIGITS)


def _int_group(match: re.Match | None) -> int | None:
    return int(match.group(1)) if match else None


def _starts(*prefixes: str) -> tuple[bool, tuple[str, ...]]:
    """Handler guard: the line starts with one of ``prefixes``."""
    return True, prefixes


def _has(*needles: str) -> tuple[bool, tuple[str, ...]]:
    """Handler guard: the line contains one of ``needles``."""
    return False, needles


def _contains_any(text: str, needles: tuple[str, ...]) -> bool:
    for needle in needles:
        if needle in text:
            return True
    return False


_HPARAM_ENTRY = re.compile(r"^\s+([A-Za-z_][\w.\-]{0,127})\s*:\s?(.*)$")
_KV_PAIR = re.compile(r"([A-Za-z_][\w.\-]{0,127})=(\S*)")
_COLON_PAIR = re.compile(r"([A-Za-z_][\w.\-]{0,127}):(\S+)")
_ENV_PAIR = re.compile(r"(?<![\w$])([A-Z][A-Z0-9_]{1,63})=(\"[^\"]*\"|'[^']*'|[^\s;&|]*)")
_ZERO_DIGITS = str.maketrans("123456789", "000000000")
_STEP_PREFIXES = ("step", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9")
_SIZE_VALUE = r"\s*[:=]\s*(\d[\d,]{0,24})(?![\w.])"
_TOTAL_FIELD = re.compile(
    r"(?<![\w.])(?:total|total_bytes|total_artifact_bytes)" + _SIZE_VALUE, re.IGNORECASE)
_CODE_FIELD = re.compile(r"(?<![\w.])code(?:_bytes)?" + _SIZE_VALUE, re.IGNORECASE)
_MODEL_FIELD = re.compile(r"(?<![\w.])(?:model|model_bytes|compressed_model_bytes)" + _SIZE_VALUE)
_PARAMS_WS = re.compile(r"\bws:(\d{1,6})\b")
_PARAMS_SEED = re.compile(r"(?<![\w.])s:(\d{1,20})\b")
_PROGRESS_KEY = re.compile(r"^\w*step\s*:\s*\d+\s*/")
_DONE_IN = re.compile(rf"\bin\s+({_NUM})\s*(ms|s)\b")
_STOP_STEP = re.compile(r"\bstep[:\s]\s*~?(\d{1,12})(?:/(\d{1,12}))?")
_SUBMISSION_WORDS = re.compile(r"\bsubmission\b|\bsize\b", re.IGNORECASE)
_PIPED_ITEM = re.compile(r"\s*([A-Za-z][\w +\-]*?)\s*:\s*(\d[\d,]{0,24})\b")
_CALIBRATION = re.compile(r"collect|calibrat|hessian|generat|loading calibration", re.IGNORECASE)

# Line patterns, each with an example of what it reads.
_GPU_ROW = re.compile(  # '|   0  NVIDIA H100 80GB HBM3          On  |   00000000:04:00.0 Off |'
    r"^\|\s*(\d{1,3})\s+(\S.*?)\s{2,}(?:On|Off)\s*\|\s*[0-9A-Fa-f]{4,8}:[0-9A-Fa-f]{2}:")
_GPU_NAME = re.compile(  # 'fa:1 gpu:NVIDIA H100 80GB HBM3 he:True', 'NVIDIA H100 80GB HBM3, 570.1, ...'
    r"(?:^|\b(?:name|gpu|device)\s*[:=]\s*'?)(NVIDIA [A-Z][\w .\-]{1,40}?|Tesla [\w\-]{1,20})\s*(?:[,'|]|$)")
_STOP_LINE = re.compile(r"^(?:stopping_early|Stopping early)\s*:?", re.IGNORECASE)
_TOTAL_LINE = re.compile(  # 'Total submission size int8+zlib: 15863489 bytes'
    r"^Total\b(?P<label>[^:]*?\bsubmission\b[^:]*?)\s*:\s*(?P<n>\d[\d,]{0,24})\s*(?:bytes|B)?\b",
    re.IGNORECASE)
_MODEL_LINE = re.compile(  # 'Serialized model quantized+brotli: 15976275 bytes'
    r"^Serialized model\b\s*(?P<label>[^:]*?)\s*:\s*(?P<n>\d[\d,]{0,24})\s*bytes")
_CODE_LINE = re.compile(  # 'Code size: 47642 bytes', 'Code size (compressed): 31999 bytes'
    r"^Code size\s*(?:\((?P<label>[^)]{0,40})\))?\s*:\s*(?P<n>\d[\d,]{0,24})\s*bytes")
_BUDGET_LINE = re.compile(r"^budget:(\d{1,20})/\d{1,20}")  # 'budget:15995705/16000000 (...) FITS'
_ARTIFACT_CODE = re.compile(r"^artifact:.*\bcode:(\d{1,20})\b")  # 'artifact:15.92MB ... code:70853'
_ARTIFACT_TOTAL = re.compile(  # 'Artifact: 15,540,001 bytes (15.5 MB)', 'artifact_bytes:   15540675'
    r"^(Artifact(?: size)?|artifact_bytes|total_submission_bytes|total_artifact_bytes)\s*[:=]\s*"
    r"(\d[\d,]{0,24})\s*(?:bytes)?\s*(?:\(|$)")
_PIPED_SIZES = re.compile(r"^[A-Za-z][\w +\-]*:\s*\d[\d,]*\s*bytes\s*\|")  # 'Raw model: N bytes | Code: N'
_MB_SIZES = re.compile(  # 'INT4+fp8+brotli: 15.42MB model + 0.077MB code = 15.50/16.00MB FITS'
    rf"^\s*(?P<label>[\w+\-]+):\s*(?P<model>{_NUM})\s*MB model \+ (?P<code>{_NUM})\s*MB code"
    rf" = (?P<total>{_NUM})\s*/")
_SEED_LINE = re.compile(r"^seed\s*[:=]\s*(\d{1,20})\s*$", re.IGNORECASE)  # 'seed:1337'
_SEED_MENTION = re.compile(r"(?<![\w.])seed\b\s*[:= ]\s*(\d{1,20})\b", re.IGNORECASE)  # 'RUN seed=42'
_PARAMS_LINE = re.compile(r"(?:^|\s)params:\d[\d,]*\b")  # 'params:73685840 L:10 ... ws:8 ga:1 s:1337'
_HPARAM_HEADER = re.compile(r"^Hyperparameters\s*:?\s*$")
_WORLD_SIZE = re.compile(r"(?<![\w])(?:world[_ ]size|ws)\s*[:=]\s*(\d{1,6})\b", re.IGNORECASE)
_NPROC = re.compile(r"--nproc[_-]per[_-]node[= ](\d{1,6})\b")
_VAL_TOKENS = re.compile(r"^val[_ ]tokens\s*[:=]\s*(\d[\d,]{0,24})")  # 'val_tokens: 40540160'
_VAL_LOADER = re.compile(r"^val_loader:.*\btokens:(\d{1,20})")  # 'val_loader:shards ... tokens:62021632'
_TRAIN_SHARDS = re.compile(r"(?<![\w])train_shards\s*[:=]\s*(\d{1,9})\b")
_PYTHON = re.compile(r"^(?:Running )?Python\s+(\d+\.\d+(?:\.\d+)?\S*)")  # 'Running Python 3.12.13 (...)'
_TORCH = re.compile(  # 'Running PyTorch 2.10.0+cu128', 'torch==2.9.1'
    r"^(?:Running )?(?:PyTorch|torch)(?:\s+version)?\s*(?:[:=]=?\s*|\s)v?(\d+\.\d+\S*)", re.IGNORECASE)
_GPTQ_RESERVE = re.compile(  # 'gptq:reserving 12s, effective=588000ms'
    rf"gptq:\s*reserving\s+({_NUM})\s*(ms|s)\b(?:.*?effective(?: cap)?\s*[=:]\s*({_NUM})\s*(ms|s)\b)?",
    re.IGNORECASE)
_GPTQ_STEP = re.compile(r"^\s*\w*gptq\w*\s*:\s*(.*)$", re.IGNORECASE)  # 'GPTQ:collected 67 Hessians in 3.5s'
_PHASE_TIME = re.compile(  # 'total_eval_time:500.1s', 'ttt_lora:compile warmup done (153.3s)', ...
    rf"^(?P<label>total_eval_time|\w*wallclock(?::\w+)?|\w+(?::\w+)?:compile warmup|Serialize|Deserialize"
    rf"|[\w:]+:done)\b.*?(?:[:=(]|done in|elapsed[=:]|total_elapsed[=:])\s*(?P<n>{_NUM})\s*(?P<u>ms|s)\b",
    re.IGNORECASE)
_OTHER_EVAL_TIME = re.compile(  # 'temp_scaling optimal_T:0.90 eval_time:151ms'
    rf"^(?P<label>[\w:]+)\b.*?\beval_time\s*[:=]\s*(?P<n>{_NUM})\s*(?P<u>ms|s)\b")
_KV_LINE = re.compile(r"^\s*(?:[A-Za-z_][\w.\-]*=\S*\s+){2,}[A-Za-z_][\w.\-]*=\S*\s*$")  # 'a=1 b=2 c=3'
_COLON_LINE = re.compile(r"^(?:[A-Za-z_][\w.\-]*:\S+\s+)*[A-Za-z_][\w.\-]*:\S+\s*$")  # 'a:1 b:2'
_ENV_LINE = re.compile(r"[A-Z][A-Z0-9_]{1,63}=")  # 'SEED=42 torchrun ...'

# (guard, pattern, handler) in order; a handler returning STOP ends the line.
_HANDLERS = (
    (*_starts("|"), _GPU_ROW, _on_gpu_row),
    (*_has("val_"), _VAL, _on_eval),
    (True, _STEP_PREFIXES, _LEAD_STEP, _on_progress),
    (*_starts("stopping_early", "Stopping early"), _STOP_LINE, _on_stop),
    (*_starts("Total"), _TOTAL_LINE, _on_total),
    (*_starts("Serialized model"), _MODEL_LINE, _on_model),
    (*_starts("Code size"), _CODE_LINE, _on_code),
    (*_starts("budget:"), _BUDGET_LINE, _on_budget),
    (*_starts("artifact:"), _ARTIFACT_CODE, _on_artifact_code),
    (*_starts("Artifact", "artifact_bytes", "total_submission_bytes", "total_artifact_bytes"),
     _ARTIFACT_TOTAL, _on_artifact_total),
    (*_has("total", "Total"), _TOTAL_FIELD, _on_sizes),
    (*_has(" | "), _PIPED_SIZES, _on_piped_sizes),
    (*_starts("seed", "Seed", "SEED"), _SEED_LINE, _on_seed_line),
    (*_has("params:"), _PARAMS_LINE, _on_params_line),
    (*_has("MB code"), _MB_SIZES, _on_mb_sizes),
    (*_starts("Hyperparameters"), _HPARAM_HEADER, _on_hparam_header),
    (*_has("world", "World", "ws:"), _WORLD_SIZE, _first_int("world_size")),
    (*_has("nproc"), _NPROC, _first_int("nproc_per_node")),
    (*_starts("val_tokens", "val tokens"), _VAL_TOKENS, _first_int("val_tokens")),
    (*_starts("val_loader"), _VAL_LOADER, _first_int("val_tokens")),
    (*_has("train_shards"), _TRAIN_SHARDS, _first_int("train_shards")),
    (*_has("ython"), _PYTHON, _first_text("python_version")),
    (*_has("orch"), _TORCH, _first_text("torch_version")),
    (*_has("gptq", "GPTQ"), _GPTQ_RESERVE, _on_gptq_reserve),
    (*_has("gptq", "GPTQ"), _GPTQ_STEP, _on_gptq_step),
    (*_has("eval_time", "done", "elapsed", "wallclock"), _PHASE_TIME, _on_phase_time),
    (*_has("eval_time"), _OTHER_EVAL_TIME, _on_phase_time),
    (*_has("sliding"), _SLIDING_HINT, _on_sliding_hint),
    (*_has("name:", "gpu:", "NVIDIA"), _GPU_NAME, _on_gpu_name),
    (*_has("="), _KV_LINE, _on_kv_line),
    (*_has(":"), _COLON_LINE, _on_colon_line),
    (*_has("torchrun", "train_gpt", "python"), _ENV_LINE, _on_env),
    (*_has("seed", "SEED", "Seed"), _SEED_MENTION, _on_seed_mention),
)

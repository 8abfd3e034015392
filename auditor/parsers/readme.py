"""Parse a record README: its per-seed results tables and the run commands in its code blocks.

    readme = parse_readme("records/.../README.md")
    for table in readme.tables:
        bpb = table.primary_bpb()                    # the headline val_bpb column
        for row in table.rows:                       # one row per seed
            row.seed.value, table.value(row, bpb)    # Num with line and printed precision
    readme.commands[0].env["SEED"]                   # Text('42', line)

Tables are GitHub-flavoured markdown tables with a seed column (``| Seed | val_bpb | ... |``) or a
transposed layout (``| Metric | Seed 42 | Seed 314 |``); header spellings vary widely, so each
column is classified (``ColumnKind``) and, for scores, given the evaluation stage it names
(``EvalKind``: sliding, ttt, ...). Tables inside fenced code blocks are ignored; commands are only
read from fenced code blocks. ``parse_readme`` never raises; problems become ``warnings``.
"""
from __future__ import annotations

import os
import re
import shlex
import types
from dataclasses import dataclass, field
from enum import Enum
from typing import Iterator, Mapping

from auditor.parsers.evalkind import RANK, EvalKind, classify_stage
from auditor.parsers.logscan import Text
from auditor.parsers.numbers import NUMBER, Num, parse_num
from auditor.parsers.textlines import ParseWarning, ReadStats, open_source, read_lines

__all__ = ["Cell", "Column", "ColumnKind", "Readme", "ResultsTable", "RunCommand", "SeedRow",
           "ShellLoop", "parse_readme"]

MAX_TABLES = 64
MAX_ROWS = 512
MAX_COMMANDS = 256


class ColumnKind(Enum):
    """What a results-table column holds."""

    SEED = "seed"
    BPB = "bpb"              # a val_bpb score (``Column.stage`` says which evaluation)
    LOSS = "loss"            # a val_loss in nats
    BYTES = "bytes"          # artifact / total submission size
    CODE_BYTES = "code_bytes"
    TRAIN_TIME = "train_time"
    EVAL_TIME = "eval_time"
    STEPS = "steps"
    STEP_AVG = "step_avg"    # ms per step
    DELTA = "delta"          # a gain / difference / spread, not a score
    OTHER = "other"


@dataclass(frozen=True)
class Column:
    """A column (or, in a transposed table, a metric row) and what it holds."""

    index: int
    header: str
    kind: ColumnKind
    stage: EvalKind | None = None  # for BPB/LOSS: the evaluation named in the header, if any
    emphasized: bool = False       # header in bold: the table's headline metric


@dataclass(frozen=True)
class Cell:
    """A table cell: its text (markdown removed), its line, and its first number with unit."""

    text: str
    line: int
    value: Num | None


@dataclass(frozen=True)
class SeedRow:
    """A row for one seed, or a summary row (mean, std, ...) when ``seed`` is None."""

    line: int
    label: str
    seed: Num | None
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class ResultsTable:
    """A results table with a seed dimension; ``rows`` are per seed, ``summaries`` the rest."""

    line: int
    columns: tuple[Column, ...]
    rows: tuple[SeedRow, ...]
    summaries: tuple[SeedRow, ...]
    transposed: bool = False

    def columns_of(self, kind: ColumnKind, stage: EvalKind | None = None) -> tuple[Column, ...]:
        """Columns of a kind (and stage, when given)."""
        return tuple(c for c in self.columns if c.kind is kind and (stage is None or c.stage is stage))

    def primary_bpb(self) -> Column | None:
        """The headline score column: a bold bpb header, else the most processed stage, else the first."""
        bpb = self.columns_of(ColumnKind.BPB)
        bold = [c for c in bpb if c.emphasized]
        ranked = sorted(bpb, key=lambda c: RANK.get(c.stage, 1) if c.stage else 1, reverse=True)
        return (bold or ranked or [None])[0]

    def cell(self, row: SeedRow, column: Column | None) -> Cell | None:
        """The cell of ``row`` in ``column``."""
        if column is None or column.index >= len(row.cells):
            return None
        return row.cells[column.index]

    def value(self, row: SeedRow, column: Column | None) -> Num | None:
        """The number in ``row``'s cell of ``column``."""
        cell = self.cell(row, column)
        return cell.value if cell else None

    def seeds(self) -> tuple[Num, ...]:
        """The seeds of the table, in row order."""
        return tuple(r.seed for r in self.rows if r.seed is not None)


@dataclass(frozen=True)
class RunCommand:
    """A command from a fenced code block, with the environment it sets (``export`` included)."""

    line: int
    text: str
    program: str
    args: tuple[str, ...]
    env: Mapping[str, Text] = field(default_factory=dict, hash=False)

    @property
    def script(self) -> str | None:
        """The first ``*.py`` argument."""
        return next((a for a in self.args if a.endswith(".py")), None)

    @property
    def is_launch(self) -> bool:
        """A training launch: torchrun-like launcher, ``-m torch.distributed.run``, or a train*.py script."""
        name = os.path.basename(self.program)
        script = os.path.basename(self.script or "")
        return name in _LAUNCHERS or "torch.distributed.run" in self.args or script.startswith("train")

    @property
    def nproc_per_node(self) -> int | None:
        """``--nproc_per_node`` / ``--nproc-per-node`` as an int, if given."""
        for i, arg in enumerate(self.args):
            match = re.match(r"--nproc[_-]per[_-]node(?:=([0-9]{1,6}))?$", arg)
            if match:
                value = match.group(1) or (self.args[i + 1] if i + 1 < len(self.args) else "")
                return int(value) if re.fullmatch(r"[0-9]{1,6}", value) else None
        return None


@dataclass(frozen=True)
class ShellLoop:
    """``for VAR in a b c; do`` in a code block: the values the commands inside run with."""

    line: int
    variable: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Readme:
    """The machine-readable parts of a README."""

    name: str
    tables: tuple[ResultsTable, ...]
    commands: tuple[RunCommand, ...]
    loops: tuple[ShellLoop, ...]
    warnings: tuple[ParseWarning, ...]

    def launches(self) -> tuple[RunCommand, ...]:
        """The commands that launch training (see ``RunCommand.is_launch``)."""
        return tuple(c for c in self.commands if c.is_launch)

    def seed_rows(self) -> tuple[SeedRow, ...]:
        """All per-seed rows of all tables."""
        return tuple(row for table in self.tables for row in table.rows)


# -- entry point ----------------------------------------------------------------------------------

def parse_readme(source: str | bytes | os.PathLike, name: str | None = None) -> Readme:
    """Parse a README given as a path, its text or its bytes; never raises."""
    stats = ReadStats()
    try:
        stream, shown = open_source(source)
        with stream:
            lines = list(read_lines(stream, stats))
        return _parse(name or shown, lines, stats)
    except Exception as exc:  # noqa: BLE001 - the contract is "never raises"; report instead
        stats.warn(0, f"cannot parse README: {exc!r}")
        return Readme(name or "<readme>", (), (), (), stats.all_warnings())


def _parse(name: str, lines: list[tuple[int, str]], stats: ReadStats) -> Readme:
    prose, blocks = _split_fences(lines)
    tables = [t for t in (_table(rows) for rows in _markdown_tables(prose)) if t is not None]
    commands, loops = [], []
    for block in blocks:
        block_commands, block_loops = _commands(block)
        commands += block_commands
        loops += block_loops
    if len(tables) > MAX_TABLES or len(commands) > MAX_COMMANDS:
        stats.warn(0, "too many tables or commands; the rest ignored")
    return Readme(name, tuple(tables[:MAX_TABLES]), tuple(commands[:MAX_COMMANDS]), tuple(loops),
                  stats.all_warnings())


# -- fenced code blocks ---------------------------------------------------------------------------

_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_NOT_SHELL = {"python", "py", "python3", "json", "yaml", "yml", "toml", "diff", "c", "cpp", "rust",
              "js", "javascript", "ts", "markdown", "md", "mermaid", "csv", "tsv", "latex", "math"}


def _split_fences(lines: list[tuple[int, str]]):
    """(lines outside fenced blocks, [lines of each fenced shell-like block])."""
    prose, blocks, current, fence, shell = [], [], None, "", True
    for line, text in lines:
        match = _FENCE.match(text)
        if match and match.group(1)[0] == "`" and "`" in text.strip()[len(match.group(1)):]:
            match = None  # CommonMark: a backtick fence's info string has no backtick (```a```)
        if current is None and match:
            current, fence = [], match.group(1)
            shell = text.strip()[len(fence):].strip().lower().split(" ")[0] not in _NOT_SHELL
        elif current is not None and match and match.group(1).startswith(fence[0] * len(fence)):
            blocks += [current] if shell else []
            current = None
        elif current is not None:
            current.append((line, text))
        else:
            prose.append((line, text))
    if current is not None and shell:
        blocks.append(current)
    return prose, blocks


# -- tables ---------------------------------------------------------------------------------------

_CELL_SPLIT = re.compile(r"(?<!\\)\|")  # a pipe that is not escaped as '\|'
_DELIMITER = re.compile(r"^\s*\|?\s*:?-{1,}:?\s*(?:\|\s*:?-{1,}:?\s*)*\|?\s*$")


def _markdown_tables(lines: list[tuple[int, str]]) -> Iterator[list[tuple[int, list[str]]]]:
    """Each table as [(line, raw cells)], header first (the delimiter row dropped)."""
    i = 0
    while i + 1 < len(lines):
        (line, text), (_, below) = lines[i], lines[i + 1]
        if "|" in text and _DELIMITER.match(below) and "-" in below:
            rows, i = [(line, _split_row(text))], i + 2
            while i < len(lines) and "|" in lines[i][1] and lines[i][1].strip():
                rows.append((lines[i][0], _split_row(lines[i][1])))
                i += 1
            yield rows[:MAX_ROWS]
        else:
            i += 1


def _split_row(text: str) -> list[str]:
    body = text.strip()
    body = body[1:] if body.startswith("|") else body
    body = body[:-1] if body.endswith("|") and not body.endswith("\\|") else body
    return [cell.replace("\\|", "|").strip() for cell in _CELL_SPLIT.split(body)]


def _table(rows: list[tuple[int, list[str]]]) -> ResultsTable | None:
    header_line, headers = rows[0]
    columns = [_column(i, h) for i, h in enumerate(headers)]
    if any(c.kind is ColumnKind.SEED for c in columns):
        return _seed_table(header_line, columns, rows[1:])
    if sum(1 for h in headers[1:] if _SEED_HEADER.match(_plain(h))) >= 1:
        return _transposed_table(header_line, headers, rows[1:])
    return None


def _seed_table(header_line: int, columns: list[Column], body) -> ResultsTable:
    seed_col = next(c.index for c in columns if c.kind is ColumnKind.SEED)
    rows = [_row(line, cells, seed_col, len(columns)) for line, cells in body]
    return ResultsTable(header_line, tuple(columns), tuple(r for r in rows if r.seed is not None),
                        tuple(r for r in rows if r.seed is None and _SUMMARY.search(r.label.lower())))


def _row(line: int, cells: list[str], seed_col: int, width: int) -> SeedRow:
    padded = (cells + [""] * width)[:max(width, len(cells))]
    parsed = tuple(_cell(text, line) for text in padded)
    label = parsed[seed_col].text if seed_col < len(parsed) else ""
    return SeedRow(line, label, _seed_value(label, line), parsed)


def _transposed_table(header_line: int, headers: list[str], body) -> ResultsTable:
    """``| Metric | Seed 42 | Seed 314 | Mean |``: each body row is a metric, each column a seed."""
    metrics = [_column(i, cells[0] if cells else "") for i, (_, cells) in enumerate(body)]
    rows, summaries = [], []
    for col, header in enumerate(headers[1:], start=1):
        cells = tuple(_cell(c[col] if col < len(c) else "", line) for line, c in body)
        named = _SEED_HEADER.match(_plain(header))
        seed = parse_num(named.group(1), header_line) if named else None
        target = rows if seed is not None else summaries
        if seed is not None or _SUMMARY.search(header.lower()):
            target.append(SeedRow(header_line, _plain(header), seed, cells))
    return ResultsTable(header_line, tuple(metrics), tuple(rows), tuple(summaries), transposed=True)


# -- column classification ------------------------------------------------------------------------

_SEED_COLUMN = re.compile(r"^\W*seeds?\b(?!\s*\d)")
# A transposed table's seed column: 'Seed 42', 'seed=42', 'Run 1 (seed=1337)'.
_SEED_HEADER = re.compile(
    r"^\s*(?:run\s*\d{1,3}\s*)?\(?\s*seed\s*[:=#]?\s*(\d{1,20})\s*\)?\s*$", re.IGNORECASE)
_SUMMARY = re.compile(r"mean|avg|average|std|stdev|σ|median|min|max|best|worst|total|delta|Δ")
_COLUMN_RULES = (
    (re.compile(r"ms\s*/\s*step|step[_ ]?avg|ms per step|per[- ]step"), ColumnKind.STEP_AVG),
    (re.compile(r"^\W*(?:train(?:ing)? )?steps?\b(?!\s*avg)"), ColumnKind.STEPS),
    (re.compile(r"train(?:ing)?[_ ]*(?:time|ms|s\b|sec|wall)|wall-?clock"), ColumnKind.TRAIN_TIME),
    (re.compile(r"eval[_ ]*(?:time|ms|s\b|sec|wall)|ttt[_ ]+(?:eval[_ ]+)?time"), ColumnKind.EVAL_TIME),
    (re.compile(r"gain|delta|Δ|\bdiff|improv|\bgap\b|\bvs\b|±|\bstd\b|σ"), ColumnKind.DELTA),
    (re.compile(r"\bcode\b.*(?:size|bytes)|code_bytes"), ColumnKind.CODE_BYTES),
    (re.compile(r"bytes|artifact|\bsize\b|submission|^\W*total\W*$|\bmb\b"), ColumnKind.BYTES),
    (re.compile(r"loss|nats"), ColumnKind.LOSS),
    (re.compile(r"bpb|bpp|bits.per.byte|slid|\bsw\b|ttt|roundtrip|\brt\b|quant|post-ema|score"),
     ColumnKind.BPB),
)


def _column(index: int, header: str) -> Column:
    text = _plain(header).lower()
    kind = ColumnKind.SEED if _SEED_COLUMN.match(text) else _kind_of(text)
    stage = _stage_of(text) if kind in (ColumnKind.BPB, ColumnKind.LOSS) else None
    return Column(index, _plain(header), kind, stage, emphasized="**" in header or "__" in header)


def _kind_of(text: str) -> ColumnKind:
    for pattern, kind in _COLUMN_RULES:
        if pattern.search(text):
            return kind
    return ColumnKind.OTHER


def _stage_of(text: str) -> EvalKind | None:
    stage = classify_stage(text)
    return None if stage is EvalKind.OTHER else stage


# -- cells ----------------------------------------------------------------------------------------

_MARKUP = re.compile(r"\*\*|__|(?<!\w)\*|\*(?!\w)|`|~~|<[^>]{1,40}>")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_CELL_NUMBER = re.compile(
    rf"(?<![\w.])({NUMBER})\s*(ms|s|sec|min|m|h|MB|MiB|KB|KiB|B|bytes|%)?(?![\w])", re.IGNORECASE
)


def _plain(text: str) -> str:
    """Cell or header text without markdown emphasis, code spans, links and HTML tags."""
    return " ".join(_MARKUP.sub("", _LINK.sub(r"\1", text)).split())


def _cell(text: str, line: int) -> Cell:
    plain = _plain(text).replace("\u2212", "-").replace("\u2009", "").replace("\u202f", "")
    match = _CELL_NUMBER.search(plain)
    value = parse_num(match.group(1), line, _unit(match.group(2))) if match else None
    return Cell(plain, line, value)


def _unit(raw: str | None) -> str:
    if raw is None:
        return ""
    unit = raw.lower()
    return {"sec": "s", "bytes": "bytes", "b": "bytes", "mb": "MB", "mib": "MiB", "kb": "KB",
            "kib": "KiB"}.get(unit, unit)


_SEED_LABEL = re.compile(
    r"^\s*(?:seed\s*[:=#]?\s*)?(\d{1,20})(?:\s*[*\u2020\u2021]+|\s*\(.*\)|\s+[A-Za-z_]\w*)?\s*$",
    re.IGNORECASE,
)


def _seed_value(label: str, line: int) -> Num | None:
    """The seed a row label or header names: '42', 'Seed 42', '1337 (rerun)'; not '3-seed mean'."""
    match = _SEED_LABEL.match(label)
    return parse_num(match.group(1), line) if match else None


# -- commands -------------------------------------------------------------------------------------

_ASSIGNMENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$", re.DOTALL)
_LOOP = re.compile(r"^\s*for\s+([A-Za-z_]\w*)\s+in\s+(.+?)\s*;?\s*(?:do\b.*)?$")
_LAUNCHERS = ("torchrun", "accelerate", "deepspeed", "srun", "mpirun")


def _commands(block: list[tuple[int, str]]) -> tuple[list[RunCommand], list[ShellLoop]]:
    """Run commands and ``for`` loops of one fenced block; ``export`` carries to later commands."""
    exported: dict[str, Text] = {}
    commands, loops = [], []
    for tokens in _simple_commands(block):
        text = shlex.join(t for t, _ in tokens)
        loop = _LOOP.match(text)
        if loop and not text.endswith(":"):
            loops.append(ShellLoop(tokens[0][1], loop.group(1), tuple(loop.group(2).split())))
            continue
        command = _command(tokens, text, exported)
        if command is not None:
            commands.append(command)
    return commands, loops


def _simple_commands(block: list[tuple[int, str]]) -> Iterator[list[tuple[str, int]]]:
    """[(token, line)] per simple command: '\\' continues a line, '&&', ';', '||' separate."""
    tokens: list[tuple[str, int]] = []
    for line, raw in block:
        text = raw.lstrip().replace("\\_", "_")  # markdown-escaped underscores in some READMEs
        text = text[2:] if text.startswith(("$ ", "> ")) else text
        text = text[:-1] if text.rstrip().endswith("\\\\") else text
        if text.startswith("#"):
            continue
        continued = text.rstrip().endswith("\\")
        body = text.rstrip()[:-1] if continued else text
        tokens += [(tok, line) for tok in _tokens(body)]
        if not continued:
            yield from _split_on_operators(tokens)
            tokens = []
    if tokens:
        yield from _split_on_operators(tokens)


def _tokens(text: str) -> list[str]:
    try:
        return shlex.split(text, comments=True)
    except ValueError:
        return text.split()


def _split_on_operators(tokens: list[tuple[str, int]]) -> Iterator[list[tuple[str, int]]]:
    part: list[tuple[str, int]] = []
    piped = False
    for token, line in tokens + [(";", 0)]:
        ends = token in ("&&", ";", "||", "|") or (token.endswith(";") and len(token) > 1)
        if not ends:
            part += [] if piped else [(token, line)]
            continue
        if token.endswith(";") and len(token) > 1 and not piped:
            part.append((token[:-1], line))
        if part:
            yield part
        part, piped = [], token == "|"  # what follows a pipe (tee, grep) is not the run command


_WRAPPERS = ("do", "then", "else", "time", "nohup", "exec", "sudo", "env")
_UV_RUN = ("uv", "run")


def _command(tokens: list[tuple[str, int]], text: str, exported: dict[str, Text]) -> RunCommand | None:
    tokens = _unwrapped(tokens)
    if tokens and tokens[0][0] == "export":
        exported.update(_assignments(tokens[1:])[0])
        return None
    env, rest = _assignments(tokens)
    rest = _unwrapped(rest)
    program = rest[0][0] if rest else ""
    args = _without_redirections([t for t, _ in rest[1:]])
    if not (os.path.basename(program) in _LAUNCHERS or any(a.endswith(".py") for a in args)
            or "torch.distributed.run" in args):
        return None
    line = tokens[0][1]
    return RunCommand(line, text, program, args, types.MappingProxyType({**exported, **env}))


_REDIRECTION = re.compile(r"^(?:\d*[<>]{1,2}&?\d*|&>>?)(\S*)$")


def _without_redirections(args: list[str]) -> tuple[str, ...]:
    """Arguments without '2>&1', '> out.log', '>>log' and the like."""
    kept, skip_next = [], False
    for arg in args:
        match = _REDIRECTION.match(arg)
        if skip_next or match:
            skip_next = bool(match) and not match.group(1) and not arg.endswith(("&1", "&2"))
            continue
        kept.append(arg)
    return tuple(kept)


def _unwrapped(tokens: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Drop 'do', 'nohup', 'env', 'uv run' ... in front of the program."""
    while tokens:
        if tokens[0][0] in _WRAPPERS:
            tokens = tokens[1:]
        elif tuple(t for t, _ in tokens[:2]) == _UV_RUN:
            tokens = tokens[2:]
        else:
            return tokens
    return tokens


def _assignments(tokens: list[tuple[str, int]]) -> tuple[dict[str, Text], list[tuple[str, int]]]:
    """Leading NAME=value tokens as a dict, and the tokens after them."""
    env: dict[str, Text] = {}
    for i, (token, line) in enumerate(tokens):
        match = _ASSIGNMENT.match(token)
        if not match:
            return env, tokens[i:]
        env[match.group(1)] = Text(match.group(2), line)
    return env, []

"""Hostile inputs for the parsers: seeded mutation of the real records, and the fuzz targets.

Used both by the hypothesis tests (``tests/hostile/test_fuzz_*.py``, a modest number of examples)
and by the benchmark ``bench/fuzz.py`` (10,000+ inputs). A *target* takes one input, runs one
parser on it and reads everything the result offers; it raises ``HiddenCrash`` when the parser
caught an internal error of its own (a "never raises" parser that swallowed a bug still counts as
a crash), and lets any other exception through. A target that returns has survived the input.
"""

from __future__ import annotations

import dataclasses
import json
import os
import random
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

REPO = Path(__file__).resolve().parents[2]
REAL = REPO / "fixtures" / "real-records"
INTERNAL = re.compile(r"internal parser error|cannot parse README|internal error", re.I)


class HiddenCrash(AssertionError):
    """A parser survived only by catching an exception it should not have had."""


# -- seed corpus ------------------------------------------------------------------------------------------

@lru_cache(maxsize=None)
def corpus(kind: str) -> tuple[bytes, ...]:
    """Real files of one kind: ``log``, ``readme``, ``json`` (sorted, so runs are reproducible).

    Logs and submission JSON come from ``fixtures/real-records``; READMEs (the real records here
    carry none) from ``fixtures/readmes`` and the rule fixtures.
    """
    fixtures = REPO / "fixtures"
    if kind == "log":
        files = [p for pat in ("*.log", "*.txt") for p in REAL.rglob(pat) if not p.name.lower().startswith("req")]
    elif kind == "readme":
        files = [*(fixtures / "readmes").glob("*.md"), *(fixtures / "rules").rglob("README.md")]
    else:
        files = [*REAL.rglob("submission*.json"), *(fixtures / "rules").rglob("submission*.json")]
    return tuple(p.read_bytes() for p in sorted(set(files)) if p.is_file())


# -- generic byte and line mutations ------------------------------------------------------------------------

TOKENS = [b"\x00", b"\xff", b"\xc3", b"\xe2\x96", b"\n", b"\r", b"\r\n", b"\t", b"\x1b[31m", b"\x1b[", b'"', b"{",
          b"}", b"[", b"]", b":", b",", b"|", b"`", b"```", b"~~~", b"=" * 100, b"nan", b"inf", b"-inf",
          b"1e999", b"-0", b"9" * 30, b"0." + b"1" * 40, b"1,000,000", b"val_bpb:", b"val_loss:", b"step:",
          b"/", b"..", b"\\", "\u2028".encode(), b"\xef\xbb\xbf", b"$(", b"'", b"#",
          b"\xed\xa0\x80", b" " * 200, b"e", b"E+", b"." * 50]


def _range(rng: random.Random, data: bytes) -> tuple[int, int]:
    a = rng.randrange(len(data) + 1)
    return a, min(len(data), a + rng.choice((1, 2, 8, 64, 512, 4096)))


def mutate_bytes(rng: random.Random, data: bytes, donors: tuple[bytes, ...] = ()) -> bytes:
    """One to eight random byte-level edits of ``data``."""
    for _ in range(rng.randint(1, 8)):
        data = _one_edit(rng, data, donors)
    return data


def _one_edit(rng: random.Random, data: bytes, donors: tuple[bytes, ...]) -> bytes:
    op = rng.randrange(9)
    a, b = _range(rng, data)
    if op == 0 and data:  # flip bits
        i = rng.randrange(len(data))
        return data[:i] + bytes([data[i] ^ (1 << rng.randrange(8))]) + data[i + 1:]
    if op == 1:  # insert a token
        return data[:a] + rng.choice(TOKENS) * rng.choice((1, 1, 3, 100)) + data[a:]
    if op == 2:  # delete a range
        return data[:a] + data[b:]
    if op == 3:  # duplicate a range
        return data[:b] + data[a:b] * rng.choice((2, 5, 50)) + data[b:]
    if op == 4:  # truncate
        return data[:a]
    if op == 5 and donors:  # splice a piece of another file
        d = rng.choice(donors)
        c, e = _range(rng, d)
        return data[:a] + d[c:e] + data[b:]
    if op == 6:  # random bytes
        return data[:a] + rng.randbytes(rng.choice((1, 4, 64))) + data[a:]
    if op == 7:  # replace a number with an extreme one
        return _swap_number(rng, data)
    return mutate_lines(rng, data)


_NUMBER = re.compile(rb"\d+(?:\.\d+)?")
EXTREME = [b"0", b"-1", b"1e308", b"1e-320", b"nan", b"NaN", b"inf", b"1" * 5000, b"0.0000000000000000000001",
           b"99999999999999999999999", b"-0.0", b"1.0e+", b"0x1f", b"\xd9\xa3", b"1_000"]


def _swap_number(rng: random.Random, data: bytes) -> bytes:
    found = list(_NUMBER.finditer(data[:200_000]))
    if not found:
        return data
    m = rng.choice(found)
    return data[:m.start()] + rng.choice(EXTREME) + data[m.end():]


def mutate_lines(rng: random.Random, data: bytes) -> bytes:
    """Shuffle, drop, repeat or reorder whole lines."""
    lines = data.split(b"\n")
    op = rng.randrange(4)
    if op == 0:
        rng.shuffle(lines)
    elif op == 1 and lines:
        del lines[rng.randrange(len(lines))]
    elif op == 2 and lines:
        i = rng.randrange(len(lines))
        lines[i:i] = [lines[i]] * rng.choice((2, 30, 300))
    else:
        lines.reverse()
    return b"\n".join(lines)


# -- structure-aware JSON -----------------------------------------------------------------------------------

KEYS = ["val_bpb", "val_loss", "seeds", "seed_results", "compliance_rerun", "bytes_total", "date", "track",
        "name", "github_id", "train_time_ms", "eval_time_s", "seed", "mean_val_bpb", "artifact_bytes", "42",
        "", "\u0000", "a\nb", "$ref", "__proto__", "val_bpb\u200b"]


def json_value(rng: random.Random, depth: int = 0) -> Any:
    """A random JSON value, biased to what the submission parser looks for."""
    kind = rng.randrange(10 if depth < 6 else 6)
    if kind == 0:
        return rng.choice([None, True, False])
    if kind == 1:
        return rng.choice([0, -1, 42, 2 ** 63, -(2 ** 70), 10 ** 30, 1337])
    if kind == 2:
        return rng.choice([1.2, 0.0, -0.0, 1e308, 5e-324, 1.0828, 1e16, 123456.789])
    if kind == 3:
        return rng.choice(["", "1.2", "2026-04-01", "nan", "x" * 1000, "\u202e", "\x1b[2J", "2026-13-45",
                           "42", "../../etc/passwd"])
    if kind in (4, 5):
        return rng.choice(KEYS)
    if kind in (6, 7):
        return {rng.choice(KEYS): json_value(rng, depth + 1) for _ in range(rng.randint(0, 5))}
    return [json_value(rng, depth + 1) for _ in range(rng.randint(0, 5))]


def mutate_json(rng: random.Random, data: bytes) -> bytes:
    """Parse, change values and keys at random places, serialise (or corrupt the text)."""
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError):
        return mutate_bytes(rng, data, corpus("json"))
    for _ in range(rng.randint(1, 6)):
        doc = _mutate_tree(rng, doc)
    text = json.dumps(doc, indent=rng.choice([None, 2, 4]), ensure_ascii=rng.random() < 0.5)
    if rng.random() < 0.2:
        text = text.replace("1.", "1e999" if rng.random() < 0.5 else "NaN", 1)
    raw = text.encode("utf-8", "surrogatepass")
    return mutate_bytes(rng, raw) if rng.random() < 0.2 else raw


def _mutate_tree(rng: random.Random, node: Any) -> Any:
    if isinstance(node, dict) and node and rng.random() < 0.7:
        key = rng.choice(list(node))
        node[key] = _mutate_tree(rng, node[key])
        if rng.random() < 0.3:
            node[rng.choice(KEYS)] = json_value(rng)
        return node
    if isinstance(node, list) and node and rng.random() < 0.7:
        i = rng.randrange(len(node))
        node[i] = _mutate_tree(rng, node[i])
        return node
    if rng.random() < 0.1:
        return nested(rng.randint(20, 400), json_value(rng))
    return json_value(rng)


def nested(depth: int, leaf: Any) -> Any:
    for _ in range(depth):
        leaf = [leaf] if depth % 2 else {"seeds": leaf}
    return leaf


# -- generators per target ------------------------------------------------------------------------------------

def gen_log(rng: random.Random) -> bytes:
    logs = corpus("log")
    base = rng.choice(logs)
    if rng.random() < 0.5:  # keep it small most of the time: the tail with the final lines
        base = base[-rng.choice((2000, 8000, 30000)):]
    return mutate_bytes(rng, base, logs)


def gen_readme(rng: random.Random) -> bytes:
    readmes = corpus("readme")
    return mutate_bytes(rng, rng.choice(readmes), readmes)


def gen_json(rng: random.Random) -> bytes:
    docs = corpus("json")
    base = rng.choice(docs)
    return mutate_json(rng, base) if rng.random() < 0.7 else mutate_bytes(rng, base, docs)


def gen_line(rng: random.Random) -> str:
    """One log-like line: a real line mutated (for logscan, evalkind and numbers)."""
    log = rng.choice(corpus("log"))
    lines = log.splitlines()
    line = rng.choice(lines) if lines else b""
    return mutate_bytes(rng, line[:400]).decode("utf-8", "replace")


# -- touching every result ------------------------------------------------------------------------------------

def touch(obj: Any, depth: int = 0) -> int:
    """Read every field and property of a parse result, recursively; return how many were read."""
    if depth > 6 or obj is None or isinstance(obj, (str, bytes, int, float, bool)):
        return 0
    if isinstance(obj, dict) or type(obj).__name__ == "mappingproxy":
        return sum(touch(v, depth + 1) for v in obj.values())
    if isinstance(obj, (list, tuple, set, frozenset)):
        return sum(touch(v, depth + 1) for v in list(obj)[:50])
    n = 0
    names = [f.name for f in dataclasses.fields(obj)] if dataclasses.is_dataclass(obj) else []
    names += [k for cls in type(obj).__mro__ for k, v in vars(cls).items()
              if isinstance(v, property) and not k.startswith("_")]
    for name in dict.fromkeys(names):
        n += 1 + touch(getattr(obj, name), depth + 1)
    str(obj)
    return n


def _check_warnings(warnings) -> None:
    for w in warnings:
        if INTERNAL.search(w.message):
            raise HiddenCrash(w.message)


def target_submission(raw: bytes) -> None:
    from auditor.parsers.submission import SubmissionDoc
    from auditor.schemas import schema_errors

    doc = SubmissionDoc.parse("submission.json", raw)
    if doc.data is None:
        assert doc.error, "no data and no error"
        return
    doc.score_claim()
    touch(doc.seed_claims())
    for key in list(doc.data)[:20]:
        doc.line_of(key)
        doc.claim(key)
    for path, message in schema_errors(doc.data, "submission"):
        assert isinstance(path, str) and isinstance(message, str)


def target_log(raw: bytes) -> None:
    from auditor.parsers.runlog import EvalKind, parse_log

    log = parse_log(raw, name="fuzz.log")
    _check_warnings(log.warnings)
    touch(log)
    log.final_scores()
    log.eval_times()
    for kind in EvalKind:
        log.evals_of(kind)
    log.hyperparameter("matrix_lr")
    log.is_code_line(1)


def target_readme(raw: bytes) -> None:
    from auditor.parsers.readme import ColumnKind, parse_readme

    doc = parse_readme(raw, name="README.md")
    _check_warnings(doc.warnings)
    touch(doc)
    doc.launches()
    doc.seed_rows()
    for table in doc.tables:
        for kind in ColumnKind:
            table.columns_of(kind)
        table.seeds()
        for row in table.rows:
            table.value(row, table.primary_bpb())


def target_line(text: str) -> None:
    """logscan, evalkind and numbers on one line."""
    from auditor.parsers.evalkind import classify, classify_stage
    from auditor.parsers.logscan import LogScanner
    from auditor.parsers.numbers import NUMBER, parse_int, parse_num

    scan = LogScanner()
    scan.feed(1, text)
    scan.feed(2, text)
    scan.progress()
    scan.periodic()
    classify(text)
    classify_stage(text)
    for m in list(re.finditer(NUMBER, text))[:20]:
        for fn in (parse_num, parse_int):
            num = fn(m.group(), 1, "ms")
            if num is not None:
                num.decimals, num.half_unit, num.to_ms(), num.to_seconds()
                num.agrees(num), num.agrees(1.0)


TARGETS: dict[str, tuple[Callable[[random.Random], Any], Callable[[Any], None]]] = {
    "submission": (gen_json, target_submission),
    "log": (gen_log, target_log),
    "readme": (gen_readme, target_readme),
    "line": (gen_line, target_line),
}


# -- whole folders: Context, every static rule, every renderer ----------------------------------------------

ODD_NAMES = ["train\nseed42.log", "bad\x1b[31mred.log", "tab\there.txt", "\u202egol.txt", "sp ace.log", "-rf.log",
             "x" * 200 + ".log", "caf\u00e9.log", "..log", "submission (1).json", "README.MD", "train_seed\r1.log",
             "sub/dir/deep.log", "`tick`.log", "|pipe|.log", "[link](x).txt", "%2e%2e.log"]


@lru_cache(maxsize=None)
def record_folders() -> tuple[tuple[tuple[str, bytes], ...], ...]:
    """Every real record folder as (relative path, bytes) pairs."""
    out = []
    for folder in sorted(p for p in REAL.glob("*/*") if p.is_dir()):
        files = sorted(p for p in folder.rglob("*") if p.is_file())
        out.append(tuple((p.relative_to(folder).as_posix(), p.read_bytes()) for p in files))
    return tuple(out)


def gen_folder(rng: random.Random) -> dict[str, bytes]:
    """A real record folder with files mutated, dropped, renamed oddly or added."""
    files = dict(rng.choice(record_folders()))
    for rel in list(files):
        roll = rng.random()
        if roll < 0.15:
            del files[rel]
        elif roll < 0.5:
            data = files[rel]
            if rel.endswith(".json"):
                files[rel] = mutate_json(rng, data)
            else:
                files[rel] = mutate_bytes(rng, data[-rng.choice((3000, 20000, 200000)):], corpus("log"))
    for _ in range(rng.choice((0, 0, 1, 3))):
        source = rng.choice((gen_log, gen_readme, gen_json))
        files[rng.choice(ODD_NAMES + ["README.md", "submission.json", "train_seed7.log"])] = source(rng)
    return files


def write_folder(root: Path, files: dict[str, bytes]) -> None:
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def audit_folder(root: Path) -> dict[str, str]:
    """Audit ``root`` with every static rule and render every format; raise on any crash.

    A rule that crashed (UNVERIFIED with an internal error) raises ``HiddenCrash``; a report that
    carries a raw control character (a terminal escape, a newline inside a name) fails too.
    """
    from auditor.context import Context
    from auditor.engine import Status, audit
    from auditor.render import FORMATS, RenderOptions, get_renderer

    result = audit(Context.load(root))
    for v in result.verdicts:
        if v.status is Status.UNVERIFIED:
            raise HiddenCrash(f"{v.rule_id}: {v.reason}")
    reports = {fmt: get_renderer(fmt)(result, RenderOptions(verbose=True)) for fmt in FORMATS}
    for fmt in ("json", "sarif"):
        json.loads(reports[fmt])
    for fmt in ("text", "markdown"):
        bad = _CONTROL.search(reports[fmt])
        if bad:
            raise AssertionError(f"{fmt} report holds a raw control character {bad.group()!r}")
    return reports


def target_folder(files: dict[str, bytes]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="golf-fuzz-") as tmp:
        root = Path(tmp) / "records" / "track_10min_16mb" / "2026-04-01_Fuzz"
        root.mkdir(parents=True)
        write_folder(root, files)
        audit_folder(root)


TARGETS["folder"] = (gen_folder, target_folder)


# -- big files, written in blocks (memory stays flat while writing) ----------------------------------------------

BIG_SOURCE = REAL / "track_10min_16mb" / "2026-03-20_10L_Int5MLP_MuonWD04_SWA50" / "train_seed42.log"


def write_big_log(path: Path, size: int) -> None:
    """A real log grown to about ``size`` bytes by repeating its training-step section: the head
    (embedded code, hyperparameters) and the tail (final scores, sizes) are the real ones."""
    src = BIG_SOURCE.read_bytes()
    a, b = src.index(b"\nstep:") + 1, src.rindex(b"\nstep:") + 1
    middle = src[a:b] * max(1, (1 << 20) // (b - a))
    with open(path, "wb") as fh:
        fh.write(src[:a])
        written = 0
        while written < size:
            fh.write(middle)
            written += len(middle)
        fh.write(src[b:])


def write_attack_logs(folder: Path, size: int) -> list[str]:
    """Logs built to make a parser keep what it reads, each about ``size`` bytes; returns names."""
    pad = "p" * 60_000
    rng = random.Random(0)
    attacks = {
        "attack_periodic.log": lambda i: f"step:{i}/99999 val_loss:2.{i} val_bpb:1.{i} {pad}\n",
        "attack_shapes.log": lambda i: "".join(rng.choice("abcdefghij") for _ in range(200)) * 300 + "\n",
        "attack_tags.log": lambda i: f"final_{pad}_{i} val_loss:2.{i} val_bpb:1.{i}\n",
        "attack_hparams.log": lambda i: ("Hyperparameters:\n" if i == 0 else "")
        + f"  k{i}_{'x' * 120}: {'v' * 60_000}\n",
    }
    for name, line in attacks.items():
        with open(folder / name, "w") as fh:
            written, i = 0, 0
            while written < size:
                text = line(i)
                fh.write(text)
                written, i = written + len(text), i + 1
    with open(folder / "attack_one_line.log", "wb") as fh:  # a single line, no newline at all
        for _ in range(max(1, size >> 20)):
            fh.write(b"val_bpb:1.0 " * ((1 << 20) // 12))
    return [*attacks, "attack_one_line.log"]


def write_big_neighbours(folder: Path) -> None:
    """A README and a submission JSON just under their read caps, as costly to parse as allowed."""
    from auditor.context import MAX_README_BYTES
    from auditor.parsers.submission import MAX_JSON_BYTES, MAX_JSON_VALUES

    row = "| 1337 | 1.2345 | \U0001f642 \u00fcn\u00efc\u00f6d\u00e9 |\n"
    head = "# R\n| Seed | val_bpb | note |\n|---|---|---|\n"
    (folder / "README.md").write_text(head + row * ((MAX_README_BYTES - 100) // len(row.encode())))
    seeds = ",".join(["1337"] * (MAX_JSON_VALUES - 100))
    filler = "\U0001f642" * ((MAX_JSON_BYTES - len(seeds) - 200) // 4)
    (folder / "submission.json").write_text(f'{{"val_bpb": 1.2, "seeds": [{seeds}], "x": "{filler}"}}')


def peak_rss_mb(argv: list[str], cwd: Path, env: dict | None = None, timeout: float = 600,
                stdout: Path | None = None) -> tuple[float, int, float]:
    """(peak RSS in MB, exit code, wall seconds) of one child process, measured by an intermediate
    process whose only child it is (RUSAGE_CHILDREN is the maximum over all children waited for).
    The child's stdout goes to ``stdout`` (default: discarded)."""
    import subprocess
    import sys

    probe = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
             "out = open(sys.argv[1], 'wb'); "
             "r = subprocess.run(sys.argv[2:], stdout=out, stderr=subprocess.DEVNULL); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.returncode, time.perf_counter() - t)")
    target = str(stdout) if stdout else os.devnull
    out = subprocess.run([sys.executable, "-c", probe, target, *argv], cwd=cwd, env=env, capture_output=True,
                         text=True, timeout=timeout, check=True).stdout.split()
    return int(out[0]) / 1024, int(out[1]), float(out[2])


# -- code: self-extracting wrappers, decoded and parsed -------------------------------------------------------

@lru_cache(maxsize=None)
def code_corpus() -> tuple[str, ...]:
    files = sorted({*(REPO / "fixtures" / "prove").rglob("*.py"), *(REPO / "fixtures" / "rules").rglob("*.py")})
    return tuple(p.read_text(errors="replace") for p in files)


def _wrap(rng: random.Random, payload: bytes) -> str:
    """A stub that execs ``payload`` through a random chain of decoders, as records ship them."""
    import base64
    import bz2
    import lzma
    import zlib

    import brotli

    kind = rng.choice(["lzma_raw", "lzma", "zlib", "bz2", "brotli", "none"])
    kwargs = ""
    if kind == "lzma_raw":
        dict_size = rng.choice([1 << 16, 1 << 20, 1536 << 20])
        data = lzma.compress(payload, format=lzma.FORMAT_RAW, filters=[{"id": lzma.FILTER_LZMA2}])
        kwargs = f", format=L.FORMAT_RAW, filters=[{{'id': L.FILTER_LZMA2, 'dict_size': {dict_size}}}]"
        call = "L.decompress"
    else:
        data = {"lzma": lzma.compress, "zlib": zlib.compress, "bz2": bz2.compress, "brotli": brotli.compress,
                "none": bytes}[kind](payload)
        call = {"lzma": "L.decompress", "zlib": "zlib.decompress", "bz2": "bz2.decompress",
                "brotli": "brotli.decompress", "none": ""}[kind]
    if rng.random() < 0.2:
        data = mutate_bytes(rng, data)
    enc, dec = rng.choice([(base64.b85encode, "B.b85decode"), (base64.b64encode, "B.b64decode"),
                           (base64.a85encode, "B.a85decode")])
    literal = repr(enc(data).decode("ascii")) if rng.random() < 0.8 else repr(enc(data))
    inner = f"{dec}({literal})"
    expr = f"{call}({inner}{kwargs})" if call else inner
    return ("import lzma as L, base64 as B, zlib, bz2, brotli\n"
            f"exec({expr}{'.decode()' if rng.random() < 0.3 else ''})\n")


def gen_code(rng: random.Random) -> str:
    """Real fixture code, mutated, wrapped 0-6 times; sometimes a decompression or parse bomb."""
    roll = rng.random()
    if roll < 0.1:
        payload = b"x=1\n" * rng.choice([1 << 10, 1 << 15, 1 << 19])  # parse bomb: up to 2 MB of statements
    elif roll < 0.2:
        payload = b"#" + b"\0" * rng.choice([1 << 20, 9 << 20, 12 << 20])  # decompression bomb
    else:
        payload = mutate_bytes(rng, rng.choice(code_corpus()).encode()) if rng.random() < 0.5 \
            else rng.choice(code_corpus()).encode()
    source = payload.decode("utf-8", "replace")
    for _ in range(rng.choice([0, 1, 1, 2, 3, 6])):
        source = _wrap(rng, source.encode("utf-8", "surrogatepass"))
    return mutate_bytes(rng, source.encode()).decode("utf-8", "replace") if rng.random() < 0.15 else source


def target_code(source: str) -> None:
    """Unwrap and index the code as the static audit does; nothing may raise."""
    from auditor.code.index import build_index
    from auditor.code.unwrap import unwrap_source

    result = unwrap_source(source, "train_gpt.py")
    for payload in result.payloads:
        payload.chain, [layer.describe() for layer in payload.layers]
    index = build_index({"train_gpt.py": source, "helper.py": "import os\n"})
    touch(index.problems)
    list(index.sites())


TARGETS["unwrap"] = (gen_code, target_code)


def write_code_bombs(folder: Path) -> None:
    """A self-extracting ``train_gpt.py`` whose execs decode to a decompression bomb, a parse bomb
    just under the token cap, one over it and deep nesting; an imported module near the cap; and a
    compressed artifact that expands to 256 MB. Compression is done in blocks (cheap to write)."""
    import base64
    import lzma
    import zlib

    def stub(data: bytes, call: str) -> str:
        return f"exec({call}(base64.b85decode({base64.b85encode(data).decode()!r})))\n"

    bomb = zlib.compressobj(9)
    zeros = b"\0" * (1 << 22)
    packed = b"".join([bomb.compress(zeros) for _ in range(16)] + [bomb.flush()])  # 64 MB of zeros
    near = b"x=1\n" * 26_000  # 78,000 tokens: parsed
    over = b"x=1\n" * 30_000  # 90,000 tokens: refused
    nested = b"print('deepest')\n"
    for _ in range(7):
        nested = stub(lzma.compress(nested), "lzma.decompress").encode()
    source = "import base64, lzma, zlib\nimport helper\n" + stub(packed, "zlib.decompress") \
        + stub(lzma.compress(near), "lzma.decompress") + stub(lzma.compress(over), "lzma.decompress") \
        + nested.decode()
    (folder / "train_gpt.py").write_text(source)
    (folder / "helper.py").write_text("y=2\n" * 25_000)
    artifact = zlib.compressobj(9)
    with open(folder / "final_model.int8.ptz", "wb") as fh:
        for _ in range(64):
            fh.write(artifact.compress(zeros))
        fh.write(artifact.flush())


# -- token shards: headers and sizes -------------------------------------------------------------------------------

def gen_shard(rng: random.Random) -> bytes:
    """A small shard with its header fields, size or bytes made wrong in random ways."""
    import struct

    n = rng.choice([0, 1, 7, 1000])
    header = [20240520, 1, n] + [0] * 253
    field = rng.randrange(4)
    if field < 3:
        header[field] = rng.choice([0, -1, 1, 2, n + 1, 2**31 - 1, -(2**31), 20240520, 20240521, 256])
    data = struct.pack("<256i", *header) + bytes(rng.randrange(256) for _ in range(2 * n))
    roll = rng.random()
    if roll < 0.3:
        data = data[:rng.randrange(len(data) + 1)]
    elif roll < 0.5:
        data += rng.randbytes(rng.choice([1, 2, 3, 1024]))
    elif roll < 0.7:
        data = mutate_bytes(rng, data)
    return data


def target_shard(raw: bytes) -> None:
    """read_header and read_shard on one file: a result or a ShardError, nothing else."""
    import tempfile

    import numpy as np

    from reference_model.data import HEADER_BYTES, ShardError, read_header, read_shard

    with tempfile.TemporaryDirectory(prefix="golf-shard-") as tmp:
        path = Path(tmp) / "fineweb_val_000000.bin"
        path.write_bytes(raw)
        try:
            header = read_header(path)
            tokens = read_shard(path)
        except ShardError as exc:
            assert str(path) in str(exc)
            return
        assert tokens.dtype == np.uint16 and tokens.size == header.num_tokens
        assert len(raw) == HEADER_BYTES + 2 * header.num_tokens


TARGETS["shard"] = (gen_shard, target_shard)

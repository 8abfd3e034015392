"""Unwrap self-extracting code by decoding it, never by running it.

Records ship their script as a stub such as::

    import lzma as L, base64 as B
    exec(L.decompress(B.b85decode("..."), format=L.FORMAT_RAW, filters=[{"id": L.FILTER_LZMA2}]))

``unwrap_source`` finds every ``exec``/``eval`` (also ``compile``) whose argument is a chain of
known decoders (lzma, zlib, gzip, bz2, brotli, base64/base85/ascii85/base32/base16, ``.decode()``)
over string or bytes literals, evaluates the chain with a tiny interpreter that knows only those
functions, and repeats on the result (nested wrappers) up to ``MAX_DEPTH`` levels. An ``exec`` of
another file of the folder (``exec(open(__file__.replace("a.py", "b.py")).read())``) is followed
through a reader the caller passes in. Every decompressor runs with an output limit, so a
decompression bomb ends as a ``WrapError`` with a clear message and bounded memory.
"""

from __future__ import annotations

import ast
import base64
import binascii
import bz2
import itertools
import lzma
import re
import zlib
from dataclasses import dataclass, field
from typing import Callable

MAX_OUTPUT = 8 * 1024 * 1024  # bytes one decoding step may produce (largest real script: ~160 kB)
MAX_DEPTH = 5
MAX_EXECS = 64  # exec calls decoded per source (real stubs have one)
MAX_TOTAL_OUTPUT = 2 * MAX_OUTPUT  # decoded bytes kept per file, all payloads and levels together
# ast.parse costs up to ~0.8 kB of memory per token (``x=1`` lines: 4.7 GB for 8 MB of source).
# The largest merged record has ~35,000 tokens; code over this is reported, not parsed.
MAX_PARSE_TOKENS = 80_000
_TOKEN = re.compile(r"\w+|[^\w\s]")
EXEC_NAMES = ("exec", "eval", "compile")

# module -> {function name: decoder kind}
_DECODERS = {
    "lzma": {"decompress": "lzma"},
    "zlib": {"decompress": "zlib"},
    "gzip": {"decompress": "gzip"},
    "bz2": {"decompress": "bz2"},
    "brotli": {"decompress": "brotli"},
    "base64": {"b85decode": "b85", "b64decode": "b64", "a85decode": "a85", "b32decode": "b32",
               "b16decode": "b16", "decodebytes": "b64", "standard_b64decode": "b64",
               "urlsafe_b64decode": "b64u"},
    "codecs": {"decode": "codecs"},
}
_LZMA_CONSTANTS = {name: getattr(lzma, name) for name in dir(lzma) if name.isupper()}


class WrapError(Exception):
    """A wrapper that could not be decoded (bomb, corrupt payload, unsupported form)."""


@dataclass(frozen=True)
class Layer:
    """One level of wrapping: where the ``exec`` is and the decoders it applies (outermost first)."""

    path: str  # file (or virtual unwrapped path) that holds the exec
    line: int
    chain: tuple[str, ...]
    wrapped_bytes: int  # size of the text that holds this exec
    unwrapped_bytes: int

    def describe(self) -> str:
        return f"{self.path}:{self.line} exec({'('.join(self.chain)}(…)" + ")" * len(self.chain)


@dataclass
class Unwrapped:
    """The code a wrapper decodes to, with the layers that lead to it (outermost first)."""

    source: str
    layers: tuple[Layer, ...]

    @property
    def chain(self) -> str:
        return " → ".join("+".join(layer.chain) for layer in self.layers)


@dataclass
class UnwrapResult:
    payloads: list[Unwrapped] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line in the file, message)
    decoded_bytes: int = 0


def unwrap_source(source: str, path: str, tree: ast.AST | None = None,
                  read_file: Callable[[str], str] | None = None) -> UnwrapResult:
    """Every payload that ``source`` (the text of ``path``) would exec, decoded; nested levels too."""
    result = UnwrapResult()
    _unwrap_into(result, source, path, tree, read_file, (), 0)
    return result


def count_tokens(source: str, cap: int = MAX_PARSE_TOKENS) -> int:
    """Python-like tokens of ``source`` (words and punctuation), counted up to ``cap + 1`` only."""
    if len(source) <= 20_000:  # a token is at least one character: small sources need no count
        return len(source)
    return sum(1 for _ in itertools.islice(_TOKEN.finditer(source), cap + 1))


def too_big_to_parse(source: str) -> str | None:
    """Why ``source`` is too large to parse within the memory bound, or None."""
    return f"more than {MAX_PARSE_TOKENS:,} tokens: too large to parse" \
        if count_tokens(source) > MAX_PARSE_TOKENS else None


def _unwrap_into(result, source, path, tree, read_file, outer: tuple[Layer, ...], depth: int) -> None:
    if tree is None:
        too_big = too_big_to_parse(source)
        if too_big:
            result.errors.append((outer[-1].line if outer else 1, f"decoded code has {too_big}"))
            return
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return
    calls = _exec_calls(tree)
    if len(calls) > MAX_EXECS:
        result.errors.append((calls[MAX_EXECS].lineno, f"more than {MAX_EXECS} exec calls: the rest not decoded"))
        calls = calls[:MAX_EXECS]
    aliases, size = _aliases(tree), len(source.encode("utf-8", "replace"))
    for call in calls:
        if result.decoded_bytes > MAX_TOTAL_OUTPUT:
            return
        try:
            text, chain = Decoder(aliases, read_file).run(call.args[0])
        except WrapError as exc:
            result.errors.append((call.lineno, str(exc)))
            continue
        except _NotStatic:
            continue
        result.decoded_bytes += len(text)
        if result.decoded_bytes > MAX_TOTAL_OUTPUT:
            result.errors.append((call.lineno, f"more than {MAX_TOTAL_OUTPUT:,} bytes of decoded code in all: "
                                               "the rest not decoded"))
            return
        layer = Layer(path, call.lineno, chain, size, len(text.encode("utf-8", "replace")))
        layers = outer + (layer,)
        if depth + 1 >= MAX_DEPTH:
            result.errors.append((call.lineno, f"more than {MAX_DEPTH} nested wrappers"))
            continue
        result.payloads.append(Unwrapped(text, layers))
        _unwrap_into(result, text, virtual_path(layers), None, read_file, layers, depth + 1)


def virtual_path(layers: tuple[Layer, ...]) -> str:
    """Name of unwrapped code in findings: ``train_gpt.py[unwrapped]``, ``…[unwrapped:2]`` nested."""
    base = layers[0].path
    return f"{base}[unwrapped]" if len(layers) == 1 else f"{base}[unwrapped:{len(layers)}]"


def _exec_calls(tree: ast.AST) -> list[ast.Call]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
            and n.func.id in EXEC_NAMES and n.args]


def _aliases(tree: ast.AST) -> dict[str, str]:
    """Local name -> dotted module or function it stands for (``import lzma as L`` gives L -> lzma)."""
    out: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                out[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for a in node.names:
                out[a.asname or a.name] = f"{node.module}.{a.name}"
    return out


class _NotStatic(Exception):
    """The expression is not a literal decoding chain (ordinary dynamic exec): not a wrapper."""


class Decoder:
    """Evaluates a decoding chain over literals; knows nothing else, so it can run nothing else."""

    def __init__(self, aliases: dict[str, str], read_file: Callable[[str], str] | None):
        self.aliases = aliases
        self.read_file = read_file
        self.chain: list[str] = []

    def run(self, node: ast.AST) -> tuple[str, tuple[str, ...]]:
        value = self.eval(node)
        if isinstance(value, bytes):
            value = _text(value)
        if not isinstance(value, str) or not self.chain:
            raise _NotStatic
        return value, tuple(reversed(self.chain))

    def eval(self, node: ast.AST):
        if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes, int)):
            return node.value
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self.eval(node.left), self.eval(node.right)
            if type(left) is not type(right) or len(left) + len(right) > MAX_OUTPUT:
                raise _NotStatic
            return left + right
        if isinstance(node, (ast.List, ast.Tuple)):
            return [self.eval(e) for e in node.elts]
        if isinstance(node, ast.Dict):
            return {self.eval(k): self.eval(v) for k, v in zip(node.keys, node.values) if k is not None}
        if isinstance(node, ast.Attribute):
            return self.constant(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        raise _NotStatic

    def constant(self, node: ast.Attribute):
        name = self.dotted(node)
        if name and name.startswith("lzma.") and name[5:] in _LZMA_CONSTANTS:
            return _LZMA_CONSTANTS[name[5:]]
        raise _NotStatic

    def dotted(self, node: ast.AST) -> str | None:
        if isinstance(node, ast.Name):
            return self.aliases.get(node.id, node.id)
        if isinstance(node, ast.Attribute):
            base = self.dotted(node.value)
            return f"{base}.{node.attr}" if base else None
        return None

    def call(self, node: ast.Call):
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in ("decode", "encode") and not node.args[1:]:
            value = self.eval(func.value)
            if func.attr == "decode" and isinstance(value, bytes):
                return _text(value)
            if func.attr == "encode" and isinstance(value, str):
                return value.encode("utf-8")
            raise _NotStatic
        if isinstance(func, ast.Attribute) and func.attr == "read" and not node.args:
            return self.read(func.value)
        name = self.dotted(func) or ""
        module, _, fn = name.rpartition(".")
        kind = _DECODERS.get(module, {}).get(fn)
        if kind is None or not node.args:
            raise _NotStatic
        data = self.eval(node.args[0])
        kwargs = {k.arg: self.eval(k.value) for k in node.keywords if k.arg}
        self.chain.append(kind)
        return decode(kind, data, kwargs)

    def read(self, node: ast.AST) -> str:
        """``open(<literal file name>).read()``: another file of the folder, through ``read_file``."""
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "open"
                and node.args and self.read_file is not None):
            raise _NotStatic
        name = _file_name(node.args[0])
        if name is None:
            raise _NotStatic
        try:
            text = self.read_file(name)
        except (OSError, ValueError) as exc:
            raise WrapError(f"exec of {name}, which cannot be read: {exc}") from None
        self.chain.append(f"file:{name}")
        return text


def _file_name(node: ast.AST) -> str | None:
    """A literal file name, or ``__file__.replace("x.py", "y.py")`` -> ``y.py``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "replace"
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "__file__" and len(node.args) == 2
            and all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args)):
        return node.args[1].value.rsplit("/", 1)[-1]
    return None


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise WrapError("the decoded payload is not UTF-8 text") from None


def _bytes(data) -> bytes:
    if isinstance(data, str):
        return data.encode("ascii", "replace")
    if isinstance(data, bytes):
        return data
    raise _NotStatic


def decode(kind: str, data, kwargs: dict) -> bytes:
    """One decoding step with an output limit; raises ``WrapError`` on a bomb or a bad payload."""
    raw = _bytes(data)
    try:
        if kind in ("b85", "b64", "a85", "b32", "b16", "b64u"):
            return _base(kind, raw)
        if kind == "codecs":
            raise _NotStatic
        return _decompress(kind, raw, kwargs)
    except (ValueError, binascii.Error, lzma.LZMAError, zlib.error, OSError, EOFError, TypeError) as exc:
        raise WrapError(f"{kind} payload cannot be decoded: {exc}") from None


def _base(kind: str, raw: bytes) -> bytes:
    if len(raw) > MAX_OUTPUT * 2:
        raise WrapError(f"{kind} payload over {MAX_OUTPUT * 2:,} bytes")
    return {"b85": base64.b85decode, "b64": base64.b64decode, "a85": base64.a85decode,
            "b32": base64.b32decode, "b16": base64.b16decode, "b64u": base64.urlsafe_b64decode}[kind](raw)


def _decompress(kind: str, raw: bytes, kwargs: dict) -> bytes:
    if kind == "lzma":
        fmt, filters = kwargs.get("format", lzma.FORMAT_AUTO), kwargs.get("filters")
        out, done = _limited(lzma.LZMADecompressor(fmt, None, filters), raw)
    elif kind in ("zlib", "gzip"):
        wbits = kwargs.get("wbits", zlib.MAX_WBITS) if kind == "zlib" else 31
        out, done = _limited(zlib.decompressobj(wbits), raw)
    elif kind == "bz2":
        out, done = _limited(bz2.BZ2Decompressor(), raw)
    else:
        out, done = _brotli(raw)
    if not done:
        raise WrapError(f"{kind} payload expands beyond {MAX_OUTPUT:,} bytes (decompression bomb?): not unwrapped")
    return out


def _limited(decompressor, raw: bytes) -> tuple[bytes, bool]:
    """Decompress at most MAX_OUTPUT bytes; ``done`` is False when more output was pending."""
    if hasattr(decompressor, "unconsumed_tail"):  # zlib
        out = decompressor.decompress(raw, MAX_OUTPUT)
        return out, not decompressor.unconsumed_tail and len(decompressor.flush(1)) == 0
    out = decompressor.decompress(raw, max_length=MAX_OUTPUT)
    pending = not decompressor.needs_input and not decompressor.eof
    return out, not pending and len(out) <= MAX_OUTPUT


def _brotli(raw: bytes) -> tuple[bytes, bool]:
    try:
        import brotli
    except ImportError:
        raise WrapError("brotli payload, and the brotli package is not installed") from None
    dec = brotli.Decompressor()
    try:
        out = dec.process(raw, output_buffer_limit=MAX_OUTPUT)
    except brotli.error as exc:
        raise WrapError(f"brotli payload cannot be decoded: {exc}") from None
    return out, dec.is_finished() and len(out) <= MAX_OUTPUT

"""Code shapes behind the challenge's known violations, found on the parsed run set.

Each finder takes a ``CodeBase`` and returns ``(Site, detail)`` pairs; the rules decide severity,
activity and wording. Names and call shapes are heuristics chosen on the real records: they are
documented next to each finder, and the legal look-alikes they must not match are in the fixtures.
"""

from __future__ import annotations

import ast
import re

from auditor.code.flow import FUNC_TYPES, LOOP_TYPES, Site, call_name, dotted, info, is_train_source

# Quantization calibration only (an n-gram mixing weight tuned on tokens is X004's business).
CALIBRATION = re.compile(r"hessian|gptq|awq|quant\w*calib|calib\w*quant|(collect|gather|accum|compute)_?\w*(act|activation)_?stat",
                         re.I)
STATS_CALLS = {"bincount", "Counter", "histc", "histogram"}
STATS_FUNC = re.compile(r"ngram|n_gram|bigram|trigram|hint|cache|table|count|calib|dup", re.I)
TARGET = re.compile(r"^(y|yy|tgt|tgts|target|targets|gold|labels?|next_toks?|next_tokens?)(_\w+)?$")
COUNTISH = re.compile(r"count|cnt|freq|hits|^ctx|_c$", re.I)
BPB_NAMES = re.compile(r"byte|tok", re.I)  # token_count / byte_count: the BPB ratio, not a probability
LOG_CALLS = {"log", "log2", "log10", "log_softmax", "cross_entropy", "nll_loss"}
NET_MODULES = ("requests", "urllib.request", "urllib3", "http.client", "httpx", "aiohttp", "socket",
               "huggingface_hub", "wget", "ftplib", "paramiko", "boto3")
NET_CALLS = {"hf_hub_download", "snapshot_download", "urlopen", "urlretrieve", "create_connection",
             "load_dataset"}
SHELL_CALLS = {"run", "call", "Popen", "check_output", "check_call", "system", "popen", "getoutput"}
SHELL_NET = re.compile(r"\b(curl|wget|pip3?\s+install|uv\s+pip|git\s+clone|huggingface-cli|https?://)")
READ_CALLS = {"open", "fromfile", "load", "memmap", "read_text", "read_bytes", "glob", "listdir", "scandir",
              "load_data_shard", "Path", "SentencePieceProcessor"}
SAFE_PREFIXES = ("/tmp", "/dev/shm", "/dev/null", "/proc/self", "/dev/stdout", "/dev/stderr")
TOKENIZER_MODULES = ("tokenmonster", "tiktoken", "tokenizers")
BYTE_FILE = re.compile(r"(^|_)(bytes?|luts?|sidecars?|meta)(_|$)|meta\.npz|bytes?\.(npy|npz|bin|pt)", re.I)
LOAD_CALLS = {"load", "fromfile", "memmap", "open", "load_data_shard", "read_bytes"}


def sites(code, kinds=ast.Call):
    types = kinds if isinstance(kinds, tuple) else (kinds,)
    for func, n in code.index.sites(*types):
        yield Site(func, n)


def val_calibration(code):
    """Calibration calls (``collect_hessians``, ``*calib*``, ``awq``) given validation data, and
    calibration functions that read validation data themselves."""
    flow, out = code.flow, []
    for s in sites(code):
        args = [*s.node.args, *(k.value for k in s.node.keywords)]
        if CALIBRATION.search(call_name(s.node)) and any(flow.is_val(s.func, a) for a in args):
            out.append((s, f"{call_name(s.node)}() is given validation data"))
    for func in code.index.all_functions():
        if func.name != "<module>" and CALIBRATION.search(func.name):
            hit = next((n for n in func.own_nodes() if isinstance(n, (ast.Name, ast.Attribute, ast.Constant))
                        and _names_val(n)), None)
            if hit is not None:
                out.append((Site(func, hit), f"{func.name}() reads validation data ({ast.unparse(hit)[:40]})"))
    return _dedupe(out)


def _names_val(node) -> bool:
    from auditor.code.flow import is_val_source
    return is_val_source(node)


def val_statistics(code):
    """Counts and tables over validation data (``bincount``, ``Counter``, ``np.unique(return_counts)``,
    calls of ``*ngram*/*cache*/*table*/*hint*`` functions of the folder) that are not score-first."""
    flow, out = code.flow, []
    local = set(code.index.functions)
    for s in sites(code):
        name = call_name(s.node)
        counting = name in STATS_CALLS or (name == "unique" and any(
            k.arg == "return_counts" for k in s.node.keywords)) or (name in local and STATS_FUNC.search(name))
        if counting and any(flow.is_val(s.func, a) for a in s.node.args) and not flow.score_first(s):
            out.append((s, f"{name}() over validation data before it is scored"))
    return out


def target_in_key(code):
    """``key ^ (target * prime)``: the gold token mixed into a lookup key, with a score (an
    accumulation, or a log of something not constant) after it in the function: the key is read to
    score. The same key after the last score of the function is an update and passes."""
    flow, out = code.flow, []
    for s in sites(code, ast.BinOp):
        if not isinstance(s.node.op, ast.BitXor):
            continue
        if not (any(TARGET.match(n) for n in info(s.node.left).names | info(s.node.right).names)
                or _extends_context_hash(flow, s)):
            continue
        later = _score_after(flow, s)
        if later is None and s.func.name != "<module>" and _returned(s):
            later = next((x for c in flow.call_sites(s.func.name) if call_name(c.node) == s.func.name
                          for x in [_score_after(flow, c)] if x is not None), None)
        if later is not None:
            out.append((s, f"`{ast.unparse(s.node)[:60]}` builds a lookup key from the target token, read for the "
                           f"score at line {later.lineno}"))
    return out


def _score_after(flow, s: Site):
    return next((n for n in s.func.own_nodes() if getattr(n, "lineno", 0) > s.line and _scores(flow, s.func, n)), None)


def _returned(s: Site) -> bool:
    """Does the key reach the function's result (``return …, key``), one assignment away at most?"""
    parent = s.func.module.parents.get(s.node)
    while parent is not None and not isinstance(parent, ast.stmt):
        parent = s.func.module.parents.get(parent)
    names = {t.id for t in getattr(parent, "targets", []) if isinstance(t, ast.Name)}
    returns = [r for r in s.func.own_nodes() if isinstance(r, ast.Return) and r.value is not None]
    return isinstance(parent, ast.Return) or any(
        isinstance(n, ast.Name) and n.id in names for r in returns for n in ast.walk(r.value))


def _extends_context_hash(flow, s: Site) -> bool:
    """``h ^ (tok * prime)`` where ``h`` is a context hash built by ``h ^= …`` in the same function and
    ``tok`` is one more validation token: the full (context + token) key, looked up for that token."""
    hashes = {dotted(n.target) for n in s.func.own_nodes()
              if isinstance(n, ast.AugAssign) and isinstance(n.op, ast.BitXor)}
    for side, other in ((s.node.left, s.node.right), (s.node.right, s.node.left)):
        if (isinstance(side, ast.Name) and side.id in hashes and isinstance(other, ast.BinOp)
                and isinstance(other.op, ast.Mult) and flow.is_val(s.func, other)):
            return True
    return False


def _scores(flow, func, n) -> bool:
    if isinstance(n, ast.Call) and call_name(n) in LOG_CALLS:
        return any(not isinstance(a, ast.Constant) for a in (*n.args, getattr(n.func, "value", None)) if a is not None
                   ) and not dotted(n.func).startswith("math.")
    return flow.is_score(func, n) or flow._accumulates(func, n)


def _loop_of(site: Site):
    for a in site.func.module.ancestors(site.node):
        if isinstance(a, FUNC_TYPES):
            return None
        if isinstance(a, LOOP_TYPES):
            return a
    return None


def gold_only_blend(code):
    """``log(… + count(ctx, y) / count(ctx))``: a blend whose count term is divided by a context
    count, not by a sum over the vocabulary (followed back through up to three assignments)."""
    out = []
    for s in sites(code):
        if (call_name(s.node) not in ("log", "log2", "log10") or dotted(s.node.func).startswith("math.")
                or not (s.node.args or isinstance(s.node.func, ast.Attribute))):
            continue
        arg = s.node.args[0] if s.node.args else s.node.func.value
        exprs = _expand(s, arg)
        div = next((d for e in exprs for d in [_count_ratio(e)] if d is not None), None)
        if div is not None and any(isinstance(n, ast.BinOp) and isinstance(n.op, ast.Add) for e in exprs for n in ast.walk(e)):
            out.append((s, f"log of a blend with `{ast.unparse(div)[:60]}`, a count over a context count "
                           "rather than over the vocabulary"))
    return out


def _expand(site: Site, expr: ast.AST, depth: int = 3) -> list[ast.AST]:
    """``expr`` and the values assigned (before it, in its function) to the names it reads, recursively."""
    out, frontier, seen = [expr], [expr], set()
    assigns = [n for n in site.func.own_nodes() if isinstance(n, ast.Assign) and n.lineno <= site.line]
    for _ in range(depth):
        names = {n.id for e in frontier for n in ast.walk(e) if isinstance(n, ast.Name)} - seen
        seen |= names
        frontier = [a.value for a in assigns if any(_target_base(t) in names for t in a.targets)]
        out += frontier
    return out


def _count_ratio(expr: ast.AST):
    """A division whose denominator is a (context) count and not a sum (over the vocabulary)."""
    for n in ast.walk(expr):
        if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Div):
            num, den = info(n.left), info(n.right)
            summed = any(isinstance(c, ast.Call) and call_name(c) == "sum" for c in ast.walk(n.right))
            if num.names and any(COUNTISH.search(x) and not BPB_NAMES.search(x) for x in den.names) and not summed:
                return n
    return None


def _target_base(t: ast.AST) -> str | None:
    while isinstance(t, (ast.Subscript, ast.Attribute)):
        t = t.value
    return t.id if isinstance(t, ast.Name) else None


def network(code):
    """(site, detail, is_call): network modules imported; downloads, sockets and shell calls of
    curl/wget/pip/git."""
    out = []
    for s in sites(code, (ast.Import, ast.ImportFrom)):
        mods = [a.name for a in s.node.names] if isinstance(s.node, ast.Import) else [s.node.module or ""]
        for mod in mods:
            if any(mod == m or mod.startswith(m + ".") for m in NET_MODULES):
                out.append((s, f"imports {mod}", False))
    for s in sites(code):
        name = call_name(s.node)
        shell = name in SHELL_CALLS and dotted(s.node.func).split(".")[0] in ("subprocess", "os", "sp")
        text = " ".join(c.value for c in ast.walk(s.node) if isinstance(c, ast.Constant)
                        and isinstance(c.value, str)) if shell else ""
        if name in NET_CALLS or dotted(s.node.func) in ("requests.get", "requests.post", "socket.socket"):
            out.append((s, f"calls {dotted(s.node.func)}()", True))
        elif shell and SHELL_NET.search(text):
            out.append((s, f"runs `{text[:60]}`", True))
    return out


def outside_reads(code):
    """Reads of absolute or home paths outside the temporary directories."""
    out = []
    for s in sites(code):
        if call_name(s.node) not in READ_CALLS or not s.node.args:
            continue
        path = _literal_prefix(s.node.args[0])
        if path and (path.startswith("~") or (path.startswith("/") and not path.startswith(SAFE_PREFIXES))):
            out.append((s, f"reads {path[:80]}"))
    return out


def _literal_prefix(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
        return str(node.values[0].value)
    return None


def byte_accounting(code):
    """(site, detail, confidence): a leading-space byte added in the byte table itself, byte tables
    loaded from files, other tokenizer libraries."""
    out = []
    for s in sites(code, ast.BinOp):
        n = s.node
        if (isinstance(n.op, ast.Add) and isinstance(n.right, ast.Constant) and n.right.value == 1
                and isinstance(n.left, ast.Call) and call_name(n.left) == "len" and _has_space_marker(s.func)):
            out.append((s, f"`{ast.unparse(n)[:60]}` counts the leading-space byte in the table; the canonical "
                           "table strips '▁' and the eval adds that byte", "high"))
    for s in sites(code):
        if call_name(s.node) in LOAD_CALLS and s.node.args and _byte_file(s.node.args[0]):
            out.append((s, f"byte counts loaded from a file (`{ast.unparse(s.node)[:60]}`)", "medium"))
    for s in sites(code, (ast.Import, ast.ImportFrom)):
        mods = [a.name for a in s.node.names] if isinstance(s.node, ast.Import) else [s.node.module or ""]
        for mod in mods:
            if mod.split(".")[0] in TOKENIZER_MODULES:
                out.append((s, f"imports {mod}, not the challenge's SentencePiece tokenizer", "low"))
    return out


def _byte_file(arg: ast.AST) -> bool:
    """A file argument named like a byte table (``val_bytes``, ``*_lut``, ``meta.npz``), not in memory."""
    if any(isinstance(n, ast.Call) and call_name(n) == "BytesIO" for n in ast.walk(arg)):
        return False
    words = [n.id if isinstance(n, ast.Name) else n.attr if isinstance(n, ast.Attribute) else n.value
             for n in ast.walk(arg) if isinstance(n, (ast.Name, ast.Attribute))
             or (isinstance(n, ast.Constant) and isinstance(n.value, str))]
    return any(BYTE_FILE.search(w.rsplit("/", 1)[-1]) for w in words)


def _has_space_marker(func) -> bool:
    return any(isinstance(n, ast.Constant) and isinstance(n.value, str) and "\u2581" in n.value
               for n in func.own_nodes())


def train_data_at_eval(code):
    """Training data named in a loop that scores validation data (the evaluation reading it)."""
    out, seen = [], set()
    for sites_ in code.flow.direct_scorers.values():
        for score in sites_:
            loop = _loop_of(score)
            if loop is None or id(loop) in seen:
                continue
            seen.add(id(loop))
            hit = min((n for n in ast.walk(loop) if isinstance(n, (ast.Name, ast.Attribute, ast.Constant))
                       and is_train_source(n)), key=lambda n: n.lineno, default=None)
            if hit is not None:
                out.append((Site(score.func, hit), f"{score.func.name}() reads training data "
                                                   f"({ast.unparse(hit)[:40]}) in the loop that scores validation data"))
    return out


def _dedupe(pairs):
    seen, out = set(), []
    for s, d in pairs:
        if (s.path, s.line) not in seen:
            seen.add((s.path, s.line))
            out.append((s, d))
    return out

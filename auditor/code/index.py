"""The modules of a submission and their functions, each file parsed once.

A ``Module`` is a Python text with its AST and a parent map: a file of the folder, or the code a
self-extracting wrapper decodes to (``train_gpt.py[unwrapped]``). The *run set* is the code the
launch runs: ``train_gpt.py`` (or, if absent, every root-level script), what its wrappers decode
to, files it execs, and the folder's modules it imports, transitively.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from auditor.code.unwrap import EXEC_NAMES, MAX_PARSE_TOKENS, Layer, count_tokens, unwrap_source, virtual_path

MAX_CODE_BYTES = 4 * 1024 * 1024
MAX_TOTAL_CODE_BYTES = 16 * 1024 * 1024  # all code files read, together
MAX_INDEX_TOKENS = MAX_PARSE_TOKENS * 3 // 2  # all modules parsed, together (memory bound)
FUNC_TYPES = (ast.FunctionDef, ast.AsyncFunctionDef)
LOOP_TYPES = (ast.For, ast.AsyncFor, ast.While)
# Contexts and operators: shared singletons with nothing below them, left out of the index.
ATOMS = (ast.expr_context, ast.operator, ast.cmpop, ast.boolop, ast.unaryop)


@dataclass
class Module:
    path: str  # path in findings (a file of the folder, or a virtual unwrapped path)
    source: str
    tree: ast.Module
    layers: tuple[Layer, ...] = ()  # wrappers that lead to this code (empty for a plain file)
    parents: dict[ast.AST, ast.AST] = field(default_factory=dict, repr=False)
    owned: dict[ast.AST, list[ast.AST]] = field(default_factory=dict, repr=False)  # function -> its nodes
    by_type: dict[type, list[ast.AST]] = field(default_factory=dict, repr=False)
    owner: dict[ast.AST, ast.AST] = field(default_factory=dict, repr=False)  # node -> function (or tree)

    def __post_init__(self):
        """One walk: parent links, the nodes each function owns (its body without nested
        functions; the module owns module-level code and class bodies), and nodes by type."""
        parents, owned, by_type, owner_of = self.parents, self.owned, self.by_type, self.owner
        AST, funcs, atoms = ast.AST, FUNC_TYPES, ATOMS
        stack = [(self.tree, self.tree)]
        owned[self.tree] = []
        while stack:
            node, owner = stack.pop()
            kind = type(node)
            by_type.setdefault(kind, []).append(node)
            inner = owner
            if kind in funcs:
                inner = node
                owned[node] = []
            mine = owned[inner]
            for name in node._fields:
                value = getattr(node, name, None)
                for child in (value if isinstance(value, list) else (value,)):
                    if isinstance(child, AST) and not isinstance(child, atoms):
                        parents[child] = node
                        owner_of[child] = inner
                        mine.append(child)
                        stack.append((child, inner))

    def nodes(self, *types) -> list[ast.AST]:
        return [n for t in types for n in self.by_type.get(t, ())]

    @property
    def file(self) -> str:
        """The file of the folder this code lives in (the outermost wrapper's file)."""
        return self.layers[0].path if self.layers else self.path

    def ancestors(self, node: ast.AST):
        while node in self.parents:
            node = self.parents[node]
            yield node

    def function_of(self, node: ast.AST) -> ast.AST | None:
        return next((a for a in self.ancestors(node) if isinstance(a, FUNC_TYPES)), None)


@dataclass(frozen=True, eq=False)
class Func:
    """A function (or the module body, name ``<module>``) of a module."""

    module: Module
    node: ast.AST
    name: str

    @property
    def key(self) -> tuple[str, int]:
        return (self.module.path, getattr(self.node, "lineno", 0))

    def own_nodes(self) -> list[ast.AST]:
        """The nodes of this function's body, not those of nested functions (decorators and
        defaults of a nested function belong to it, too)."""
        return self.module.owned.get(self.node, [])

    def params(self) -> list[str]:
        if not isinstance(self.node, FUNC_TYPES):
            return []
        a = self.node.args
        return [p.arg for p in (*a.posonlyargs, *a.args, *a.kwonlyargs)]


MAX_REPAIRS = 500


def parse(source: str) -> ast.Module | None:
    """The AST, or None. Python 3.12 f-strings that reuse their quote inside ``{…}`` (common in
    minified records) do not parse on 3.11: such lines are repaired by swapping the inner quotes,
    which keeps every line number."""
    if source.startswith("\ufeff"):  # a UTF-8 byte-order mark: Python reads past it
        source = source[1:]
    lines = None
    for _ in range(MAX_REPAIRS):
        try:
            return ast.parse(source if lines is None else "\n".join(lines))
        except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
            if not (isinstance(exc, SyntaxError) and "f-string" in str(exc.msg) and exc.lineno):
                return None
            lines = source.split("\n") if lines is None else lines
            fixed = _swap_fstring_quotes(lines[exc.lineno - 1])
            if fixed == lines[exc.lineno - 1]:
                return None
            lines[exc.lineno - 1] = fixed
    return None


def _swap_fstring_quotes(line: str) -> str:
    """In each f-string of ``line``, quotes equal to the delimiter inside ``{…}`` become the other quote."""
    out, i, n = [], 0, len(line)
    while i < n:
        ch = line[i]
        if ch in "fF" and i + 1 < n and line[i + 1] in "\"'" and (i == 0 or not line[i - 1].isalnum()):
            quote, other = line[i + 1], "'" if line[i + 1] == '"' else '"'
            out.append(line[i:i + 2])
            i, depth = i + 2, 0
            while i < n:
                c = line[i]
                if c == "{":
                    depth += 1
                elif c == "}":
                    depth = max(depth - 1, 0)
                elif c == quote:
                    if depth == 0:
                        break
                    c = other
                out.append(c)
                i += 1
            if i < n:
                out.append(line[i])
            i += 1
            continue
        out.append(ch)
        i += 1
    return "".join(out)


@dataclass
class Index:
    modules: list[Module]
    run_set: list[Module]
    problems: list[tuple[str, int | None, str]]  # (path, line, message): unparsable, unwrap errors
    wrapped: list[Module]  # modules whose code came out of a wrapper
    functions: dict[str, list[Func]] = field(default_factory=dict)

    def __post_init__(self):
        for m in self.run_set:
            self.functions.setdefault("<module>", []).append(Func(m, m.tree, "<module>"))
            for node in m.nodes(*FUNC_TYPES):
                self.functions.setdefault(node.name, []).append(Func(m, node, node.name))

    @property
    def func_by_node(self) -> dict[ast.AST, Func]:
        if not hasattr(self, "_by_node"):
            self._by_node = {f.node: f for f in self.all_functions()}
        return self._by_node

    def func_of(self, module: Module, node: ast.AST) -> Func:
        return self.func_by_node[module.owner.get(node, module.tree)]

    def sites(self, *types):
        """(Func, node) of every node of these types in the run set."""
        for m in self.run_set:
            for n in m.nodes(*types):
                yield self.func_of(m, n), n

    def all_functions(self):
        for funcs in self.functions.values():
            yield from funcs


def build_index(files: dict[str, str], roots: list[str] | None = None) -> Index:
    """``files``: path -> text of every Python file of the folder. Only the run set is parsed:
    ``roots`` (default ``train_gpt.py``, else every root-level script), then what they decode,
    exec and import."""
    problems: list[tuple[str, int | None, str]] = []
    modules: dict[str, Module] = {}
    wrapped: list[Module] = []
    budget = _Budget()
    roots = roots or [p for p in files if p == "train_gpt.py"] or sorted(p for p in files if "/" not in p)
    todo, run = list(reversed(roots)), []
    while todo:
        path = todo.pop()
        if path in modules or path not in files:
            continue
        why = budget.refuse(files[path])
        tree = None if why else parse(files[path])
        if tree is None:
            problems.append((path, None, f"{why or 'not valid Python'}: not analysed"))
            continue
        modules[path] = module = Module(path, files[path], tree)
        run.append(module)
        subs, execed = _unwrap(module, files, problems, budget)
        for m in subs:
            modules[m.path] = m
            run.append(m)
            wrapped.append(m)
        todo += execed + [p for m in (module, *subs) for p in _local_imports(m, files) if p not in modules]
    return Index(list(modules.values()), run, problems, wrapped)


class _Budget:
    """Tokens parsed so far in one index: each source is refused past ``MAX_PARSE_TOKENS`` alone
    or ``MAX_INDEX_TOKENS`` together, so that parsing stays within the audit's memory bound."""

    def __init__(self) -> None:
        self.used = 0

    def refuse(self, source: str) -> str | None:
        tokens = count_tokens(source)
        if tokens > MAX_PARSE_TOKENS:
            return f"more than {MAX_PARSE_TOKENS:,} tokens: too large to parse"
        if self.used + tokens > MAX_INDEX_TOKENS:
            return f"over the {MAX_INDEX_TOKENS:,}-token budget for all the code of the folder"
        self.used += tokens
        return None


def _unwrap(module: Module, files: dict[str, str], problems: list, budget: "_Budget") -> tuple[list[Module], list[str]]:
    """Modules decoded from the wrappers of ``module``, and files of the folder it execs."""
    if not any(isinstance(c.func, ast.Name) and c.func.id in EXEC_NAMES for c in module.nodes(ast.Call)):
        return [], []
    path = module.path
    found = unwrap_source(module.source, path, module.tree, read_file=lambda name: _sibling(files, path, name))
    problems += [(path, line, msg) for line, msg in found.errors]
    subs, execed = [], []
    for payload in found.payloads:
        if len(payload.layers) == 1 and payload.layers[0].chain[0].startswith("file:"):
            execed.append(_sibling_path(path, payload.layers[0].chain[0][5:]))
            continue
        why = budget.refuse(payload.source)
        sub = None if why else parse(payload.source)
        if sub is None:
            problems.append((path, payload.layers[-1].line, f"unwrapped code {why or 'is not valid Python'}"))
            continue
        subs.append(Module(virtual_path(payload.layers), payload.source, sub, payload.layers))
    return subs, execed


def _sibling_path(path: str, name: str) -> str:
    folder = path.rsplit("/", 1)[0] + "/" if "/" in path else ""
    return folder + name


def _sibling(files: dict[str, str], path: str, name: str) -> str:
    rel = _sibling_path(path, name)
    if rel not in files:
        raise OSError(f"{rel} is not a file of the folder")
    return files[rel]


def _local_imports(module: Module, modules) -> list[str]:
    out = []
    for node in module.nodes(ast.Import, ast.ImportFrom):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
            [node.module] if isinstance(node, ast.ImportFrom) and node.module else [])
        for name in names:
            rel = name.replace(".", "/")
            out += [p for p in (f"{rel}.py", f"{rel}/__init__.py") if p in modules]
    return out

"""A simple data flow of validation tokens through the run set, and the places that matter.

*Validation data* is what a name, string or loader says it is: ``fineweb_val_*`` patterns,
``val_tokens``-like names, ``load_validation_tokens(...)`` results, and everything assigned from
those inside a function (loop targets, slices, model outputs, losses). It flows into a called
function of the folder through its parameters and back through its return value (a fixpoint over
the call graph, by function name). Shape reads (``len``, ``.numel()``, ``.size()``, ``.shape``)
do not carry it.

On that flow, ``Flow`` locates:
- *updates*: ``.backward()`` / ``autograd.grad`` of a loss derived from validation data;
- *scores*: accumulations (``+=``) of values derived from validation data under ``no_grad`` /
  ``inference_mode`` (or in a function decorated so), and calls of functions that hold one;
- whether an update is *score-first*: in some enclosing loop (in its function or at a call site up
  the call chain) a score comes before it in the loop body, the legal TTT shape (score chunk k,
  then train on it);
- whether a place is *active* under the effective configuration (not behind a flag that is off,
  and in a function that some active place calls).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

from auditor.code.index import FUNC_TYPES, LOOP_TYPES, Func, Index

VAL_NAME = re.compile(
    r"^_*(val|valid|validation|eval)_?(tokens?|toks|ids|data|stream|np|seqs?|loader|files?|buf|buffer|memmap|mm|"
    r"set|pattern|shards?|docs?|chunks?|batch|x|y|input_ids|targets?)$", re.I)
VAL_CALL = re.compile(r"^_*load_?(val|valid|validation)|^_*(get|read|make)_?val(idation)?_?(tokens|data|loader|stream)",
                      re.I)
TRAIN_NAME = re.compile(r"^_*train_?(tokens?|toks|data|stream|loader|files?|pattern|shards?|np|memmap|mm|batch)$", re.I)
SHAPE_CALLS = {"len", "numel", "size", "dim", "nelement", "isinstance", "print", "log0", "str", "repr",
               "type", "id", "range"}
SHAPE_ATTRS = {"shape", "ndim", "dtype", "device", "size"}
MUTATORS = re.compile(r"^(append|extend|insert|update|add|put|copy_|index_copy_|fill_|.*_)$")
SCORE_TARGET = re.compile(r"loss|nll|bits|byte|tok|count|sum|total|score|correct|bpb|ce", re.I)
NO_GRAD = ("no_grad", "inference_mode")
LOSS_CALLS = {"cross_entropy", "nll_loss", "log_softmax", "log", "log2", "logsumexp"}
MOVERS = (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.For, ast.AsyncFor, ast.comprehension, ast.withitem,
          ast.Return, ast.Call)
OPTIMIZERS = {"SGD", "Adam", "AdamW", "Muon", "Adagrad", "RMSprop", "Lion", "NorMuon"}


def dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr}" if base else node.attr
    if isinstance(node, ast.Call):
        return dotted(node.func)
    return ""


def call_name(call: ast.Call) -> str:
    """The last component of the called name: ``torch.optim.AdamW`` -> ``AdamW``."""
    f = call.func
    return f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""


def is_val_source(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return "fineweb_val" in node.value
    if isinstance(node, ast.Name):
        return bool(VAL_NAME.match(node.id))
    if isinstance(node, ast.Attribute):
        return bool(VAL_NAME.match(node.attr))
    if isinstance(node, ast.Call):
        return bool(VAL_CALL.match(call_name(node)))
    return False


def is_train_source(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return "fineweb_train" in node.value
    name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None
    return bool(name and TRAIN_NAME.match(name))


class Site(NamedTuple):
    """A place in the code: the function it is in and the node."""

    func: Func
    node: ast.AST

    @property
    def path(self) -> str:
        return self.func.module.path

    @property
    def line(self) -> int:
        return getattr(self.node, "lineno", 0)

    def __repr__(self) -> str:
        return f"Site({self.path}:{self.line} in {self.func.name})"


@dataclass(frozen=True)
class Info:
    """What an expression reads: names, called function names, and whether it names validation data."""

    names: frozenset
    calls: frozenset
    source: bool
    local: tuple = ()  # calls of the folder's functions, whose arguments are judged per parameter


def info(node: ast.AST, local: frozenset | set = frozenset(), choose=None) -> Info:
    """``local``: names of the folder's functions; ``choose(test)``: True/False/None for a
    conditional expression decided by the configuration (only the taken branch is read)."""
    names, calls, source, local_calls = set(), set(), False, []
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, ast.IfExp) and choose is not None:
            taken = choose(n.test)
            if taken is not None:
                stack.append(n.body if taken else n.orelse)
                continue
        if isinstance(n, ast.Name):
            names.add(n.id)
            source = source or bool(VAL_NAME.match(n.id))
            continue
        if not source and is_val_source(n):
            source = True
        if isinstance(n, ast.Call):
            name = call_name(n)
            if name in SHAPE_CALLS or (isinstance(n.func, ast.Attribute) and n.func.attr in SHAPE_ATTRS):
                continue
            calls.add(name)
            if name in local:
                local_calls.append(n)
                continue
        elif isinstance(n, ast.Attribute) and n.attr in SHAPE_ATTRS:
            continue
        elif isinstance(n, (ast.Lambda, *FUNC_TYPES)):
            continue
        for field in n._fields:
            value = getattr(n, field, None)
            if isinstance(value, list):
                stack.extend(v for v in value if isinstance(v, ast.AST))
            elif isinstance(value, ast.AST):
                stack.append(value)
    return Info(frozenset(names), frozenset(calls), source, tuple(local_calls))


class Taint:
    """Which names hold validation data where, in one function: for each name, its bindings
    ``(line, tainted)`` in source order. A name read at line L has the value of its last binding at
    or before L (a re-binding from other data clears it); a name bound only later in the function
    (a loop carrying it round) counts as tainted if any of its bindings is."""

    def __init__(self, seeds=()):
        self.bindings: dict[str, list[tuple[int, bool]]] = {name: [(0, True)] for name in seeds}

    def bind(self, name: str, line: int, tainted: bool, strong: bool) -> bool:
        """Record a binding; a weak one (``x[i] = …``, ``x += …``) only adds taint. True if it changed."""
        entries = self.bindings.setdefault(name, [])
        if not strong:
            if not tainted or (line, True) in entries:
                return False
        for i, (at, was) in enumerate(entries):
            if at == line:
                if was or not tainted:
                    return False
                entries[i] = (line, True)
                return True
        entries.append((line, tainted))
        entries.sort()
        return True

    def at(self, name: str, line: int) -> bool:
        entries = self.bindings.get(name)
        if not entries:
            return False
        last = None
        for at, tainted in entries:
            if at > line:
                break
            last = tainted
        return last if last is not None else any(t for _, t in entries)

    def any_at(self, names, line: int) -> bool:
        return any(self.at(n, line) for n in names if n in self.bindings)

    def ever(self) -> set[str]:
        return {n for n, entries in self.bindings.items() if any(t for _, t in entries)}


class Flow:
    def __init__(self, index: Index, config=None, max_rounds: int = 6):
        self.index = index
        self.config = config
        self.taint: dict[tuple, Taint] = {}
        self.returns_val: set[str] = set()  # functions whose result is validation data by themselves
        self.val_params: dict[str, set[str]] = {}
        self.param_returns: dict[str, set[str]] = {}  # function -> parameters its result derives from
        self._info_cache: dict[int, Info] = {}
        self._local = frozenset(n for n in index.functions if n != "<module>")
        self._facts = {f.key: self._facts_of(f) for f in index.all_functions()}
        self._through_busy: set[str] = set()
        self._inputs: dict[tuple, tuple] = {}
        for _ in range(max_rounds):  # results first, from each function's own sources only
            if not self._round(params=False):
                break
        for _ in range(max_rounds):
            if not self._round(params=True):
                break

    def _facts_of(self, func: Func) -> list[tuple]:
        """(kind, line, node, Info of the value, strong names, weak names) for the statements that
        move data, in source order."""
        out = []
        moving = [n for n in func.own_nodes() if isinstance(n, MOVERS)]
        for n in sorted(moving, key=lambda n: (getattr(n, "lineno", 0), getattr(n, "col_offset", 0))):
            if isinstance(n, (ast.Assign, ast.AnnAssign)) and n.value is not None:
                targets = n.targets if isinstance(n, ast.Assign) else [n.target]
                strong, weak = _split_targets(targets)
                out.append(("bind", n.lineno, n, self._info(n.value), strong, weak))
            elif isinstance(n, ast.AugAssign):
                out.append(("bind", n.lineno, n, self._info(n.value), set(), set().union(*_split_targets([n.target]))))
            elif isinstance(n, (ast.For, ast.AsyncFor)):
                out.append(("bind", n.lineno, n, self._info(n.iter), *_split_targets([n.target])))
            elif isinstance(n, ast.comprehension):
                line = getattr(n.target, "lineno", 0)
                out.append(("bind", line, n, self._info(n.iter), *_split_targets([n.target])))
            elif isinstance(n, ast.withitem) and n.optional_vars is not None:
                line = getattr(n.context_expr, "lineno", 0)
                out.append(("bind", line, n, self._info(n.context_expr), *_split_targets([n.optional_vars])))
            elif isinstance(n, ast.Return) and n.value is not None:
                out.append(("return", n.lineno, n, self._info(n.value), set(), set()))
            elif isinstance(n, ast.Call) and (n.args or n.keywords):
                out.append(("call", n.lineno, n, None, set(), set()))
        return out

    # -- taint --------------------------------------------------------------------------------------
    def _round(self, params: bool) -> bool:
        changed = False
        for func in self.index.all_functions():
            seeds = {p for p in func.params() if VAL_NAME.match(p)}
            if params:
                seeds |= self.val_params.get(func.name, set())
            inputs = (params, len(self.returns_val), frozenset(seeds))
            if self._inputs.get(func.key) == inputs:
                continue  # nothing it depends on changed since its last run
            self._inputs[func.key] = inputs
            before = (len(self.returns_val), sum(map(len, self.val_params.values())))
            taint = self._run(func, seeds, params)
            old = self.taint.get(func.key)
            changed |= old is None or old.bindings != taint.bindings
            self.taint[func.key] = taint
            changed |= before != (len(self.returns_val), sum(map(len, self.val_params.values())))
        return changed

    def _run(self, func: Func, seeds, params: bool, calls: bool = True) -> Taint:
        taint = Taint(seeds)
        for _ in range(2):  # loops carry values backwards once
            for kind, line, n, value, strong, weak in self._facts[func.key]:
                if kind == "bind":
                    hit = self._hit(value, taint, line)
                    for name in strong:
                        taint.bind(name, line, hit, True)
                    for name in weak:
                        taint.bind(name, line, hit, False)
                elif kind == "return":
                    if calls and not params and self._hit(value, taint, line):
                        self.returns_val.add(func.name)
                elif calls and params:
                    self._visit_call(n, taint, line)
        return taint

    def _hit(self, value: Info, taint: Taint, line: int) -> bool:
        return (value.source or taint.any_at(value.names, line) or not value.calls.isdisjoint(self.returns_val)
                or any(self._call_val(c, taint, line) for c in value.local))

    def _call_val(self, call: ast.Call, taint: Taint, line: int) -> bool:
        """A call of the folder's function returns validation data when one of the arguments its
        result derives from does."""
        hot = [p for p, a in self._bind(call) if self._hit(self._info(a), taint, line)]
        return bool(hot) and not self._through(call_name(call)).isdisjoint(hot)

    def _bind(self, call: ast.Call) -> list[tuple[str, ast.AST]]:
        """(parameter, argument) pairs of a call of the folder's function (first definition by name)."""
        target = self.index.functions.get(call_name(call), [None])[0]
        if target is None:
            return []
        params = target.params()
        if params and params[0] in ("self", "cls") and isinstance(call.func, ast.Attribute):
            params = params[1:]
        pairs = list(zip(params, call.args))
        return pairs + [(k.arg, k.value) for k in call.keywords if k.arg in params]

    def _through(self, name: str) -> set[str]:
        """Parameters of the folder's function ``name`` that its result derives from (computed on
        first need; a recursive call in progress counts as none)."""
        if name in self.param_returns:
            return self.param_returns[name]
        if name in self._through_busy:
            return set()
        self._through_busy.add(name)
        through: set[str] = set()
        for func in self.index.functions.get(name, []):
            facts = self._facts[func.key]
            returns = [(line, value) for kind, line, _n, value, _s, _w in facts if kind == "return"]
            for p in func.params():
                if returns and p not in ("self", "cls"):
                    taint = self._run(func, {p}, params=False, calls=False)
                    if any(self._hit(value, taint, line) for line, value in returns):
                        through.add(p)
        self._through_busy.discard(name)
        self.param_returns[name] = through
        return through

    def _info(self, node: ast.AST) -> Info:
        got = self._info_cache.get(id(node))
        if got is None:
            got = self._info_cache[id(node)] = info(node, self._local, self.config.truth if self.config else None)
        return got

    def _visit_call(self, call: ast.Call, taint: Taint, line: int) -> None:
        pairs = self._bind(call) if call_name(call) in self._local else []
        hot = {p for p, a in pairs if self._hit(self._info(a), taint, line)}
        f = call.func
        if (isinstance(f, ast.Attribute) and MUTATORS.match(f.attr) and call.args
                and any(self._hit(self._info(a), taint, line) for a in call.args)):
            for name in _bound_names(f.value):
                taint.bind(name, line, True, False)
        if hot:
            self.val_params.setdefault(call_name(call), set()).update(hot)

    def is_val(self, func: Func, node: ast.AST) -> bool:
        """Does the value of ``node`` (in ``func``) derive from validation data?"""
        taint = self.taint.get(func.key) or Taint()
        return self._hit(self._info(node), taint, getattr(node, "lineno", 0))

    def names(self, func: Func) -> set[str]:
        t = self.taint.get(func.key)
        return t.ever() if t else set()

    # -- places -------------------------------------------------------------------------------------
    @cached_property
    def updates(self) -> list[Site]:
        """``loss.backward()`` / ``torch.autograd.grad(loss, …)`` of losses derived from validation data."""
        out = []
        for func, n in self.index.sites(ast.Call):
            target = None
            if isinstance(n.func, ast.Attribute) and n.func.attr == "backward":
                target = n.func.value
            elif n.args and isinstance(n.func, ast.Attribute) and n.func.attr == "grad" and dotted(n.func).endswith("autograd.grad"):
                target = n.args[0]
            if target is not None and self.is_val(func, target):
                out.append(Site(func, n))
        return sorted(out, key=lambda s: (s.path, s.line))

    @cached_property
    def scoring_functions(self) -> set[str]:
        """Functions that accumulate scores of validation data (directly or through a callee)."""
        direct = set(self.direct_scorers)
        for _ in range(4):
            more = {c.func.name for name in direct for c in self._calls.get(name, ())
                    if c.func.name != "<module>" and c.func.name not in direct and call_name(c.node) == name}
            if not more:
                break
            direct |= more
        return direct

    @cached_property
    def direct_scorers(self) -> dict[str, list[Site]]:
        """Functions holding a score themselves (not through a callee), with those score sites."""
        out: dict[str, list[Site]] = {}
        for func, n in self.index.sites(ast.AugAssign, ast.Call):
            if func.name != "<module>" and self.is_score(func, n):
                out.setdefault(func.name, []).append(Site(func, n))
        return out

    @cached_property
    def accumulators(self) -> set[str]:
        """Functions that add validation-derived values into totals (gradients on or off)."""
        return {f.name for f, n in self.index.sites(ast.AugAssign, ast.Call)
                if f.name != "<module>" and self._accumulates(f, n)}

    def _accumulates(self, func: Func, n: ast.AST) -> bool:
        if isinstance(n, ast.AugAssign) and isinstance(n.op, ast.Add):
            target, value = n.target, n.value
        elif isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "add_" and n.args:
            target, value = n.func.value, n.args[0]
        else:
            return False
        name = dotted(target.value if isinstance(target, ast.Subscript) else target)
        named = bool(SCORE_TARGET.search(name or "")) or not self._info(value).calls.isdisjoint(LOSS_CALLS)
        return named and self.is_val(func, value)

    def is_score(self, func: Func, n: ast.AST) -> bool:
        """An accumulation of validation-derived values with gradients off, or a call of a function
        that scores (or accumulates, when called with gradients off)."""
        if isinstance(n, ast.Call):
            name = call_name(n)
            if name in self.__dict__.get("scoring_functions", ()):
                return True
            if name in self.accumulators and self.no_grad(func, n):
                return True
        return self._accumulates(func, n) and (self.no_grad(func, n) or _detached(n.value if isinstance(
            n, ast.AugAssign) else n.args[0]))

    def no_grad(self, func: Func, node: ast.AST) -> bool:
        for a in func.module.ancestors(node):
            if isinstance(a, (ast.With, ast.AsyncWith)) and any(
                    dotted(i.context_expr).endswith(NO_GRAD) for i in a.items):
                return True
            if isinstance(a, FUNC_TYPES):
                return any(dotted(d).endswith(NO_GRAD) for d in a.decorator_list)
        return False

    def score_first(self, site: Site, depth: int = 0, seen: frozenset = frozenset()) -> bool:
        """Is ``site`` preceded by a score in some enclosing loop, here or up every call chain?"""
        module, func = site.func.module, site.func
        for loop in (a for a in module.ancestors(site.node) if isinstance(a, LOOP_TYPES)):
            if module.function_of(loop) is not module.function_of(site.node):
                break
            if any(self.is_score(func, n) for n in _body_nodes(loop) if getattr(n, "lineno", 10**9) < site.line):
                return True
        callers = self.call_sites(func.name) if func.name != "<module>" else []
        if not callers or depth >= 4 or func.key in seen:
            return False
        return all(self.score_first(c, depth + 1, seen | {func.key}) for c in callers)

    def call_sites(self, name: str) -> list[Site]:
        """Calls of ``name``, and calls that pass it on (``timed_eval("x", eval_fn, …)``)."""
        return self._calls.get(name, [])

    @cached_property
    def _calls(self) -> dict[str, list[Site]]:
        out: dict[str, list[Site]] = {}
        for func, n in self.index.sites(ast.Call):
            site = Site(func, n)
            out.setdefault(call_name(n), []).append(site)
            for a in (*n.args, *(k.value for k in n.keywords)):
                if isinstance(a, (ast.Name, ast.Attribute)):
                    out.setdefault(a.id if isinstance(a, ast.Name) else a.attr, []).append(site)
        return out

    @cached_property
    def _referenced(self) -> set[str]:
        """Names loaded anywhere (stored in tables, compiled, returned …)."""
        out: set[str] = set()
        for m in self.index.run_set:
            out.update(n.id for n in m.nodes(ast.Name) if isinstance(n.ctx, ast.Load))
            out.update(n.attr for n in m.nodes(ast.Attribute))
        return out

    def active(self, site: Site, depth: int = 0, seen: frozenset = frozenset()):
        """(active?, reason): False when behind a flag that is off, or in code nothing reaches."""
        off = self.disabled_by(site)
        if off:
            return False, off
        func = site.func
        if func.name == "<module>" or depth >= 6 or func.key in seen or func.name.startswith("__"):
            return True, ""
        callers = self.call_sites(func.name)
        if not callers:
            if func.name in self._referenced:
                return True, ""
            return False, f"{func.name}() is never called"
        reasons = []
        for c in callers:
            ok, why = self.active(c, depth + 1, seen | {func.key})
            if ok:
                return True, ""
            reasons.append(why)
        return False, reasons[0]

    def _resolver(self, func: Func, line: int):
        """name -> the expression it was last assigned from before ``line`` in ``func``."""
        def resolve(name: str):
            assigns = [n for n in func.own_nodes() if isinstance(n, ast.Assign) and n.lineno < line
                       and len(n.targets) == 1 and isinstance(n.targets[0], ast.Name) and n.targets[0].id == name]
            return max(assigns, key=lambda n: n.lineno).value if assigns else None
        return resolve

    def throwaway(self, site: Site) -> bool:
        """Every optimizer of the function trains only modules constructed in it (a probe, a
        warm-up adapter) that it neither returns nor stores: nothing the scored model is made of."""
        func = site.func
        nodes = func.own_nodes()
        kept = {n.id for r in nodes if isinstance(r, ast.Return) and r.value is not None
                for n in ast.walk(r.value) if isinstance(n, ast.Name)}
        kept |= {n.id for a in nodes if isinstance(a, ast.Assign) and not all(isinstance(t, ast.Name) for t in a.targets)
                 for n in ast.walk(a.value) if isinstance(n, ast.Name)}
        built = {t.id for n in nodes if isinstance(n, ast.Assign) and _constructed(n.value)
                 for t in n.targets if isinstance(t, ast.Name)} - set(func.params()) - kept
        optimizers = [n for n in nodes if isinstance(n, ast.Call) and n.args
                      and ("optim." in dotted(n.func) or call_name(n) in OPTIMIZERS)]
        if not optimizers:
            return False
        for opt in optimizers:
            bases = {n.id for n in ast.walk(opt.args[0]) if isinstance(n, ast.Name)}
            if not bases or not bases <= built:
                return False
        return True

    def in_warmup(self, site: Site) -> bool:
        """A compile/warm-up pass: 'warm' in the function's name, an enclosing loop's header, or a
        string of the function within 30 lines before the site."""
        if "warm" in site.func.name.lower():
            return True
        module = site.func.module
        for a in module.ancestors(site.node):
            if isinstance(a, FUNC_TYPES):
                break
            if isinstance(a, LOOP_TYPES) and "warm" in ast.unparse(a.iter if isinstance(a, ast.For) else a.test).lower():
                return True
        lo = site.line - 30
        return any(isinstance(n, ast.Constant) and isinstance(n.value, str) and "warm" in n.value.lower()
                   and lo <= getattr(n, "lineno", 0) <= site.line for n in site.func.own_nodes())

    def eval_time_params(self, site: Site) -> list[str]:
        """Tensors created trainable inside the site's function: ``torch.zeros(…, requires_grad=True)``,
        ``x.clone().detach().requires_grad_()`` (the SLOT / logit-bias signature). Parameters of
        existing modules switched back on (``p.requires_grad_(True)``) are not new tensors."""
        out = []
        block = self._top_statement(site.func, site.node)
        for n in site.func.own_nodes():
            if not isinstance(n, ast.Call) or self._top_statement(site.func, n) is not block:
                continue
            fresh = any(k.arg == "requires_grad" and not (isinstance(k.value, ast.Constant) and not k.value.value)
                        for k in n.keywords)
            fresh = fresh or (isinstance(n.func, ast.Attribute) and n.func.attr == "requires_grad_"
                              and isinstance(n.func.value, ast.Call)
                              and not (n.args and isinstance(n.args[0], ast.Constant) and n.args[0].value is False))
            if fresh:
                parent = site.func.module.parents.get(n)
                while parent is not None and not isinstance(parent, ast.stmt):
                    parent = site.func.module.parents.get(parent)
                target = parent.targets[0] if isinstance(parent, ast.Assign) else None
                out.append(target.id if isinstance(target, ast.Name) else ast.unparse(n)[:40])
        return out

    @staticmethod
    def _top_statement(func: Func, node: ast.AST) -> ast.AST:
        """The statement of ``func``'s body that holds ``node``."""
        parents = func.module.parents
        while parents.get(node) is not None and parents[node] is not func.node:
            node = parents[node]
        return node

    def disabled_by(self, site: Site) -> str:
        """The flag that switches ``site`` off under the effective configuration, or ''."""
        if self.config is None:
            return ""
        module, child = site.func.module, site.node
        for a in module.ancestors(site.node):
            if isinstance(a, (ast.If, ast.IfExp)):
                truth = self.config.truth(a.test, self._resolver(site.func, a.lineno))
                in_body = child in (a.body if isinstance(a.body, list) else [a.body])
                if (truth is False and in_body) or (truth is True and not in_body and child is not a.test):
                    return f"behind `{ast.unparse(a.test)[:80]}` ({'false' if truth is False else 'true'}" \
                           f" in the effective configuration, line {a.lineno})"
            if isinstance(a, FUNC_TYPES):
                break
            child = a
        return ""


def _detached(value: ast.AST) -> bool:
    """``nll.detach()…`` / ``loss.item()``: a value cut from the graph (scored with gradients off)."""
    return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in ("detach", "item")
               for n in ast.walk(value))


def _constructed(value: ast.AST) -> bool:
    """``Cls(…)``, ``nn.Linear(…).to(device)``: a new object of a class (capitalised name)."""
    while isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr in ("to", "cuda", "float", "bfloat16", "train"):
        value = value.func.value
    return isinstance(value, ast.Call) and call_name(value)[:1].isupper()


def _split_targets(targets) -> tuple[set[str], set[str]]:
    """(names re-bound, names only updated) by assignment targets: ``x = …`` re-binds x;
    ``x[i] = …`` and ``x.a = …`` update x."""
    strong, weak = set(), set()
    for t in targets:
        if isinstance(t, ast.Name):
            strong.add(t.id)
        elif isinstance(t, (ast.Tuple, ast.List)):
            s, w = _split_targets(t.elts)
            strong |= s
            weak |= w
        elif isinstance(t, ast.Starred):
            s, w = _split_targets([t.value])
            strong |= s
            weak |= w
        else:
            weak |= _bound_names(t)
    return strong, weak


def _bound_names(target: ast.AST) -> set[str]:
    """Names an assignment target binds, and the base name of ``x[i] = …`` / ``x.a = …``."""
    if isinstance(target, ast.Name):
        return {target.id}
    if isinstance(target, (ast.Tuple, ast.List)):
        return set().union(*(_bound_names(e) for e in target.elts)) if target.elts else set()
    if isinstance(target, ast.Starred):
        return _bound_names(target.value)
    if isinstance(target, (ast.Subscript, ast.Attribute)):
        base = target.value
        while isinstance(base, (ast.Subscript, ast.Attribute)):
            base = base.value
        return {base.id} if isinstance(base, ast.Name) and base.id not in ("self", "args") else set()
    return set()


def _body_nodes(loop: ast.AST):
    for stmt in loop.body:
        yield from ast.walk(stmt)

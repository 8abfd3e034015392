"""The effective configuration of a script: the defaults it reads from the environment, overridden
by what the run logs dump and what the README's run command sets.

Scripts read their settings as ``x = int(os.environ.get("X", "0"))`` (module level, in a
``Hyperparameters`` class, or in a function). ``settings(trees)`` finds every such read; the value
a name has in the runs is, in order: the launch environment a log prints, the hyperparameters a
log dumps, the README's run command, else the code's default. ``truth(test)`` evaluates an ``if``
test over those values (True, False, or None when it cannot tell), so code behind a disabled flag
is known to be inactive, and active when the logs show the flag on.
"""

from __future__ import annotations

import ast
import operator
from dataclasses import dataclass, field

_CONVERTERS = {"int": int, "float": float, "bool": bool, "str": str}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", "", "none"}
_COMPARE = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
            ast.Gt: operator.gt, ast.GtE: operator.ge}


@dataclass(frozen=True)
class Setting:
    """One environment read: ``name = conv(os.environ.get(env, default))``."""

    name: str  # the attribute or variable it is bound to (lower-cased for attributes)
    env: str
    default: str | None  # the raw default text; None when there is none
    converters: tuple[str, ...]  # outermost first, e.g. ("bool", "int")
    path: str
    line: int


@dataclass(frozen=True)
class Value:
    value: object
    source: str  # "default", "log <file>", "README"


@dataclass
class Config:
    settings: dict[str, Setting] = field(default_factory=dict)  # by bound name (lower case)
    by_env: dict[str, Setting] = field(default_factory=dict)
    overrides: dict[str, tuple[str, str, bool]] = field(default_factory=dict)  # env -> (raw, source, raw_is_converted)

    def value(self, key: str) -> Value | None:
        """The effective value of a setting, by bound name or environment variable name."""
        s = self.settings.get(key.lower()) or self.by_env.get(key)
        if s is None:
            return None
        if s.env in self.overrides:
            raw, source, converted = self.overrides[s.env]
            return Value(_literal(raw) if converted else _convert(raw, s.converters), source)
        if s.default is None:
            return None
        return Value(_convert(s.default, s.converters), "default")

    def truth(self, test: ast.AST, resolve=None):
        """True / False when the test's value follows from the configuration, else None.
        ``resolve(name)`` may give the expression a local name was assigned from."""
        self._resolve, self._depth = resolve, 0
        try:
            value = self._eval(test)
        except (_Unknown, RecursionError):
            return None
        return bool(value)

    def _eval(self, node: ast.AST):
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name) and self._resolve is not None and self._depth < 4:
            expr = self._resolve(node.id)
            if expr is not None:
                self._depth += 1
                return self._eval(expr)
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr"
                and len(node.args) == 3 and isinstance(node.args[1], ast.Constant)):
            v = self.value(str(node.args[1].value))
            return v.value if v is not None and v.value is not None else self._eval(node.args[2])
        if isinstance(node, ast.BoolOp):
            values = [self._sub(v) for v in node.values]
            if isinstance(node.op, ast.And):
                return False if False in values else (True if all(v is True for v in values) else _raise())
            return True if True in values else (False if all(v is False for v in values) else _raise())
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return not self._eval(node.operand)
        if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _COMPARE:
            try:
                return _COMPARE[type(node.ops[0])](self._eval(node.left), self._eval(node.comparators[0]))
            except TypeError:
                raise _Unknown from None
        read = env_read(node)
        if read is not None:
            env, default, conv = read
            v = self.value(env) if env in self.by_env else None
            return v.value if v is not None else _convert(default, conv) if default is not None else _raise()
        key = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else None
        v = self.value(key) if key else None
        if v is None or v.value is None:
            raise _Unknown
        return v.value


    def _sub(self, node: ast.AST):
        try:
            return bool(self._eval(node))
        except _Unknown:
            return None


class _Unknown(Exception):
    pass


def _raise():
    raise _Unknown


def env_read(node: ast.AST) -> tuple[str, str | None, tuple[str, ...]] | None:
    """``conv(os.environ.get("X", d))`` / ``os.getenv`` / ``os.environ["X"]`` -> (X, raw default, convs)."""
    convs: list[str] = []
    while (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _CONVERTERS
           and len(node.args) == 1):
        convs.append(node.func.id)
        node = node.args[0]
    env, default = _env_call(node)
    if env is None:
        return None
    return env, default, tuple(convs)


def _env_call(node: ast.AST) -> tuple[str | None, str | None]:
    if isinstance(node, ast.Subscript) and _is_environ(node.value):
        key = node.slice
        return (key.value, None) if isinstance(key, ast.Constant) and isinstance(key.value, str) else (None, None)
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args):
        return None, None
    f = node.func
    is_get = f.attr == "get" and _is_environ(f.value)
    is_getenv = f.attr == "getenv" and isinstance(f.value, ast.Name) and f.value.id == "os"
    key = node.args[0]
    if not (is_get or is_getenv) or not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
        return None, None
    default = node.args[1] if len(node.args) > 1 else None
    if isinstance(default, ast.Constant) and default.value is not None:
        return key.value, str(default.value)
    return key.value, None


def _is_environ(node: ast.AST) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "environ") or (
        isinstance(node, ast.Name) and node.id == "environ")


def _convert(raw: str, converters: tuple[str, ...]):
    value: object = raw
    for conv in reversed(converters):
        try:
            if conv == "bool" and isinstance(value, str):
                value = value.strip().lower() in _TRUE or (value.strip().lower() not in _FALSE and bool(value))
            elif conv == "int" and isinstance(value, str):
                value = int(float(value))
            else:
                value = _CONVERTERS[conv](value)
        except (TypeError, ValueError):
            return None
    return value


def _literal(raw: str):
    text = raw.strip()
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    for conv in (int, float):
        try:
            return conv(text)
        except ValueError:
            pass
    return text


def collect_settings(modules) -> Config:
    """Every environment read bound to a name in ``modules`` (``auditor.code.index.Module``)."""
    config = Config()
    for module in modules:
        path = module.path
        for node in module.nodes(ast.Assign, ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
                node, ast.AnnAssign) and node.value is not None else []
            if not targets:
                continue
            read = env_read(node.value)
            if read is None:
                continue
            for t in targets:
                name = t.attr if isinstance(t, ast.Attribute) else t.id if isinstance(t, ast.Name) else None
                if name:
                    s = Setting(name, read[0], read[1], read[2], path, node.lineno)
                    config.settings.setdefault(name.lower(), s)
                    config.by_env.setdefault(read[0], s)
    return config


def apply_overrides(config: Config, ctx) -> None:
    """Values from the logs (launch env, hyperparameter dump) and the README's run commands.

    When runs disagree, a value that enables something (true, non-zero) wins: a flag on in any run
    means the flagged code ran.
    """
    dumps = [(log, {k.lower(): v for k, v in log.run.hyperparameters.items()}) for log in ctx.logs]
    for env, s in config.by_env.items():
        candidates = []
        for log, hparams in dumps:
            if env in log.run.env:
                candidates.append((log.run.env[env].value, f"log {log.rel}", False))
            elif s.name.lower() in hparams:
                candidates.append((hparams[s.name.lower()].value, f"log {log.rel}", True))
        readme = ctx.readme_doc
        for cmd in (readme.launches() if readme is not None else ()):
            if env in cmd.env:
                candidates.append((cmd.env[env].value, "README run command", False))
        if candidates:
            config.overrides[env] = max(candidates, key=lambda c: _enables(c[0]))


def _enables(raw: str) -> bool:
    text = str(raw).strip().lower()
    return text not in _FALSE and text not in ("0.0",)

"""Helpers shared by the code rules X001… (not a rule module)."""

from __future__ import annotations

from auditor.code.flow import call_name
from auditor.registry import Rule, Skip


def need_code(ctx):
    """The code base, or Skip when the folder has no analysable Python code."""
    code = ctx.code
    if not code.run_set:
        raise Skip("no Python code to analyse")
    return code


def wrapper_note(module) -> list[str]:
    if not module.layers:
        return []
    chain = " → ".join("+".join(layer.chain) for layer in module.layers)
    return [f"line numbers are in the code decoded from {module.layers[0].path}:{module.layers[0].line} ({chain})"]


def at(rule, ctx, site, message: str, *, evidence=(), **kw):
    """A finding of ``rule`` at a code site (a ``Site``: function + node)."""
    notes = wrapper_note(site.func.module)
    if ctx.code.embedded == site.func.module.file:
        notes.append(f"the folder ships no Python file: this is the script embedded in {site.func.module.file}")
    return rule.finding(message, path=site.path, line=site.line, evidence=[*evidence, *notes], **kw)


def caller_evidence(code, adaptation) -> list[str]:
    out = [f"{adaptation.site.func.name}() is called at {c.path}:{c.line} in {c.func.name}()"
           for c in adaptation.callers[:3]]
    if adaptation.scored_after is not None:
        call = adaptation.scored_after
        out.append(f"the validation set is scored afterwards at line {call.lineno} ({call_name(call)}())")
    return out


def inactive_evidence(rule, site, why: str):
    return rule.evidence(f"{site.path}:{site.line} not active: {why}", path=site.path, line=site.line)



class AdaptationRule(Rule):
    """Base of the rules that report one kind of update on validation data (``CodeBase.adaptations``)."""

    abstract = True
    kinds: tuple[str, ...] = ()

    def message(self, adaptation) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def grade(self, adaptation) -> dict:
        return {}

    def check(self, ctx):
        code = need_code(ctx)
        for a in code.adaptations:
            if a.kind not in self.kinds:
                continue
            if not a.active:
                yield inactive_evidence(self, a.site, a.why)
                continue
            yield at(self, ctx, a.site, self.message(a), evidence=caller_evidence(code, a), **self.grade(a))


class PatternRule(Rule):
    """Base of the rules that report code shapes (``auditor.code.patterns``): ``find(code)`` yields
    ``(site, message, finding keywords)``; sites switched off by the configuration become evidence."""

    abstract = True

    def find(self, code):  # pragma: no cover - abstract
        raise NotImplementedError

    def check(self, ctx):
        code = need_code(ctx)
        for site, message, kw in self.find(code):
            active, why = code.flow.active(site)
            if not active:
                yield inactive_evidence(self, site, why)
                continue
            yield at(self, ctx, site, message, **kw)

"""Static analysis of a submission's code: read, unwrapped and parsed once, never imported or run.

``ctx.code`` (a ``CodeBase``) holds the module index (``index``), the effective configuration
(``config``) and the validation-data flow (``flow``); rules X001… read it. It is computed on first
use and only once per audit.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cached_property

from auditor.code.config import Config, apply_overrides, collect_settings
from auditor.code.flow import Flow, Site, call_name
from auditor.code.index import MAX_CODE_BYTES, MAX_TOTAL_CODE_BYTES, Index, Module, build_index
from auditor.safefs import UnsafePath

__all__ = ["CodeBase", "Site", "Module"]


class CodeBase:
    def __init__(self, ctx):
        self.ctx = ctx
        self.unread: list[tuple[str, str]] = []

    @cached_property
    def files(self) -> dict[str, str]:
        """Text of the folder's Python files, root-level first, within the per-file and total caps."""
        out, total = {}, 0
        for entry in sorted(self.ctx.code_files, key=lambda e: (e.rel.count("/"), e.rel)):
            if entry.size > MAX_CODE_BYTES:
                self.unread.append((entry.rel, f"{entry.size:,} bytes, over the {MAX_CODE_BYTES:,}-byte limit"))
                continue
            total += entry.size
            if total > MAX_TOTAL_CODE_BYTES:
                self.unread.append((entry.rel, f"over the {MAX_TOTAL_CODE_BYTES:,} bytes read for all code"))
                continue
            try:
                out[entry.rel] = self.ctx.read_text(entry.rel, MAX_CODE_BYTES)
            except (UnsafePath, OSError, UnicodeError) as exc:
                self.unread.append((entry.rel, str(exc)))
        return out

    @cached_property
    def index(self) -> Index:
        return build_index(self.files)

    @cached_property
    def config(self) -> Config:
        config = collect_settings(self.index.run_set)
        apply_overrides(config, self.ctx)
        return config

    @cached_property
    def flow(self) -> Flow:
        return Flow(self.index, self.config)

    @property
    def run_set(self) -> list[Module]:
        return self.index.run_set

    def where(self, site: Site) -> str:
        """``path:line``, naming the wrapper for unwrapped code."""
        m = site.func.module
        text = f"{m.path}:{site.line}"
        if m.layers:
            text += f" (decoded from {m.layers[0].path}:{m.layers[0].line}, " \
                    f"{' → '.join('+'.join(layer.chain) for layer in m.layers)})"
        return text

    @cached_property
    def adaptations(self) -> list["Adaptation"]:
        """Every update on validation data, classified: ``score-first`` (legal TTT shape), ``warmup``,
        ``slot`` (eval-time tensors made trainable), ``ttt`` (adapt before score); with activity."""
        return [self._adaptation(site) for site in self.flow.updates]

    def _adaptation(self, site: Site) -> "Adaptation":
        flow = self.flow
        active, why = flow.active(site)
        params = flow.eval_time_params(site)
        kind = ("score-first" if flow.score_first(site) else "warmup" if flow.in_warmup(site)
                else "slot" if params else "throwaway" if flow.throwaway(site) else "ttt")
        callers = flow.call_sites(site.func.name) if site.func.name != "<module>" else []
        later = [n for c in callers for n in c.func.own_nodes() if isinstance(n, ast.Call)
                 and call_name(n) in flow.scoring_functions and n.lineno > c.line]
        return Adaptation(site, kind, active, why, params, callers, min(later, key=lambda n: n.lineno, default=None))


@dataclass
class Adaptation:
    """An update on validation data and what the analysis knows about it."""

    site: Site
    kind: str
    active: bool
    why: str  # why not active
    params: list[str]  # eval-time trainable tensors of its function
    callers: list[Site]
    scored_after: ast.Call | None  # the first scoring call after a call of its function

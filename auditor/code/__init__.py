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
from auditor.parsers.textlines import ReadStats, read_lines, strip_prefix
from auditor.safefs import UnsafePath

__all__ = ["CodeBase", "Site", "Module"]
MAX_EMBEDDED_LINES = 200_000  # the longest script a log may embed (real ones: ~3,000 lines)


class CodeBase:
    def __init__(self, ctx):
        self.ctx = ctx
        self.unread: list[tuple[str, str]] = []

    @cached_property
    def files(self) -> dict[str, str]:
        """Path -> text of the folder's Python files; with none, the script a log embeds (its code
        lines kept at their log line numbers, everything else blank), so findings point into the log."""
        out = dict(self._python_files)
        if not out and not self.unread:
            out.update(self._embedded_code)
        return out

    @cached_property
    def embedded(self) -> str | None:
        """The log whose embedded script is analysed (when the folder ships no Python file)."""
        return next(iter(self._embedded_code), None) if not self._python_files else None

    @cached_property
    def _embedded_code(self) -> dict[str, str]:
        logs = sorted((log for log in self.ctx.logs if log.run.code_sections and log.duplicate_of is None),
                      key=lambda log: (not self.ctx.evidence.in_claim(log), log.rel))
        if not logs:
            return {}
        log = logs[0]
        sections = log.run.code_sections
        last = max(s.end for s in sections)
        if last > MAX_EMBEDDED_LINES:  # a hostile log's "code section" can span millions of lines
            self.unread.append((log.rel, f"embedded code runs to line {last:,}, past the {MAX_EMBEDDED_LINES:,} "
                                         "lines read"))
            return {}
        lines, size = [""] * last, 0
        try:
            with open(self.ctx.tree.path_of(log.rel), "rb") as stream:
                for n, text in read_lines(stream, ReadStats()):
                    if n > last:
                        break
                    if log.run.is_code_line(n):
                        lines[n - 1] = strip_prefix(text)
                        size += len(text) + 1
                    if size > MAX_CODE_BYTES:
                        self.unread.append((log.rel, f"embedded code over the {MAX_CODE_BYTES:,}-byte limit"))
                        return {}
        except (UnsafePath, OSError):
            return {}
        return {log.rel: "\n".join(lines) + "\n"}

    @cached_property
    def _python_files(self) -> dict[str, str]:
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
        return build_index(self.files, roots=list(self.files) if self.embedded else None)

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

    def stub_sizes(self, path: str) -> tuple[int, int] | None:
        """(bytes as shipped, bytes of the innermost decoded code) when ``path`` is a self-extracting stub."""
        mods = [m for m in self.index.wrapped if m.layers[0].path == path]
        if not mods:
            return None
        inner = max(mods, key=lambda m: len(m.layers))
        return len(self.files[path].encode("utf-8", "replace")), len(inner.source.encode("utf-8", "replace"))

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

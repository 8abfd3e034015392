"""Renderers format an ``AuditResult``; they never check anything.

Every renderer has the same shape: ``render(result, options) -> str``. ``--format`` picks one.
"""

from __future__ import annotations

from dataclasses import dataclass

from auditor.findings import Severity


@dataclass(frozen=True)
class RenderOptions:
    fail_on: Severity | None = Severity.ERROR
    color: bool = False
    width: int = 100
    verbose: bool = False  # show PASS evidence and skipped reasons in the text report
    sarif_root: str = ""  # SARIF: the folder's path in the repository, prefixed to finding paths


def get_renderer(fmt: str):
    if fmt == "text":
        from auditor.render.text import render
    elif fmt == "json":
        from auditor.render.jsonfmt import render
    elif fmt == "markdown":
        from auditor.render.markdown import render
    elif fmt == "sarif":
        from auditor.render.sarif import render
    else:
        raise ValueError(f"unknown format {fmt!r}")
    return render


FORMATS = ("text", "json", "markdown", "sarif")

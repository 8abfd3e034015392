"""G006 unsafe-path-in-change."""

from auditor.findings import Severity
from auditor.gate.changes import changes_of
from auditor.registry import Rule


class UnsafePathInChange(Rule):
    """The pull request adds a path no reviewer can trust: a hostile name, a submodule, or a link
    out of its folder.

    Checks:
    Every changed path for an absolute name, a ``.``/``..``/empty or ``.git`` component, control
    or invisible characters, bytes that are not UTF-8, a backslash, an over-long name; every added
    entry for a submodule (mode 160000); every added symbolic link for a target that leaves its
    record folder or the repository, or that holds control characters. None of them is written
    out for the audit.

    Why:
    The artifact must be self-contained and reproducible (README FAQ). A link to ``/etc`` or to
    another record, or a submodule, points at content the reviewers never see; names with control
    characters or ``..`` are built to confuse the tools and people that read them.

    Fails:
    ``records/track_10min_16mb/2026-04-01_X/train.log -> ../../../secrets`` or a name holding an
    ANSI escape sequence.

    Passes:
    Plain file names, and links that stay inside the record folder.
    """

    id = "G006"
    name = "unsafe-path-in-change"
    severity = Severity.ERROR
    ruling = "README-SUBMISSION"
    scope = "gate"

    def check(self, ctx):
        cs = changes_of(ctx)
        for c in cs.changes:
            why = cs.hazard(c)
            if why:
                yield self.finding(f"the PR {c.verb} {c.shown}: {why}", path=c.shown)
        yield self.evidence(f"{len(cs.changes)} changed path(s) checked for hostile names, links and submodules")

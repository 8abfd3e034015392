"""G001 change-outside-records."""

from auditor.findings import Severity
from auditor.gate.changes import changes_of
from auditor.registry import Rule


class ChangeOutsideRecords(Rule):
    """The pull request changes a file outside ``records/``.

    Checks:
    Every path the PR adds, modifies, deletes or retypes (net diff from the merge base to the PR
    head, renames split into a deletion and an addition) lies under ``records/``.

    Why:
    The README's submission process: a record PR adds one new folder to ``/records``. Changes to
    the challenge's scripts, data helpers, README or workflows are reviewed on their own, never
    slipped in beside a record (a workflow or helper edit could change how every record runs).

    Fails:
    A PR that adds ``records/track_10min_16mb/2026-04-01_X/`` and also edits ``train_gpt.py`` or
    ``.github/workflows/ci.yml`` at the repository root.

    Passes:
    A PR whose every path starts with ``records/``.
    """

    id = "G001"
    name = "change-outside-records"
    severity = Severity.ERROR
    ruling = "README-SUBMISSION"
    scope = "gate"

    def check(self, ctx):
        outside = changes_of(ctx).outside_records()
        for c in outside:
            yield self.finding(f"the PR {c.verb} {c.shown}, outside records/", path=c.shown)
        if not outside:
            yield self.evidence("every changed path lies under records/")

"""G003 existing-record-changed."""

from auditor.findings import Severity
from auditor.gate.changes import changes_of
from auditor.registry import Rule


class ExistingRecordChanged(Rule):
    """The pull request changes a record folder that already exists on the base branch.

    Checks:
    Every path inside a ``records/<track>/<folder>/`` that exists in the merge base: an added,
    modified, deleted, renamed (deleted here) or mode-changed file is reported.

    Why:
    A merged record is evidence fixed at the commit it was judged on (RULES.md CHRONO: pin the
    commit you judge). Editing its logs, numbers or code after acceptance rewrites that evidence;
    a fix is a new PR with a new folder (#1851 -> #1868), and removals go through maintainers
    (#1806).

    Fails:
    A PR that edits ``records/track_10min_16mb/2026-03-17_NaiveBaseline/submission.json``.

    Passes:
    A PR that only adds files inside a folder the base branch does not have.
    """

    id = "G003"
    name = "existing-record-changed"
    severity = Severity.ERROR
    ruling = "README-SUBMISSION"
    scope = "gate"

    def check(self, ctx):
        touched = changes_of(ctx).in_existing_records()
        for c in touched:
            yield self.finding(f"the PR {c.verb} {c.shown} in the existing record {c.record_folder}",
                               path=c.shown)
        if not touched:
            yield self.evidence("no existing record folder is touched")

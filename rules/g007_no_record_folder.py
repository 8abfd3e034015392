"""G007 no-record-folder."""

from auditor.findings import Severity
from auditor.gate.changes import changes_of
from auditor.registry import Rule


class NoRecordFolder(Rule):
    """The pull request adds no new record folder.

    Checks:
    The PR creates at least one folder ``records/<track>/<folder>/`` that the merge base does not
    have (several are G002's finding).

    Why:
    The gate checks record PRs: the README's submission process is one new folder under
    ``/records``. A PR that only edits existing records, or changes nothing there, is not a
    record submission and has nothing to audit.

    Fails:
    A PR that only fixes a typo in an existing record's README.

    Passes:
    A PR adding ``records/track_10min_16mb/2026-04-01_X/`` with its files.
    """

    id = "G007"
    name = "no-record-folder"
    severity = Severity.ERROR
    ruling = "README-SUBMISSION"
    scope = "gate"

    def check(self, ctx):
        folders = changes_of(ctx).new_folders
        if not folders:
            yield self.finding("the PR adds no new folder records/<track>/<folder>/: nothing to audit")
        else:
            yield self.evidence(f"new record folder(s): {', '.join(folders)}")

"""G002 several-record-folders."""

from auditor.findings import Severity
from auditor.gate.changes import changes_of
from auditor.registry import Rule


class SeveralRecordFolders(Rule):
    """The pull request adds more than one record folder.

    Checks:
    The number of new folders ``records/<track>/<folder>/`` (absent from the merge base) that the
    PR creates; each one is reported when there are two or more, and none of them is audited.

    Why:
    The README's submission process: a record PR adds exactly one folder. Records are judged in
    PR order against the frontier at that time (README; #2146), which needs one record per PR.

    Fails:
    A PR adding ``records/track_10min_16mb/2026-04-01_A/`` and ``records/track_10min_16mb/2026-04-02_B/``.

    Passes:
    A PR adding one folder, however many files it holds.
    """

    id = "G002"
    name = "several-record-folders"
    severity = Severity.ERROR
    ruling = "README-SUBMISSION"
    scope = "gate"

    def check(self, ctx):
        folders = changes_of(ctx).new_folders
        if len(folders) > 1:
            for folder in folders:
                yield self.finding(f"one of {len(folders)} new record folders: {folder}", path=folder,
                                   value=len(folders), limit=1, unit="folders")
        else:
            yield self.evidence(f"{len(folders)} new record folder(s)")

"""G004 misplaced-record-file."""

from auditor.findings import Severity
from auditor.gate.changes import changes_of
from auditor.registry import Rule


class MisplacedRecordFile(Rule):
    """A changed path lies under ``records/`` but not inside a record folder.

    Checks:
    Paths ``records/<file>`` and ``records/<track>/<file>``: a record is a folder exactly two
    levels below ``records/``, so a file at either depth is misplaced.

    Why:
    The README's submission process asks for one folder under the track's ``records/`` folder; the
    leaderboard, this gate and every reviewer find a record by that layout. #2130 put its files in
    ``SUBMISSION_FINAL/`` instead and could not be audited as a record.

    Fails:
    ``records/track_10min_16mb/train_gpt.py`` (a file directly in the track folder).

    Passes:
    ``records/track_10min_16mb/2026-04-01_X/train_gpt.py``.
    """

    id = "G004"
    name = "misplaced-record-file"
    severity = Severity.ERROR
    ruling = "README-SUBMISSION"
    scope = "gate"

    def check(self, ctx):
        misplaced = changes_of(ctx).misplaced()
        for c in misplaced:
            yield self.finding(f"the PR {c.verb} {c.shown}: a record is a folder records/<track>/<folder>/",
                               path=c.shown)
        if not misplaced:
            yield self.evidence("every records/ path lies inside a records/<track>/<folder>/")

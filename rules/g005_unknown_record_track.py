"""G005 unknown-record-track."""

from auditor.context import TRACK_DIRS
from auditor.findings import Severity
from auditor.gate.changes import changes_of
from auditor.registry import Rule


class UnknownRecordTrack(Rule):
    """A new record folder sits under a track folder the challenge does not have.

    Checks:
    The ``<track>`` of every new ``records/<track>/<folder>/`` is one of the challenge's tracks
    (``track_10min_16mb``, ``track_non_record_16mb``). A folder under an unknown track is still
    audited, as a record.

    Why:
    The track decides which caps and statistics apply (README: record vs non-record
    submissions); a misspelt track folder would be judged against the wrong rules, or missed.

    Fails:
    ``records/track_10min_16MB/2026-04-01_X/`` (case), ``records/track_16mb/2026-04-01_X/``.

    Passes:
    ``records/track_non_record_16mb/2026-04-01_X/``.
    """

    id = "G005"
    name = "unknown-record-track"
    severity = Severity.ERROR
    ruling = "README-SUBMISSION"
    scope = "gate"

    def check(self, ctx):
        unknown = changes_of(ctx).unknown_tracks()
        for track, folder in sorted(unknown.items()):
            yield self.finding(f"{folder}: unknown track folder {track} (tracks: {', '.join(sorted(TRACK_DIRS))})",
                               path=track)
        if not unknown:
            yield self.evidence("every new record folder is under a known track")

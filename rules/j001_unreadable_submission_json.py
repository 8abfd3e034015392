"""J001 unreadable-submission-json."""

from auditor.findings import Severity
from auditor.registry import Rule, Skip


class UnreadableSubmissionJson(Rule):
    """The submission JSON cannot be read as a JSON object.

    Checks:
    The submission JSON decodes as UTF-8, parses as JSON within the size and nesting limits, and
    its top level is an object. Several ``submission*.json`` files are noted, and the one audited
    is named.

    Why:
    The README asks for a submission.json with the name, GitHub id, val_bpb and metadata; the
    leaderboard and every claims check read it. A file that does not parse claims nothing.

    Fails:
    ``[{"val_bpb": 1.2}]`` (an array), ``{"val_bpb": 1.2,}`` (a trailing comma), bytes that are not UTF-8.

    Passes:
    ``{"name": "My run", "github_id": "me", "val_bpb": 1.2}``.
    """

    id = "J001"
    name = "unreadable-submission-json"
    severity = Severity.ERROR
    ruling = "README-SUBMISSION"

    def check(self, ctx):
        doc = ctx.submission
        if doc is None:
            raise Skip("no submission JSON (reported by F001)")
        if doc.invalid_utf8:
            yield self.finding("not valid UTF-8 (undecodable bytes replaced)", path=doc.rel, line=1)
        if doc.error:
            yield self.finding(doc.error, path=doc.rel, line=doc.error_line)
        others = [e.rel for e in ctx.submission_files if e.rel != doc.rel]
        if others:
            yield self.finding(f"several submission JSON files; audited {doc.rel}, not {', '.join(others)}",
                               path=others[0], severity=Severity.WARNING)
        if doc.data is not None:
            yield self.evidence(f"{doc.rel} parses as a JSON object with {len(doc.data)} keys", path=doc.rel)

"""F002 unsafe-or-unreadable-file."""

from auditor.findings import Severity
from auditor.registry import Rule
from auditor.safefs import MAX_FILES, printable


class UnsafeOrUnreadableFile(Rule):
    """The folder holds something the auditor refused to read: a link out of the folder, a file
    it cannot open, a special file, or more entries than it lists.

    Checks:
    The safe walk of the folder: symbolic links that resolve outside it (never followed), links
    to folders, unreadable files, devices/sockets/pipes, folders nested too deeply, and folders
    with more than the listing limit; then the reads: a README or log that could not be opened
    or is over the size read whole (errors), and a README or log that is not valid UTF-8
    (a warning: it was read with the undecodable bytes replaced). Each is reported with its path
    (control characters escaped).

    Why:
    The artifact must be self-contained and reproducible (README FAQ). A link to a file outside the
    record points at something the reviewers never see; an unreadable file is evidence that cannot
    be checked. Either way the audit is incomplete, so it must say so.

    Fails:
    ``train.log -> /home/user/secret.log`` (a link leaving the folder).

    Passes:
    A folder of plain files, or links to files inside it.
    """

    id = "F002"
    name = "unsafe-or-unreadable-file"
    severity = Severity.ERROR
    ruling = "README-NO-NETWORK"

    def check(self, ctx):
        ctx.readme, ctx.logs  # noqa: B018 - load them, so that failed reads are known
        for p in [*ctx.tree.problems, *ctx.read_problems]:
            yield self.finding(f"{printable(p.rel)}: {p.problem}", path=printable(p.rel))
        for p in ctx.text_problems:
            yield self.finding(f"{printable(p.rel)}: {p.problem}", path=printable(p.rel), severity=Severity.WARNING)
        if ctx.tree.truncated:
            yield self.finding(f"more than {MAX_FILES:,} files: the listing stopped there", path=".",
                               value=MAX_FILES, limit=MAX_FILES, unit="files")

"""B002 code-size-mismatch."""

from auditor.findings import Severity
from auditor.registry import Rule, Skip


class CodeSizeMismatch(Rule):
    """The code the runs counted is not the size of the code the folder ships.

    Checks:
    The literal size of each counted code file (the ruleset's ``counted_files``, normally
    ``train_gpt.py``) against the code size the logs print (``Code size:``, or the uncompressed
    figure when a log prints both). A difference means the shipped script is not byte for byte the
    one that produced the logs, so the logged artifact total does not describe this submission.

    Why:
    README FAQ: "All counted code should live in the train_gpt.py script", and the artifact is code
    bytes plus compressed model bytes; the log is the evidence only if it ran the shipped code.

    Fails:
    ``train_gpt.py`` of 47,700 bytes while the log says ``Code size: 47642 bytes``.

    Passes:
    ``train_gpt.py`` of 47,642 bytes and ``Code size: 47642 bytes``.
    """

    id = "B002"
    name = "code-size-mismatch"
    severity = Severity.WARNING
    ruling = "README-CAP-BYTES"

    def check(self, ctx):
        files = [e for name in ctx.ruleset["code_bytes"]["counted_files"] for e in ctx.tree.glob(name)]
        logged = [(r, r.run.artifact.code_uncompressed or r.run.artifact.code) for r in ctx.evidence.runs]
        logged = [(r, c) for r, c in logged if c is not None and c.label != "compressed"]
        if not files or not logged:
            raise Skip("no counted code file or no logged code size")
        shipped = sum(e.size for e in files)
        names = " + ".join(e.rel for e in files)
        for run, code in logged:
            if int(code.bytes) != shipped:
                yield self.finding(f"{names} is {shipped:,} bytes but this run counted {int(code.bytes):,} bytes of "
                                   "code: the shipped code is not the code that produced the log",
                                   path=run.rel, line=code.size.line, value=shipped, limit=int(code.bytes), unit="bytes")
            else:
                yield self.evidence(f"{run.rel}: code {shipped:,} bytes = {names}")

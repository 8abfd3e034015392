"""R003 rerun-logged-size-wrong."""

from auditor.findings import Severity
from auditor.registry import Rule, Skip
from rules._rerun import measured_total, scored


class RerunLoggedSizeWrong(Rule):
    """The sizes a re-run's log prints are not the sizes of the files the run wrote.

    Checks:
    For each finished re-run, the files it wrote are measured: the compressed model is the new
    file whose size the log's last ``Serialized model`` line states (else the largest new file
    that is not a log, raw checkpoint or source). The logged model size must equal that file's
    size, and the logged total (``Total submission size``) must equal that file plus the counted
    code (the shipped counted files; or the compressed-wrapper figure the log prints, where the
    ruleset accepts that convention). Each mismatch is reported with both numbers.

    Why:
    README FAQ: the artifact is code bytes plus compressed model bytes, at most 16,000,000; the
    log's own size lines are what reviewers read, so they must describe the file actually written.

    Fails:
    The log prints ``Total submission size int8+zlib: 15863489 bytes`` while the run wrote a
    16,212,000-byte ``final_model.int8.ptz`` next to a 47,642-byte ``train_gpt.py``.

    Passes:
    The run wrote ``final_model.int8.ptz`` of 15,815,847 bytes; the log prints ``Serialized model
    int8+zlib: 15815847 bytes`` and ``Total submission size int8+zlib: 15863489 bytes`` with a
    47,642-byte ``train_gpt.py``.
    """

    id = "R003"
    name = "rerun-logged-size-wrong"
    severity = Severity.ERROR
    ruling = "README-CAP-BYTES"
    scope = "rerun"

    def check(self, ctx):
        sized = [(r, lg) for r, lg, _ in scored(ctx) if lg.artifact.total or lg.artifact.model]
        if not sized:
            raise Skip("no re-run log prints a size")
        for run, log in sized:
            artifact, code, how, total = measured_total(ctx, run, log)
            model, logged_total = log.artifact.model, log.artifact.total
            if artifact is None:
                yield self.finding(f"seed {run.seed}: the log prints sizes but the run wrote no artifact file",
                                   path=run.log, line=(model or logged_total).size.line)
                continue
            if model is not None and int(model.bytes) != artifact.bytes:
                yield self.finding(f"seed {run.seed}: the log says the model is {int(model.bytes):,} bytes; no file "
                                   f"the run wrote has that size (largest: {artifact.path}, {artifact.bytes:,} bytes)",
                                   path=run.log, line=model.size.line, value=artifact.bytes, limit=int(model.bytes),
                                   unit="bytes")
            if logged_total is not None and int(logged_total.bytes) != total:
                yield self.finding(f"seed {run.seed}: the log's total is {int(logged_total.bytes):,} bytes, but "
                                   f"{artifact.path} ({artifact.bytes:,}) + code ({code:,}, {how}) = {total:,}",
                                   path=run.log, line=logged_total.size.line, value=total,
                                   limit=int(logged_total.bytes), unit="bytes")
            elif logged_total is not None:
                yield self.evidence(f"seed {run.seed}: {artifact.path} {artifact.bytes:,} + code {code:,} ({how}) "
                                    f"= logged total {total:,}", path=run.log, line=logged_total.size.line)

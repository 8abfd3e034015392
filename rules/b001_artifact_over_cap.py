"""B001 artifact-over-cap."""

from auditor.findings import Severity
from auditor.registry import Rule, Skip
from rules._common import claim_note, run_severity


class ArtifactOverCap(Rule):
    """The artifact (code bytes + compressed model bytes) is over the decimal 16,000,000-byte cap.

    Checks:
    Every run's logged total submission size (the last ``Total submission size`` / ``budget:`` /
    artifact line) against the ruleset's cap, in decimal bytes; when a log prints only megabytes,
    the comparison allows for the printed precision and says so. Without any logged total, the
    JSON's ``bytes_total`` is checked instead. Runs the claim does not rest on are warnings.

    Why:
    README FAQ: the cap is code bytes plus compressed model bytes, "decimal 16MB, i.e. 16,000,000
    total bytes, not 16 MiB". Seen over the cap: #1399 (16,084,685 with "Fits? ✅"), #1412's logs
    (16,054,963–16,059,704), #542 (16,638,468).

    Fails:
    ``Total submission size int6+brotli: 16054963 bytes``.

    Passes:
    ``Total submission size int8+zlib: 15863489 bytes``.
    """

    id = "B001"
    name = "artifact-over-cap"
    severity = Severity.ERROR
    ruling = "README-CAP-BYTES"

    def check(self, ctx):
        cap = ctx.ruleset.caps["artifact_bytes"]
        sized = [(r, r.run.artifact.total) for r in ctx.evidence.runs if r.run.artifact.total is not None]
        if not sized:
            yield from self._from_json(ctx, cap)
            return
        for run, total in sized:
            size = total.bytes
            slack = 0.5 * 10.0 ** -total.size.decimals * 1_000_000 if total.size.unit == "MB" else 0.0
            if size - slack > cap:
                yield self.finding(f"artifact is {size:,.0f} bytes, {size - cap:,.0f} over the cap{claim_note(ctx, run)}",
                                   path=run.rel, line=total.size.line, value=int(size), limit=cap, unit="bytes",
                                   severity=run_severity(ctx, run))
            elif size + slack > cap:
                yield self.finding(f"the log prints only {total.size.raw} MB, too coarse to tell whether the "
                                   "artifact is under the cap", path=run.rel, line=total.size.line,
                                   value=total.size.raw, limit=cap, unit="MB", severity=Severity.WARNING)
            else:
                yield self.evidence(f"{run.rel}: {size:,.0f} bytes ≤ {cap:,}", path=run.rel, line=total.size.line)

    def _from_json(self, ctx, cap):
        doc = ctx.submission
        claim = doc.claim("bytes_total") if doc is not None and doc.data is not None else None
        if claim is None:
            raise Skip("no logged artifact size and no bytes_total in the JSON")
        if claim.value > cap:
            yield self.finding(f"bytes_total {int(claim.value):,} is over the cap (no log prints a total)",
                               path=doc.rel, line=claim.line, value=int(claim.value), limit=cap, unit="bytes")
        else:
            yield self.evidence(f"bytes_total {int(claim.value):,} ≤ {cap:,} (no log prints a total)")

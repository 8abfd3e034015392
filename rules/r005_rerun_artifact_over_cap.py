"""R005 rerun-artifact-over-cap."""

from auditor.findings import Severity
from auditor.registry import Rule
from rules._rerun import measured_total, scored


class RerunArtifactOverCap(Rule):
    """The artifact a re-run wrote is over the decimal 16,000,000-byte cap.

    Checks:
    The size measured on disk after each finished re-run (compressed model file plus counted
    code, as in R003) against the ruleset's artifact cap, whatever the log says.

    Why:
    README FAQ: "The cap is decimal 16MB, i.e. 16,000,000 total bytes, not 16 MiB", counting code
    bytes plus compressed model bytes. #1399 logged 16,084,685 bytes with "Fits? ✅".

    Fails:
    The re-run writes a 16,040,000-byte ``final_model.ptz`` next to a 47,642-byte ``train_gpt.py``.

    Passes:
    The re-run writes a 15,815,847-byte ``final_model.int8.ptz`` next to a 47,642-byte ``train_gpt.py``.
    """

    id = "R005"
    name = "rerun-artifact-over-cap"
    severity = Severity.ERROR
    ruling = "README-CAP-BYTES"
    scope = "rerun"

    def check(self, ctx):
        cap = ctx.ruleset.caps["artifact_bytes"]
        for run, log, _ in scored(ctx):
            artifact, code, how, total = measured_total(ctx, run, log)
            if total is None:
                continue
            text = f"seed {run.seed}: {artifact.path} {artifact.bytes:,} + code {code:,} ({how}) = {total:,} bytes"
            if total > cap:
                yield self.finding(f"{text}, {total - cap:,} over the cap", path=artifact.path, value=total,
                                   limit=cap, unit="bytes")
            else:
                yield self.evidence(f"{text} ≤ {cap:,}", path=artifact.path)

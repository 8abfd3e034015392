"""R004 rerun-size-differs-from-claim."""

from auditor.findings import Confidence, Severity
from auditor.registry import Rule, Skip
from rules._rerun import BYTES_REL_CAP, BYTES_REL_FLOOR, claimed_bytes, measured_total, per_seed_values, scored, \
    not_comparable, tolerance


class RerunSizeDiffersFromClaim(Rule):
    """A re-run's artifact is not the size the submission claims for that seed.

    Checks:
    The artifact each finished re-run wrote, measured on disk (compressed model file plus the
    counted code, as in R003), against the bytes claimed for that seed: the JSON's per-seed
    ``bytes_total``/``artifact_bytes``, else the total in the folder's log of that seed, else the
    JSON's headline ``bytes_total``. Tolerance: max(0.2% of the claim, min(3 sample sd of the sizes
    claimed for the other seeds, 1% of the claim)). When the re-run trained a different number of
    steps, or evaluated a different number of validation tokens, than the claimed run, a mismatch
    is a low-confidence warning.

    Why:
    README FAQ: artifact bytes are code plus compressed model; #1184 rounded its ``bytes_total``
    and other records misreported MiB as MB. Only the produced file proves the size.

    Fails:
    ``"bytes_total": 15000000`` while the re-run of the seed writes 15,863,489 bytes (model + code).

    Passes:
    ``"bytes_total": 15863489`` and the re-run writes 15,863,201 bytes (within 0.2%).
    """

    id = "R004"
    name = "rerun-size-differs-from-claim"
    severity = Severity.ERROR
    ruling = "README-CAP-BYTES"
    scope = "rerun"

    def check(self, ctx):
        pairs = [(r, lg, claimed_bytes(ctx, r.seed)) for r, lg, _ in scored(ctx)]
        pairs = [p for p in pairs if p[2] is not None]
        if not pairs:
            raise Skip("no claimed artifact size for the re-run seeds")
        for run, log, claim in pairs:
            artifact, code, how, total = measured_total(ctx, run, log)
            if total is None:
                continue  # nothing written: R003 reports it
            others = per_seed_values(ctx, claimed_bytes, exclude=run.seed)
            tol = tolerance(others, BYTES_REL_FLOOR * claim.value, BYTES_REL_CAP * claim.value)[0]
            text = (f"seed {run.seed}: the re-run's artifact is {total:,} bytes ({artifact.path} {artifact.bytes:,} "
                    f"+ code {code:,}), claimed {int(claim.value):,} ({claim.where}); tolerance {tol:,.0f} bytes")
            if abs(total - claim.value) <= tol:
                yield self.evidence(text, path=artifact.path)
                continue
            differ = not_comparable(ctx, run, log)
            low = {"severity": Severity.WARNING, "confidence": Confidence.LOW} if differ else {}
            yield self.finding(text + (f"; {differ}" if differ else ""), path=artifact.path, value=total,
                               limit=int(claim.value), unit="bytes", **low)

"""J002 submission-schema-violation."""

from auditor.findings import Severity
from auditor.registry import Rule, Skip
from auditor.schemas import schema_errors

ALTERNATIVES = ("mean_val_bpb", "mean_bpb", "val_bpb_mean")


class SubmissionSchemaViolation(Rule):
    """The submission JSON does not match the submission schema.

    Checks:
    The JSON object against ``auditor/schemas/submission.schema.json``: the required ``name``,
    ``github_id`` and ``val_bpb``; the types of ``val_loss``, ``bytes_total``, ``date``, and of
    per-seed blocks (``seeds`` as a list of seeds or an object keyed by seed, ``seed_results``).
    Each error is reported with its JSON path and the line it is on.

    Why:
    The README's submission process asks for name, GitHub id and val_bpb; the leaderboard is built
    from these fields, so a score under another key (``mean_val_bpb``) or a BPB stored as
    ``val_loss`` is silently misread.

    Fails:
    ``{"name": "x", "github_id": "me", "mean_val_bpb": 1.17}`` (no ``val_bpb``).

    Passes:
    ``{"name": "x", "github_id": "me", "val_bpb": 1.17, "seeds": [1, 2, 3]}``.
    """

    id = "J002"
    name = "submission-schema-violation"
    severity = Severity.ERROR
    ruling = "README-SUBMISSION"

    def check(self, ctx):
        doc = ctx.submission
        if doc is None or doc.data is None:
            raise Skip("no readable submission JSON (reported by F001/J001)")
        errors = schema_errors(doc.data, "submission")
        for path, message in errors:
            keys = [k for k in path.lstrip("$").split(".") if k and "[" not in k]
            yield self.finding(f"{path}: {message}{_hint(doc.data, message)}", path=doc.rel,
                               line=doc.line_of(*keys) if keys else 1)
        if not errors:
            yield self.evidence(f"{doc.rel} matches the submission schema", path=doc.rel)


def _hint(data, message):
    if "'val_bpb' is a required property" in message:
        alt = next((k for k in ALTERNATIVES if k in data), None)
        if alt:
            return f"; the score is under '{alt}'"
        if "val_loss" in data:
            return "; a 'val_loss' is present: check it is not a BPB under the wrong key"
    return ""

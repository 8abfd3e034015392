"""L001 log-without-final-score."""

from auditor.findings import Severity
from auditor.registry import Rule
from rules._common import fmt_bpb, need_runs


class LogWithoutFinalScore(Rule):
    """A run log ends without a final (post-training, post-quantization) score.

    Checks:
    Every log that records a run (training steps or evaluations) has at least one final evaluation
    line: a quantized round trip, a sliding-window or a test-time-training score (not only the
    periodic validation printed during training). When no log of the folder has one, the finding is
    an error; a single incomplete log beside complete ones is a warning.

    Why:
    The README's submission process: the score must come from the automatically produced logs, and
    the artifact that is scored is the compressed one. A log that stops before the final evaluation
    (a crash, a cut-off) proves nothing about the artifact; #542's claim was a pre-quantization value.

    Fails:
    A log whose last score is ``step:2979/20000 val_loss:2.0089 val_bpb:1.1898`` and that never
    prints a ``final_*`` line.

    Passes:
    A log that ends with ``final_int8_zlib_roundtrip_exact val_loss:2.07269931 val_bpb:1.22436570``.
    """

    id = "L001"
    name = "log-without-final-score"
    severity = Severity.ERROR
    ruling = "README-CLAIMS"

    def check(self, ctx):
        runs = need_runs(ctx)
        none_scored = not ctx.evidence.scored_runs
        for run in runs:
            if run.score() is not None:
                continue
            last = next((e for e in reversed(run.run.evaluations) if e.val_bpb is not None), None)
            detail = "" if last is None else (
                f"; its last score is a {last.kind.value} evaluation"
                + (f" at step {last.step}" if last.step is not None else "")
                + f" (val_bpb {fmt_bpb(float(last.val_bpb.value))})")
            yield self.finding(f"no final score in this log{detail}", path=run.rel,
                               line=last.line if last else None,
                               severity=Severity.ERROR if none_scored else Severity.WARNING)
        if not none_scored:
            yield self.evidence(f"{len(ctx.evidence.scored_runs)} of {len(runs)} run logs have a final score")
